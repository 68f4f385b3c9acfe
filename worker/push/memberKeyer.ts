import { normalizeValue } from '../../shared/normalize/normalizeValue.ts';
import { ImportPlan } from '../../shared/schema/importPlan.ts';
import { keyedHasherFor } from '../crypto/keyedHash.ts';
import { ensureKeyedMembers } from '../crypto/keyedHashMigration.ts';
import { identifierKey, keyedIdentifierHash, type SensitiveKeyOf } from '../imports/identifierKey.ts';
import { audienceIdentifier } from '../store/memberSearch.ts';
import { parseStoredJson } from '../store/storedJson.ts';

/**
 * A member identifier as someone else typed it → the audience's members.identifier_key, or null when it cannot be
 * one. `sensitive`: the identifier is stored as its keyed hash.
 */
export type MemberKeyer = ((typed: string) => string | null) & { sensitive: boolean };

/**
 * The key an identifier has in this audience, made exactly as an import makes it: normalised with the type and
 * default country of the audience's newest import, then identifierKey (the keyed hash for a sensitive identifier —
 * stored values are never decrypted to find a member). Null: the audience has no import yet, nothing can match.
 */
export async function memberKeyerFor(db: D1Database, hashKey: string | undefined, workspaceId: string, audienceId: string): Promise<MemberKeyer | null> {
  const row = await audienceIdentifier(db, workspaceId, audienceId);
  if (!row) return null;
  const plan = parseStoredJson(ImportPlan, row.plan, `imports.plan of audience ${audienceId}`);
  const column = plan.columns[plan.identifierIndex];
  if (!column) return null;
  let hashed: SensitiveKeyOf = () => '';
  if (column.sensitive) {
    const hasher = await keyedHasherFor(hashKey);
    // Keys stored before keyed hashes would not match the typed value's keyed hash.
    await ensureKeyedMembers(db, hasher);
    hashed = keyedIdentifierHash(hasher);
  }
  const keyOf = (typed: string) => {
    const normalized = normalizeValue(column.type, typed, plan.defaultCountry);
    return normalized.ok ? identifierKey(column, normalized.value, hashed) : null;
  };
  return Object.assign(keyOf, { sensitive: column.sensitive });
}
