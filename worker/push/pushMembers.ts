import { z } from 'zod';
import type { PushMember } from '../../shared/crmExport/planPush.ts';
import type { PushScope } from '../../shared/schema/crmExport.ts';
import { SENSITIVE_MASK } from '../../shared/fields/sensitiveMask.ts';
import { normalizeValue } from '../../shared/normalize/normalizeValue.ts';
import { SealedValueError } from '../../shared/privacy/openSealedValues.ts';
import { unreadableValue } from '../audiences/exportColumns.ts';
import { DomainError } from '../domainError.ts';
import { identifierByDigest } from '../privacy/audienceMode.ts';
import { sealedOpenerFor } from '../privacy/sealedOpener.ts';
import { getAudience } from '../store/audiences.ts';
import { engagementSummaries } from '../store/engagement.ts';
import { listFields } from '../store/fields.ts';
import { parseStoredJson } from '../store/storedJson.ts';
import { memberKeyerFor } from './memberKeyer.ts';

const ValuesByField = z.record(z.string(), z.string());

/** A scope as SQL over members: conditions and their parameters after ?1 workspace, ?2 audience, ?3 after id, ?4 limit. */
export type ScopeWhere = { conditions: string[]; params: (string | number)[] } | null;

/**
 * The scope's members as a condition, resolved once per push: a typed identifier becomes the stored key exactly as
 * the member search makes it; a field filter compares the stored (normalised) value. Null: nothing can match.
 */
export async function scopeWhere(env: Env, workspaceId: string, audienceId: string, scope: PushScope): Promise<ScopeWhere> {
  switch (scope.kind) {
    case 'audience':
      return { conditions: [], params: [] };
    case 'member':
      return { conditions: ['id = ?5'], params: [scope.memberId] };
    case 'selection': {
      const keyer = await memberKeyerFor(env.DB, env.HASH_KEY, workspaceId, audienceId);
      // As the member search: the identifier of a private audience never reaches the server as typed.
      if (keyer && identifierByDigest(await getAudience(env.DB, workspaceId, audienceId), keyer)) {
        throw new DomainError(
          'privacy_mode',
          'This audience is private and its identifier is sensitive: the server never sees it as typed. Find the member with identifierDigest (GET …/members) and push it by id (scope kind "member").',
          { audienceId },
        );
      }
      const key = keyer?.(scope.search) ?? null;
      return key === null ? null : { conditions: ['identifier_key = ?5'], params: [key] };
    }
    case 'filter': {
      const type = (await listFields(env.DB, workspaceId)).find((f) => f.key === scope.field)?.type ?? 'text';
      const normalized = normalizeValue(type, scope.value, 'US');
      return { conditions: ['json_extract(attributes, ?5) = ?6'], params: [`$."${scope.field}"`, normalized.ok ? normalized.value : scope.value] };
    }
  }
}

export async function countInScope(db: D1Database, workspaceId: string, audienceId: string, where: ScopeWhere): Promise<number> {
  if (!where) return 0;
  // ?3 and ?4 (a page's start and size) are bound too, so the scope's numbered parameters keep their places.
  const sql = `SELECT COUNT(*) AS n FROM members WHERE workspace_id = ?1 AND audience_id = ?2 AND id > ?3 AND ?4 = 0
    ${where.conditions.map((c) => `AND ${c}`).join(' ')}`;
  const row = await db.prepare(sql).bind(workspaceId, audienceId, 0, 0, ...where.params).first<{ n: number }>();
  return row?.n ?? 0;
}

type MemberRow = { id: number; identifier_key: string; attributes: string; hashes: string; sealed: string; updated_at: string };

export type ScopedMember = PushMember & { memberId: number; label: string };

/**
 * The next members of the scope by ascending id, as the push plans them: plain attributes, the opened values of the
 * sensitive fields an admin allowed to be sent (and only those: nothing else is decrypted), never a hash.
 */
export async function nextMembers(
  env: Env,
  workspaceId: string,
  audienceId: string,
  where: ScopeWhere,
  afterId: number,
  limit: number,
  sensitiveAllowed: readonly string[],
): Promise<ScopedMember[]> {
  if (!where) return [];
  const db = env.DB;
  const sql = `SELECT id, identifier_key, attributes, hashes, sealed, updated_at FROM members
    WHERE workspace_id = ?1 AND audience_id = ?2 AND id > ?3 ${where.conditions.map((c) => `AND ${c}`).join(' ')} ORDER BY id LIMIT ?4`;
  const { results } = await db.prepare(sql).bind(workspaceId, audienceId, afterId, limit, ...where.params).all<MemberRow>();
  const summaries = await engagementSummaries(db, workspaceId, audienceId, results.map((r) => r.identifier_key));
  const members = results.map((r) => {
    const hashes = parseStoredJson(ValuesByField, r.hashes, `members.hashes of ${r.id}`);
    return {
      row: r,
      hashes,
      sealed: parseStoredJson(ValuesByField, r.sealed, `members.sealed of ${r.id}`),
      attributes: parseStoredJson(ValuesByField, r.attributes, `members.attributes of ${r.id}`),
    };
  });
  const toOpen = members.flatMap((m, i) => sensitiveAllowed.flatMap((field) => (m.sealed[field] ? [{ i, field, sealed: m.sealed[field] }] : [])));
  // Both stored forms (server-sealed and privacy mode's pk1.): a privacy-mode audience is pushed like any other.
  const opened =
    toOpen.length > 0
      ? await (await sealedOpenerFor(db, env.ENCRYPTION_KEY, workspaceId))(toOpen.map((o) => o.sealed)).catch((e: unknown) => {
          if (!(e instanceof SealedValueError)) throw e;
          const place = toOpen[e.index];
          throw unreadableValue(place ? members[place.i]?.row.id : undefined, place?.field ?? '?', e.reason);
        })
      : [];
  const openedValues = members.map(() => ({}) as Record<string, string>);
  toOpen.forEach((o, n) => {
    const target = openedValues[o.i];
    const value = opened[n];
    if (target && value !== undefined) target[o.field] = value;
  });
  return members.map((m, i) => {
    const identifierIsHash = Object.values(m.hashes).includes(m.row.identifier_key);
    return {
      memberId: m.row.id,
      id: String(m.row.id),
      key: m.row.identifier_key,
      label: identifierIsHash ? SENSITIVE_MASK : m.row.identifier_key,
      values: { ...m.attributes, ...openedValues[i] },
      sensitiveFields: Object.keys(m.hashes),
      updatedAt: m.row.updated_at,
      engagement: summaries.get(m.row.identifier_key) ?? null,
    };
  });
}
