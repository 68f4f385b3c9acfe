/**
 * Most-recent-wins for two-way fields: whether the CRM record counts as modified after the member. Salesforce
 * (`LastModifiedDate`) and Dataverse (`modifiedon`) stamp whole seconds, ours are milliseconds: compared as they are,
 * a record our own push wrote at 14:30:27.4 reads back as 14:30:27.000 and looks older than a member written at
 * 14:30:27.3, so the next push would flip a decision it already took. Both sides are compared at whole seconds, and a
 * tie goes to the CRM (the source of truth for what it holds): pushes and pulls then agree and a re-run is stable.
 * A record without a modification time never counts as newer.
 */
export function crmModifiedLater(recordModifiedAt: string | null, memberUpdatedAt: string): boolean {
  if (recordModifiedAt === null) return false;
  const crm = Date.parse(recordModifiedAt);
  const ours = Date.parse(memberUpdatedAt);
  if (Number.isNaN(crm)) return false;
  if (Number.isNaN(ours)) return true;
  return Math.floor(crm / 1000) >= Math.floor(ours / 1000);
}
