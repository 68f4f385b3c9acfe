import type { ExportIdentifier, ExportSettings, FieldChange, PeopleExport, PushAction } from '../schema/crmExport.ts';
import { crmModifiedLater } from './crmModifiedLater.ts';
import type { EngagementSummary, TwoWayConflict } from '../schema/crmPush.ts';

/**
 * What a push does to one member's CRM record — pure, so the preview and the run decide alike. The rules, in order:
 *
 * 1. Matching: the record remembered for the member (crm_record_links) if the CRM still has it; else the
 *    identifiers in order — the first one that finds any record decides: exactly one is the match, more is a
 *    conflict ("several records match"), none goes on to the next identifier; no identifier finds one → create.
 * 2. Values, each source overriding the ones before for the same property: on create the identifiers, mapped fields (to_crm and two_way only;
 *    on create the member's value or the field's default), campaign metrics (members with a summary), engagement
 *    fields (engaged members only), export-time values, fixed fields, then the owner.
 * 3. On update a mapped field changes only when the member has a value (a push never blanks a CRM value), it differs,
 *    and overwrite is on or the CRM value is empty; a two-way field that differs goes to the side modified most
 *    recently (the member's updatedAt vs the record's modifiedAt) and is listed as a conflict with both values.
 * 4. Owner: the member's owner field (or the user who runs the push) through the user mapping, else the default
 *    owner — on create; on update only a mapped user replaces a different owner (the default never does).
 * 5. Sensitive fields are read only when allowed (ExportSettings.sensitiveAllowed); the caller passes opened values
 *    of allowed fields only, and hashes never (they are not values).
 * 6. Matched with no change: skip.
 */

/** A CRM record as read for matching and diffs (the CrmWriter's CrmRecordRef, without importing the Worker). */
export type RecordSnapshot = { id: string; modifiedAt: string | null; values: Record<string, string | null> };

export type PushMember = {
  id: string;
  /** members.identifier_key */
  key: string;
  /** Plain values by field key: non-sensitive attributes, plus opened values of sensitive fields allowed to be sent. */
  values: Record<string, string>;
  /** Field keys stored sensitive for this member (hashed and sealed). */
  sensitiveFields: readonly string[];
  updatedAt: string;
  engagement: EngagementSummary | null;
};

export type PlanSettings = Pick<ExportSettings, 'people' | 'owners' | 'sensitiveAllowed'> & {
  /** The CRM's owner property of the people object (OwnerId, ownerid). */
  ownerProperty: string;
};

export type PlanRun = { exportTimeValues: Record<string, string>; runnerEmail: string | null };

/** The records found for a member: the remembered one (null when none or gone), and per identifier (in order) what it found. */
export type MemberMatches = { remembered: RecordSnapshot | null; byIdentifier: readonly (readonly RecordSnapshot[])[] };

export type RecordPlan = {
  action: PushAction;
  recordId: string | null;
  changes: FieldChange[];
  conflicts: TwoWayConflict[];
  /** Why a record is in conflict, in plain words. */
  reason: string | null;
};

const present = (value: string | null | undefined): string | null => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
};

/** The member's value of a platform field as it may be sent: null when empty, or sensitive and not allowed. */
export function sendableValue(member: PushMember, field: string, sensitiveAllowed: readonly string[]): string | null {
  if (member.sensitiveFields.includes(field) && !sensitiveAllowed.includes(field)) return null;
  return present(member.values[field]);
}

/** The value an identifier matches by, or null when the member has none that may be sent. */
export function identifierValue(member: PushMember, identifier: ExportIdentifier, sensitiveAllowed: readonly string[]): string | null {
  return sendableValue(member, identifier.platformField, sensitiveAllowed);
}

/** Equality of identifier values as the CRMs compare them (SOQL = and OData eq on text ignore case). */
export const sameIdentifier = (a: string | null | undefined, b: string | null | undefined): boolean =>
  present(a)?.toLowerCase() === present(b)?.toLowerCase() && present(a) !== null;

type Match = { kind: 'none' } | { kind: 'one'; record: RecordSnapshot } | { kind: 'several'; property: string; count: number };

export function matchRecord(people: PeopleExport, matches: MemberMatches): Match {
  if (matches.remembered) return { kind: 'one', record: matches.remembered };
  for (const [i, identifier] of people.identifiers.entries()) {
    const found = matches.byIdentifier[i] ?? [];
    if (found.length === 1 && found[0]) return { kind: 'one', record: found[0] };
    if (found.length > 1) return { kind: 'several', property: identifier.crmProperty, count: found.length };
  }
  return { kind: 'none' };
}

/** The CRM user a member's records belong to, and whether it came from the mapping (not the default owner). */
export function ownerOf(member: PushMember, settings: PlanSettings, run: PlanRun): { id: string; mapped: boolean } | null {
  const { ownerField, users, defaultOwnerId } = settings.owners;
  const email = ownerField ? sendableValue(member, ownerField, settings.sensitiveAllowed) : run.runnerEmail;
  const mapped = email ? users.find((u) => u.platformUserEmail.toLowerCase() === email.toLowerCase()) : undefined;
  if (mapped) return { id: mapped.crmUserId, mapped: true };
  return defaultOwnerId ? { id: defaultOwnerId, mapped: false } : null;
}

/** Required export-time fields the user has not filled in. */
export function missingExportTimeValues(people: PeopleExport, exportTimeValues: Record<string, string>): string[] {
  return people.exportTime.filter((f) => f.required && !present(exportTimeValues[f.crmProperty])).map((f) => f.crmProperty);
}

/** Every CRM property a plan reads from a record (for the CRM queries). */
export function propertiesRead(settings: PlanSettings): string[] {
  const p = settings.people;
  return [
    ...new Set([
      ...p.identifiers.map((i) => i.crmProperty),
      ...p.fields.filter((f) => f.direction !== 'from_crm').map((f) => f.crmProperty),
      ...p.fixed.map((f) => f.crmProperty),
      ...p.exportTime.map((f) => f.crmProperty),
      ...p.engagement.map((f) => f.crmProperty),
      ...Object.values(p.campaign),
      settings.ownerProperty,
    ]),
  ];
}

/** The values a push wants the record to hold, source by source (rule 2), before comparing with the CRM. */
function wanted(member: PushMember, settings: PlanSettings, run: PlanRun, creating: boolean): Map<string, string> {
  const p = settings.people;
  const out = new Map<string, string>();
  for (const [metric, property] of Object.entries(p.campaign)) {
    const value = member.engagement?.metrics[metric as keyof EngagementSummary['metrics']];
    if (property && value !== undefined) out.set(property, value);
  }
  if (member.engagement?.engaged) for (const f of p.engagement) out.set(f.crmProperty, f.value);
  for (const f of p.exportTime) {
    const value = present(run.exportTimeValues[f.crmProperty]);
    if (value !== null) out.set(f.crmProperty, value);
  }
  for (const f of p.fixed) out.set(f.crmProperty, f.value);
  const owner = ownerOf(member, settings, run);
  if (owner && (creating || owner.mapped)) out.set(settings.ownerProperty, owner.id);
  return out;
}

export function planRecord(member: PushMember, settings: PlanSettings, run: PlanRun, matches: MemberMatches): RecordPlan {
  const match = matchRecord(settings.people, matches);
  if (match.kind === 'several') {
    return {
      action: 'conflict',
      recordId: null,
      changes: [],
      conflicts: [],
      reason: `Several CRM records match (${match.count} with the same ${match.property}); nothing was written. Merge them in the CRM, then push again.`,
    };
  }
  const mappedFields = settings.people.fields.filter((f) => f.direction !== 'from_crm');
  if (match.kind === 'none') {
    const values = new Map<string, string>();
    // Created with the values it was looked for by (what checkExportSettings counts on for required fields), so the
    // next push — or the retry of a write whose answer was lost — finds it instead of creating it again.
    for (const identifier of settings.people.identifiers) {
      const value = identifierValue(member, identifier, settings.sensitiveAllowed);
      if (value !== null) values.set(identifier.crmProperty, value);
    }
    for (const f of mappedFields) {
      const value = sendableValue(member, f.platformField, settings.sensitiveAllowed) ?? present(f.defaultOnCreate);
      if (value !== null) values.set(f.crmProperty, value);
    }
    for (const [property, value] of wanted(member, settings, run, true)) values.set(property, value);
    const changes = [...values].map(([crmProperty, newValue]) => ({ crmProperty, crmValue: null, newValue }));
    return { action: 'create', recordId: null, changes, conflicts: [], reason: null };
  }

  const record = match.record;
  const crmValue = (property: string) => present(record.values[property]);
  const target = new Map<string, string>();
  const conflicts: TwoWayConflict[] = [];
  for (const f of mappedFields) {
    const ours = sendableValue(member, f.platformField, settings.sensitiveAllowed);
    const theirs = crmValue(f.crmProperty);
    if (ours === null || ours === theirs) continue;
    if (theirs !== null && !f.overwrite) continue;
    if (f.direction === 'two_way' && theirs !== null) {
      const crmNewer = crmModifiedLater(record.modifiedAt, member.updatedAt);
      conflicts.push({
        crmProperty: f.crmProperty,
        ourValue: ours,
        ourModifiedAt: member.updatedAt,
        crmValue: theirs,
        crmModifiedAt: record.modifiedAt,
        winner: crmNewer ? 'crm' : 'ours',
      });
      if (crmNewer) continue;
    }
    target.set(f.crmProperty, ours);
  }
  for (const [property, value] of wanted(member, settings, run, false)) target.set(property, value);
  const changes = [...target]
    .filter(([property, value]) => crmValue(property) !== value)
    .map(([crmProperty, newValue]) => ({ crmProperty, crmValue: crmValue(crmProperty), newValue }));
  return { action: changes.length > 0 ? 'update' : 'skip', recordId: record.id, changes, conflicts, reason: null };
}
