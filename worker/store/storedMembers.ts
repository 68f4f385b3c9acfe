import { decodeMemberColumns, type MemberValues, type NamesByRef, type RefsByName, type StoredColumn } from './packedColumns.ts';
import { readFieldRefs } from './members.ts';

/**
 * A member's value columns as a SELECT on member_records gives them: JSON text (migration 0190) or a packed BLOB
 * (packedColumns.ts), side by side in one audience. SQL cannot read the packed form, so every reader selects the
 * columns as stored and decodes them here, in TypeScript.
 */
export type StoredMemberColumns = { id: number; identifier_key: string; attributes: StoredColumn; hashes: StoredColumn; sealed: StoredColumn };

type FieldMaps = { refs: RefsByName; names: NamesByRef };

// A workspace's kept numbers are one Map object across batches (members.ts fieldRefs): reversed once, not per batch.
const reversedRefs = new WeakMap<RefsByName, NamesByRef>();

function mapsOf(refs: RefsByName): FieldMaps {
  let names = reversedRefs.get(refs);
  if (!names) {
    names = new Map([...refs].map(([name, ref]) => [ref, name]));
    reversedRefs.set(refs, names);
  }
  return { refs, names };
}

/**
 * Decodes stored members for one workspace, for readers and writers alike: the field numbers (member_field_refs)
 * are those given (a writer's kept numbers, members.ts fieldRefs) or read on first use, and kept for the decoder's
 * life (a request, a stream, a batch). A number is never reused or renamed, so what was read stays right; a number
 * given after the read (an import writing while an export streams, another request numbering a new field) makes
 * the decoder read them again, once per call. A writer packs with `fieldRefs()` afterwards: the numbers its decode
 * ended on, which its transaction's guard (fieldRefsGuardStatement) then checks.
 */
export class MemberDecoder {
  private maps: Promise<FieldMaps> | null;

  constructor(
    private readonly db: D1Database,
    private readonly workspaceId: string,
    known?: RefsByName,
  ) {
    this.maps = known ? Promise.resolve(mapsOf(known)) : null;
  }

  private mapsNow(): Promise<FieldMaps> {
    this.maps ??= readFieldRefs(this.db, this.workspaceId).then(mapsOf);
    return this.maps;
  }

  /** Name → number as the last decode used them (read now if nothing was decoded yet). */
  async fieldRefs(): Promise<RefsByName> {
    return (await this.mapsNow()).refs;
  }

  /** Each row's values by field name, in order. A row that does not decode is an error naming the member. */
  async decode(rows: readonly StoredMemberColumns[]): Promise<MemberValues[]> {
    if (rows.length === 0) return [];
    let { names } = await this.mapsNow();
    let reread = false;
    const out: MemberValues[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as StoredMemberColumns;
      try {
        out[i] = decodeMemberColumns(row, names);
      } catch (e) {
        if (reread) throw unreadableRow(row, e);
        reread = true;
        this.maps = null;
        ({ names } = await this.mapsNow());
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
