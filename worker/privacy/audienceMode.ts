import { DomainError } from '../domainError.ts';

/** Why a CRM source can never feed a private audience, in the words the API and the SPA show. */
export const CRM_NOT_PRIVATE =
  'A CRM source cannot be private: the server pulls its records from the CRM itself, so their values pass through it in plain text. Import it into an audience that is not in privacy mode.';

/**
 * A private audience's sensitive identifier never reaches the server as typed: it is found by the tab's digest only
 * (member search, push scope; README "Privacy mode").
 */
export const identifierByDigest = (audience: { privacyMode: boolean }, column: { sensitive: boolean }): boolean => audience.privacyMode && column.sensitive;

type ModeRow = { privacy_mode: number; member_count: number; open_imports: number; syncs: number };

/**
 * The rule for changing an audience's privacy mode (README "Privacy mode"): only while it is empty — no member, no
 * open import (whose plan fixed the mode it writes in) — and never to private while a sync feeds it. Either
 * direction would otherwise make the mode say something false about values already stored: private values kept
 * beside server-seen ones, or a "private" label over values the server saw. Throws a 422 `privacy_mode` saying
 * why; answers whether the mode changes at all.
 */
export async function assertModeMayChange(db: D1Database, workspaceId: string, audienceId: string, to: boolean): Promise<boolean> {
  const row = await db
    .prepare(
      `SELECT a.privacy_mode, a.member_count,
         (SELECT COUNT(*) FROM imports AS i WHERE i.workspace_id = ?1 AND i.audience_id = ?2 AND i.status = 'open') AS open_imports,
         (SELECT COUNT(*) FROM syncs AS s WHERE s.workspace_id = ?1 AND s.audience_id = ?2) AS syncs
       FROM audiences AS a WHERE a.workspace_id = ?1 AND a.id = ?2`,
    )
    .bind(workspaceId, audienceId)
    .first<ModeRow>();
  if (!row) throw new DomainError('not_found', 'audience not found', { audienceId });
  if ((row.privacy_mode === 1) === to) return false;
  const now = to ? 'private' : 'not private';
  if (row.member_count > 0) {
    throw new DomainError(
      'privacy_mode',
      `This audience already holds ${row.member_count} member${row.member_count === 1 ? '' : 's'}: it can be made ${now} only while it is empty. Import into a new audience instead.`,
      { audienceId, privacyMode: row.privacy_mode === 1 },
    );
  }
  if (row.open_imports > 0) {
    throw new DomainError('privacy_mode', `An import into this audience is still open: finish it before making the audience ${now}.`, {
      audienceId,
      privacyMode: row.privacy_mode === 1,
    });
  }
  if (to && row.syncs > 0) throw new DomainError('privacy_mode', `This audience is kept in sync with a CRM. ${CRM_NOT_PRIVATE}`, { audienceId });
  return true;
}

export function setPrivacyModeStatement(db: D1Database, workspaceId: string, audienceId: string, privacyMode: boolean, now: string): D1PreparedStatement {
  return db
    .prepare('UPDATE audiences SET privacy_mode = ?, updated_at = ? WHERE workspace_id = ? AND id = ? AND member_count = 0')
    .bind(privacyMode ? 1 : 0, now, workspaceId, audienceId);
}

/** Whether the audience is in privacy mode (false for one that does not exist: callers look it up themselves). */
export async function isPrivateAudience(db: D1Database, workspaceId: string, audienceId: string): Promise<boolean> {
  const row = await db.prepare('SELECT privacy_mode FROM audiences WHERE workspace_id = ? AND id = ?').bind(workspaceId, audienceId).first<{ privacy_mode: number }>();
  return row?.privacy_mode === 1;
}
