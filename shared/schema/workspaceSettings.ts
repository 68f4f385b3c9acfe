import { z } from 'zod';

/**
 * Whether new audiences a file creates are private (README "Privacy mode", workspace default):
 * - `off`: they start in standard mode; the person importing may tick privacy mode;
 * - `on`: they start in privacy mode; the person importing may untick it;
 * - `required`: a file import can only create, or first fill, a private audience — the Worker refuses any other
 *   with 422 `privacy_mode`. Audiences that already have members keep their mode.
 * A CRM source is never private (the Worker pulls its records), whatever this says.
 */
export const PrivacyDefault = z.enum(['off', 'on', 'required']);
export type PrivacyDefault = z.infer<typeof PrivacyDefault>;

export const WorkspaceSettings = z.object({
  privacyDefault: PrivacyDefault,
  /** The last change: when and by whom (as the history names them); null while never changed. */
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
});
export type WorkspaceSettings = z.infer<typeof WorkspaceSettings>;

/** PUT /api/workspace/settings: the whole settings (one setting so far). */
export const EditWorkspaceSettingsBody = z.object({ privacyDefault: PrivacyDefault });
export type EditWorkspaceSettingsBody = z.infer<typeof EditWorkspaceSettingsBody>;

/** Whether a new file audience starts private under this default (the choice the save area pre-selects). */
export const privateByDefault = (value: PrivacyDefault): boolean => value !== 'off';
