import type { BatchRow } from '../../shared/schema/imports.ts';
import { laterStamp } from './updateCycle.ts';

/** A CRM's true/false as text ("true", "false"; null when empty): anything but "true" is not flagged. */
const isFlagged = (value: string | null | undefined) => value === 'true';

export type PageRows = {
  /** Rows for the audience, numbered on from `firstRow` (the run's rows so far + 1), as an import's rows are. */
  staying: BatchRow[];
  /** The CRM record id of each staying row (what links it to its member), null without an id field. */
  stayingIds: (string | null)[];
  /** When each staying row's record was last modified (the stamp field), for two-way fields' most-recent-wins. */
  stayingStamps: (string | null)[];
  /** Rows of records whose flag is not true: they leave the audience by the deletion rule (row numbers unused). */
  leaving: BatchRow[];
  /** The CRM record id of each leaving row (null without an id field): its member is found by the record's link. */
  leavingIds: (string | null)[];
  /** The largest modification stamp on the page (what the next incremental run asks "changed after"). */
  largestStamp: string | null;
};

/** One pulled page as import rows: values in the order of the imported columns, split by the flag field. */
export function pageRows(
  records: readonly Readonly<Record<string, string | null>>[],
  p: { columns: readonly { column: string }[]; flagField: string | null; stampField: string; idField: string | null; firstRow: number },
): PageRows {
  const staying: BatchRow[] = [];
  const stayingIds: (string | null)[] = [];
  const stayingStamps: (string | null)[] = [];
  const leaving: BatchRow[] = [];
  const leavingIds: (string | null)[] = [];
  let largestStamp: string | null = null;
  for (const record of records) {
    largestStamp = laterStamp(largestStamp, record[p.stampField] ?? null);
    const values = p.columns.map((c) => record[c.column] ?? '');
    if (p.flagField && !isFlagged(record[p.flagField])) {
      leaving.push({ row: 0, values });
      leavingIds.push(p.idField ? (record[p.idField] ?? null) : null);
    } else {
      staying.push({ row: p.firstRow + staying.length, values });
      stayingIds.push(p.idField ? (record[p.idField] ?? null) : null);
      stayingStamps.push(record[p.stampField] ?? null);
    }
  }
  return { staying, stayingIds, stayingStamps, leaving, leavingIds, largestStamp };
}
