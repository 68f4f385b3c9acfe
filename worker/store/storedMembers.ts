import { decodeMemberColumns, type MemberValues, type NamesByRef, type StoredColumn } from './packedColumns.ts';
import { fieldNamesByRef } from './members.ts';

/**
 * A member's value columns as a SELECT on member_records gives them: JSON text (migration 0190) or a packed BLOB
 * (packedColumns.ts), side by side in one audience. SQL cannot read the packed form, so every reader selects the
 * columns as stored and decodes them here, in TypeScript.
 */
export type StoredMemberColumns = { id: number; identifier_key: string; attributes: StoredColumn; hashes: StoredColumn; sealed: StoredColumn };

/**
 * Decodes stored members for one workspace: the field names (member_field_refs) are read once, on first use, and
 * kept for the decoder's life (a request or a stream). A number is never reused or renamed, so what was read stays
 * right; a number given after the read (an import writing while an export streams) makes the decoder read them
 * again, once per call.
 */
export class MemberDecoder {
  private names: Promise<NamesByRef> | null = null;

  constructor(
    private readonly db: D1Database,
    private readonly workspaceId: string,
  ) {}

  private namesNow(): Promise<NamesByRef> {
    this.names ??= fieldNamesByRef(this.db, this.workspaceId);
    return this.names;
  }

  /** Each row's values by field name, in order. A row that does not decode is an error naming the member. */
  async decode(rows: readonly StoredMemberColumns[]): Promise<MemberValues[]> {
    if (rows.length === 0) return [];
    let names = await this.namesNow();
    let reread = false;
    const out: MemberValues[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as StoredMemberColumns;
      try {
        out[i] = decodeMemberColumns(row, names);
      } catch (e) {
        if (reread) throw unreadableRow(row, e);
        reread = true;
        this.names = null;
        names = await this.namesNow();
        try {
          out[i] = decodeMemberColumns(row, names);
        } catch (again) {
          throw unreadableRow(row, again);
        }
      }
    }
    return out;
  }
}

function unreadableRow(row: StoredMemberColumns, e: unknown): Error {
  return new Error(`member_records row ${row.id} does not decode: ${e instanceof Error ? e.message : String(e)}`);
}
