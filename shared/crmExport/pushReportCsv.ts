import type { PushReportLine } from '../schema/crmPush.ts';
import { csvLine } from '../report/reportCsv.ts';

export const PUSH_REPORT_CSV_HEADER = ['Member', 'CRM record', 'Action', 'Problem', 'CRM code', 'Changes', 'Conflicts'] as const;

const shown = (value: string | null) => (value === null || value === '' ? '(empty)' : value);

/** One line of a push's downloadable report: formula-safe cells (csvLine), changes and conflicts in plain words. */
export function pushReportCsvLine(l: PushReportLine): string {
  return csvLine([
    l.member,
    l.recordId,
    l.action,
    l.message,
    l.vendorCode,
    l.changes.map((c) => `${c.crmProperty}: ${shown(c.crmValue)} → ${shown(c.newValue)}`).join('; '),
    l.conflicts
      .map((k) => `${k.crmProperty}: ours ${shown(k.ourValue)} (${k.ourModifiedAt}), CRM ${shown(k.crmValue)} (${k.crmModifiedAt ?? 'time unknown'}); ${k.winner === 'ours' ? 'ours' : 'the CRM’s'} kept`)
      .join('; '),
  ]);
}
