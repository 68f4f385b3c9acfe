import { DomainError } from '../domainError.ts';
import { findAudience } from '../store/audiences.ts';
import { readPrivacyDefault } from '../store/workspaceSettings.ts';

/** Why a plain file import was refused under a workspace that requires privacy, in the words the API and the SPA show. */
export const PRIVACY_REQUIRED =
  'This workspace requires new audiences made from a file to be private (an admin set this in Workspace settings): import the file with privacy mode on, so its sensitive values are sealed in the browser, or into an audience that already has members.';

const DRY_RUN_REFUSED =
  'This workspace requires new audiences made from a file to be private, and a dry run sends the rows to the server as plain text: the browser checks a private import’s rows itself.';

/**
 * The workspace's "required" privacy default, where it bites: a file import that would create an audience, or
 * give an empty one its first members, without privacy mode. An audience that already has members keeps its mode
 * (made before the setting, or filled from a CRM), so importing into it is not refused here; CRM sources are never
 * private and are not refused either (the audience they fill is a CRM audience). Throws 422 `privacy_mode`.
 */
export async function assertFileImportMayBePlain(
  db: D1Database,
  workspaceId: string,
  start: { fromFile: boolean; audienceId: string | null; privateImport: boolean; dryRun?: boolean },
): Promise<void> {
  if (!start.fromFile || start.privateImport) return;
  if ((await readPrivacyDefault(db, workspaceId)) !== 'required') return;
  if (start.audienceId !== null) {
    const audience = await findAudience(db, workspaceId, start.audienceId);
    // A missing audience is the caller's 404 to give; one with members keeps its mode.
    if (!audience || audience.memberCount > 0) return;
  }
  throw new DomainError('privacy_mode', start.dryRun ? DRY_RUN_REFUSED : PRIVACY_REQUIRED, { audienceId: start.audienceId, privacyDefault: 'required' });
}
