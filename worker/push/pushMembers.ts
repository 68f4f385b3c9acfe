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
import { fieldValueFilter } from '../store/memberSearch.ts';
import { audienceRef, isoOf } from '../store/members.ts';
import { sealedRefOf, type MemberValues } from '../store/packedColumns.ts';
import { MemberDecoder, type StoredMemberColumns } from '../store/storedMembers.ts';
import { memberKeyerFor } from './memberKeyer.ts';

/**
 * A scope as SQL over member_records: conditions and their parameters after ?1 workspace, ?2 audience, ?3 after id,
 * ?4 limit; with `holds`, SQL keeps candidates and the decoded values decide (a field filter: memberSearch.ts
 * fieldValueFilter).
 */
export type ScopeWhere = { conditions: string[]; params: (string | number)[]; holds?: (values: MemberValues) => boolean } | null;

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
      const filter = await fieldValueFilter(env.DB, workspaceId, { key: scope.field, value: normalized.ok ? normalized.value : scope.value }, 5);
      return filter && { conditions: [filter.condition], params: filter.params, holds: filter.holds };
    }
  }
}

const IN_SCOPE = (where: NonNullable<ScopeWhere>) =>
  `FROM member_records WHERE audience_ref = ${audienceRef('?1', '?2')} AND id > ?3 ${where.conditions.map((c) => `AND ${c}`).join(' ')}`;

// Candidates read per query when TypeScript must check them (a field filter).
const CHECK_PAGE = 2_000;

export async function countInScope(db: D1Database, workspaceId: string, audienceId: string, where: ScopeWhere): Promise<number> {
  if (!where) return 0;
  if (!where.holds) {
    // ?4 (a page's size) is bound too, so the scope's numbered parameters keep their places.
    const row = await db.prepare(`SELECT COUNT(*) AS n ${IN_SCOPE(where)} AND ?4 = 0`).bind(workspaceId, audienceId, 0, 0, ...where.params).first<{ n: number }>();
    return row?.n ?? 0;
  }
  const decoder = new MemberDecoder(db, workspaceId);
  let n = 0;
  for (let after = 0; ; ) {
    const { results } = await db
      .prepare(`SELECT id, identifier_key, attributes, '{}' AS hashes, '{}' AS sealed ${IN_SCOPE(where)} ORDER BY id LIMIT ?4`)
      .bind(workspaceId, audienceId, after, CHECK_PAGE, ...where.params)
      .all<StoredMemberColumns>();
    const values = await decoder.decode(results);
    for (const v of values) if (where.holds(v)) n++;
    const last = results.at(-1);
    if (!last || results.length < CHECK_PAGE) return n;
    after = last.id;
  }
}

type MemberRow = StoredMemberColumns & { updated_at: string };

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
  const decoder = new MemberDecoder(db, workspaceId);
  const sql = `SELECT id, identifier_key, attributes, hashes, sealed, ${isoOf('updated_at')} AS updated_at ${IN_SCOPE(where)} ORDER BY id LIMIT ?4`;
  // The first `limit` members of the scope after `afterId`: with a field filter, candidates TypeScript drops are
  // replaced by reading on, so callers page exactly as when SQL decided alone.
  const members: { row: MemberRow; values: MemberValues }[] = [];
  for (let after = afterId; members.length < limit; ) {
    const { results } = await db.prepare(sql).bind(workspaceId, audienceId, after, limit, ...where.params).all<MemberRow>();
    const values = await decoder.decode(results);
    for (let i = 0; i < results.length && members.length < limit; i++) {
      const v = values[i] as MemberValues;
      if (!where.holds || where.holds(v)) members.push({ row: results[i] as MemberRow, values: v });
    }
    const last = results.at(-1);
    if (!last || results.length < limit || !where.holds) break;
    after = last.id;
  }
  const summaries = await engagementSummaries(db, workspaceId, audienceId, members.map((m) => m.row.identifier_key));
  const toOpen = members.flatMap((m, i) =>
    sensitiveAllowed.flatMap((field) => {
      const at = sealedRefOf(m.values.sealed, field);
      return at ? [{ i, field, at }] : [];
    }),
  );
  // Both kinds (server-sealed and privacy mode's): a privacy-mode audience is pushed like any other.
  const opened =
    toOpen.length > 0
      ? await (await sealedOpenerFor(db, env.ENCRYPTION_KEY, workspaceId))(toOpen.map((o) => o.at)).catch((e: unknown) => {
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
    const identifierIsHash = Object.values(m.values.hashes).includes(m.row.identifier_key);
    return {
      memberId: m.row.id,
      id: String(m.row.id),
      key: m.row.identifier_key,
      label: identifierIsHash ? SENSITIVE_MASK : m.row.identifier_key,
      values: { ...m.values.attributes, ...openedValues[i] },
      sensitiveFields: Object.keys(m.values.hashes),
      updatedAt: m.row.updated_at,
      engagement: summaries.get(m.row.identifier_key) ?? null,
    };
  });
}
