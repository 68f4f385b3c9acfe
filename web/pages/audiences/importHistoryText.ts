import type { ImportHistoryEntry, LaterImport } from '../../../shared/schema/audiences.ts';
import type { ImportSource } from '../../../shared/schema/imports.ts';
import { crmName } from '../crm/crmNames.ts';
import { formatDate, plural } from '../formatting.ts';

/** Where an import's rows came from, as a marketer names it: the file, or the CRM table. */
export function sourceLabel(source: ImportSource): string {
  return source.kind === 'csv' ? source.fileName : `${crmName(source.kind)} · ${source.object}`;
}

/** The status cell of a history line. */
export function stateLabel(entry: ImportHistoryEntry): string {
  switch (entry.state) {
    case 'undone':
      return `Undone ${formatDate(entry.undo?.undoneAt ?? '')}`;
    case 'interrupted':
      return 'Interrupted — resume';
    case 'running':
      return 'Saving…';
    case 'completed':
      return 'Completed';
  }
}

/** The counts of a history line in one phrase, only the parts that are not zero. */
export function countsLabel(entry: ImportHistoryEntry): string {
  const c = entry.import.counts;
  const parts = [
    plural(c.received, 'row'),
    c.inserted ? `${plural(c.inserted, 'new member')}` : '',
    c.updated ? `${plural(c.updated, 'update')}` : '',
    c.duplicates ? `${plural(c.duplicates, 'repeat')} merged` : '',
    c.rejected ? `${plural(c.rejected, 'row')} rejected` : '',
    c.skipped ? `${plural(c.skipped, 'blank row')} skipped` : '',
  ];
  return parts.filter(Boolean).join(' · ');
}

/** What undo must do first, said plainly: "2 later imports changed the same members: b.csv (…), a.csv (…)". */
export function laterImportsText(later: readonly LaterImport[]): string {
  const list = later.map((l) => `${sourceLabel(l.source)} (${formatDate(l.createdAt)})`).join(', ');
  return `${later.length === 1 ? 'A later import' : `${later.length} later imports`} changed the same members: ${list}.`;
}
