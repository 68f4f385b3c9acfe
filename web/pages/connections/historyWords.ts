import type { ChangeEntry, ChangeSubjectKind } from '../../../shared/schema/history.ts';

/** What each kind of subject is called in the history. */
export const SUBJECT_KIND_LABELS: Record<ChangeSubjectKind, string> = {
  integration: 'Integration',
  table_config: 'Table and attributes',
  mapping_template: 'Mapping template',
  sync: 'Sync',
  export_settings: 'Export settings',
  member_role: 'Member',
  api_token: 'API token',
  workspace_settings: 'Workspace settings',
};

const ACTIONS: Record<string, string> = {
  connected: 'Connected',
  reconnected: 'Signed in again',
  disabled: 'Disabled',
  enabled: 'Enabled',
  access_removed: 'Access removed',
  created: 'Created',
  updated: 'Changed',
  paused: 'Paused',
  resumed: 'Resumed',
  revoked: 'Revoked',
  invited: 'Invited',
  invitation_cancelled: 'Invitation cancelled',
  role_changed: 'Role changed',
  removed: 'Removed',
  deleted: 'Deleted',
  made_key_contact: 'Made key contact',
};

/** "Changed" for `updated`; an action this SPA does not know yet is shown as it is, with spaces. */
export function actionWords(entry: Pick<ChangeEntry, 'action'>): string {
  return ACTIONS[entry.action] ?? entry.action.replaceAll('_', ' ');
}
