import type { ExportFieldMapping } from '../schema/crmExport.ts';
import { crmModifiedLater } from './crmModifiedLater.ts';

/** A pulled column whose field the export settings also write back: which way it goes. */
export type DirectedColumn = { index: number; direction: 'to_crm' | 'two_way' };

/**
 * The pulled columns (sync mapping: CRM column → platform field) that a scheduled pull must not simply write: fields
 * the export settings send to the CRM only (`to_crm`) or both ways (`two_way`). Matched by platform field: the
 * direction belongs to the field, whichever CRM property carries it.
 */
export function directedColumns(columns: readonly { target: string | null }[], exportFields: readonly ExportFieldMapping[]): DirectedColumn[] {
  return columns.flatMap((c, index) => {
    const mapped = exportFields.find((f) => f.platformField === c.target);
    return mapped && mapped.direction !== 'from_crm' ? [{ index, direction: mapped.direction }] : [];
  });
}

/**
 * Which cells of one pulled record keep the member's value (the cell is left out, so the merge keeps what the member
 * has). A new member takes every pulled value; for an existing one a `to_crm` field is never overwritten, and a
 * `two_way` field only when the record was modified after the member (most recent wins, see crmModifiedLater; a record
 * without a modification time loses).
 */
export function cellsHeldBack(directed: readonly DirectedColumn[], memberUpdatedAt: string | null, recordModifiedAt: string | null): number[] {
  if (memberUpdatedAt === null) return [];
  const recordNewer = crmModifiedLater(recordModifiedAt, memberUpdatedAt);
  return directed.filter((d) => d.direction === 'to_crm' || !recordNewer).map((d) => d.index);
}
