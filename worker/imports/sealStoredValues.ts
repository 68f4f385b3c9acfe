import type { FieldType } from '../../shared/schema/fields.ts';
import type { BatchSealer } from '../crypto/batchSealer.ts';
import type { KeyedHasher } from '../crypto/keyedHash.ts';
import { sensitiveKeys } from '../crypto/sensitiveKey.ts';
import { addMembersStatement } from '../store/audiences.ts';
import {
  type DecodedMember,
  deleteMembersStatement,
  fieldRefs,
  membersByKeys,
  membersWithPlainValues,
  rewriteMembersStatements,
  type MemberRewrite,
  writtenFieldNames,
} from '../store/members.ts';
import { envelopePlaintext, mergeMemberValues, type MemberValues } from '../store/packedColumns.ts';
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

/** Two members found to be one person: the more recently written one's values win, the other fills gaps. */
function merge(a: DecodedMember, b: DecodedMember): MemberValues {
  const [older, newer] = a.updatedAt <= b.updatedAt ? [a, b] : [b, a];
  return mergeMemberValues(older.values, newer.values);
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
      const read = await membersWithPlainValues(s.db, s.workspaceId, s.audienceId, fieldKeys, after, PAGE);
      if (read.nextAfter === null) break;
      after = read.nextAfter;
      const page = read.members;
      if (page.length === 0) continue;

      // One envelope per member for the values it seals now, put first (a value sealed before under the same field
      // is shadowed by it and dropped on merge).
      const plaintexts: Uint8Array[] = [];
      const toHash: { type: FieldType; normalized: string }[] = [];
      const sealedFields = new Map<number, string[]>();
      for (const m of page) {
        const fields: string[] = [];
        const values: string[] = [];
        for (const [field, type] of s.fields) {
          const value = m.values.attributes[field];
          if (value === undefined) continue;
          fields.push(field);
          values.push(value);
          toHash.push({ type, normalized: value });
        }
        sealedFields.set(m.id, fields);
        plaintexts.push(envelopePlaintext(values));
      }
      const [sealed, hashed] = await Promise.all([s.seal(plaintexts), sensitiveKeys(s.hasher, toHash)]);
      let nextHash = 0;
      const keys = new Map<number, string>();
      page.forEach((m, i) => {
        const fields = sealedFields.get(m.id) ?? [];
        const attributes = { ...m.values.attributes };
        const hashes: Record<string, string> = {};
        for (const field of fields) {
          const value = attributes[field] as string;
          if (field === s.identifierField && identifierType) keys.set(m.id, identifierKey({ type: identifierType, sensitive: true }, value, keyOf));
          hashes[field] = hashed[nextHash++] ?? '';
          delete attributes[field];
        }
        m.values = mergeMemberValues({ ...m.values, attributes }, { attributes: {}, hashes, sealed: [{ kind: 'server', fields, bytes: sealed[i] as Uint8Array }] });
      });

      // Members whose new key is taken — by a member already keyed by hash, or by another of this page.
      const taken = new Map((await membersByKeys(s.db, s.workspaceId, s.audienceId, [...new Set(keys.values())])).map((r) => [r.key, r]));
      const rewrites = new Map<number, MemberRewrite>();
      const deleted: number[] = [];
      for (const m of page) {
        const key = keys.get(m.id) ?? m.key;
        const holder = taken.get(key);
        if (holder && holder.id !== m.id) {
          holder.values = merge(holder, m);
          rewrites.set(holder.id, { id: holder.id, updatedAt: holder.updatedAt, key, values: holder.values });
          deleted.push(m.id);
          continue;
        }
        taken.set(key, m);
        rewrites.set(m.id, { id: m.id, updatedAt: m.updatedAt, key, values: m.values });
      }
      // Deleting first frees the keys of the merged members for the rewrites.
      // Read, not kept: these statements carry no fieldRefsGuardStatement (their change counts are what is counted).
      const refs = await fieldRefs(s.db, s.workspaceId, writtenFieldNames([...rewrites.values()].map((r) => r.values)), { fresh: true });
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
