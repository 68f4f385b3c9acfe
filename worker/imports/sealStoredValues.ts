import type { FieldType } from '../../shared/schema/fields.ts';
import type { BatchSealer } from '../crypto/batchSealer.ts';
import type { KeyedHasher } from '../crypto/keyedHash.ts';
import { sensitiveKeys } from '../crypto/sensitiveKey.ts';
import { addMembersStatement } from '../store/audiences.ts';
import {
  deleteMembersStatement,
  fieldRefs,
  membersByKeys,
  membersWithPlainValues,
  rewriteMembersStatements,
  type MemberRewrite,
  type PlainMemberRow,
  writtenFieldNames,
} from '../store/members.ts';
import { identifierKey, keyedIdentifierHash } from './identifierKey.ts';

/** Members read, sealed and written per round: one D1 batch each, well under D1's statement and value limits. */
const PAGE = 500;
/** Rounds over the audience when other requests keep writing members this one read: then the next import retries. */
const MAX_PASSES = 3;

type Sealing = {
  db: D1Database;
  seal: BatchSealer;
  /** Keys hashes and identifiers the way batches do (ensureKeyedMembers has run: no unkeyed row is left). */
  hasher: KeyedHasher;
  workspaceId: string;
  audienceId: string;
  /** The audience's sensitive fields, with their types. */
  fields: ReadonlyMap<string, FieldType>;
  identifierField: string;
  now: string;
};

type Parsed = { row: PlainMemberRow; attributes: Record<string, string>; hashes: Record<string, string>; sealed: Record<string, string> };

const parse = (row: PlainMemberRow): Parsed => ({
  row,
  attributes: JSON.parse(row.attributes) as Record<string, string>,
  hashes: JSON.parse(row.hashes) as Record<string, string>,
  sealed: JSON.parse(row.sealed) as Record<string, string>,
});

/** Two members found to be one person: the more recently written one's values win, the other fills gaps. */
function merge(a: Parsed, b: Parsed): Pick<Parsed, 'attributes' | 'hashes' | 'sealed'> {
  const [older, newer] = a.row.updated_at <= b.row.updated_at ? [a, b] : [b, a];
  return {
    attributes: { ...older.attributes, ...newer.attributes },
    hashes: { ...older.hashes, ...newer.hashes },
    sealed: { ...older.sealed, ...newer.sealed },
  };
}

/**
 * Seals and hashes in place the plain values an audience still holds of fields that are sensitive now (a field
 * marked sensitive by a later import, or values left plain before sensitivity belonged to the audience), so no
 * plain text is left behind. When the identifier is one of them, members are re-keyed by its hash the way
 * identifierKey keys new rows, and a member whose new key is already taken (the same person imported once with a
 * sensitive and once with a plain identifier) is merged into that one: never two members for one person.
 * Returns false when other writes kept getting in the way and some values are still plain.
 */
export async function sealStoredValues(s: Sealing): Promise<boolean> {
  const fieldKeys = [...s.fields.keys()];
  const identifierType = s.fields.get(s.identifierField);
  const keyOf = keyedIdentifierHash(s.hasher);
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let after = 0;
    let complete = true;
    for (;;) {
      const page = (await membersWithPlainValues(s.db, s.workspaceId, s.audienceId, fieldKeys, after, PAGE)).map(parse);
      const last = page.at(-1);
      if (!last) break;
      after = last.row.id;

      const plaintexts: string[] = [];
      const toHash: { type: FieldType; normalized: string }[] = [];
      for (const m of page) {
        for (const [field, type] of s.fields) {
          const value = m.attributes[field];
          if (value === undefined) continue;
          plaintexts.push(value);
          toHash.push({ type, normalized: value });
        }
      }
      const [sealed, hashed] = await Promise.all([s.seal(plaintexts), sensitiveKeys(s.hasher, toHash)]);
      let next = 0;
      const keys = new Map<number, string>();
      for (const m of page) {
        for (const field of s.fields.keys()) {
          const value = m.attributes[field];
          if (value === undefined) continue;
          if (field === s.identifierField && identifierType) keys.set(m.row.id, identifierKey({ type: identifierType, sensitive: true }, value, keyOf));
          m.hashes[field] = hashed[next] ?? '';
          m.sealed[field] = sealed[next] ?? '';
          next++;
          delete m.attributes[field];
        }
      }

      // Members whose new key is taken — by a member already keyed by hash, or by another of this page.
      const taken = new Map((await membersByKeys(s.db, s.workspaceId, s.audienceId, [...new Set(keys.values())])).map((r) => [r.identifier_key, parse(r)]));
      const rewrites = new Map<number, MemberRewrite>();
      const deleted: number[] = [];
      for (const m of page) {
        const key = keys.get(m.row.id) ?? m.row.identifier_key;
        const holder = taken.get(key);
        if (holder && holder.row.id !== m.row.id) {
          const merged = merge(holder, m);
          Object.assign(holder, merged);
          rewrites.set(holder.row.id, { id: holder.row.id, updatedAt: holder.row.updated_at, key, ...merged });
          deleted.push(m.row.id);
          continue;
        }
        taken.set(key, m);
        rewrites.set(m.row.id, { id: m.row.id, updatedAt: m.row.updated_at, key, attributes: m.attributes, hashes: m.hashes, sealed: m.sealed });
      }
      // Deleting first frees the keys of the merged members for the rewrites.
      // Read, not kept: these statements carry no fieldRefsGuardStatement (their change counts are what is counted).
      const refs = await fieldRefs(s.db, s.workspaceId, writtenFieldNames([...rewrites.values()]), { fresh: true });
      const statements = [
        ...(deleted.length ? [deleteMembersStatement(s.db, s.workspaceId, s.audienceId, deleted), addMembersStatement(s.db, s.workspaceId, s.audienceId, -deleted.length, s.now)] : []),
        ...rewriteMembersStatements(s.db, s.workspaceId, s.audienceId, [...rewrites.values()], refs),
      ];
      const results = await s.db.batch(statements);
      const written = results.slice(deleted.length ? 2 : 0).reduce((n, r) => n + (r.meta.changes ?? 0), 0);
      if (written < rewrites.size) complete = false;
    }
    if (complete) return true;
  }
  return false;
}
