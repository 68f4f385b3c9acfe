import { z } from 'zod';

/**
 * What a change history entry is about. `export_settings` is written by the export mappings (issue 11) when they
 * arrive; the impact preview's `exportMappings` is their slot there.
 */
export const ChangeSubjectKind = z.enum(['integration', 'table_config', 'mapping_template', 'sync', 'export_settings', 'member_role', 'api_token', 'workspace_settings']);
export type ChangeSubjectKind = z.infer<typeof ChangeSubjectKind>;

/** Who made a change: a signed-in person, or a script through an API token. `label` as it was at the time. */
export const ChangeActor = z.object({
  kind: z.enum(['user', 'api_token']),
  id: z.string(),
  label: z.string(),
});
export type ChangeActor = z.infer<typeof ChangeActor>;

export const ChangeSubject = z.object({
  kind: ChangeSubjectKind,
  id: z.string(),
  /** How people recognise it: "Salesforce · Acme", "Contact", a sync's or token's name, a member's email. */
  label: z.string(),
  /** The integration it belongs to, so the integration's own history lists it. */
  connectionId: z.string().nullable().optional(),
});
export type ChangeSubject = z.infer<typeof ChangeSubject>;

/** A JSON value as stored in before/after (settings as the API shows them, never a secret). */
export type ChangeValue = null | boolean | number | string | ChangeValue[] | { [key: string]: ChangeValue };
export const ChangeValue: z.ZodType<ChangeValue> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(ChangeValue), z.record(z.string(), ChangeValue)]),
);

export const ChangeEntry = z.object({
  id: z.string(),
  at: z.string(),
  actor: ChangeActor,
  subject: ChangeSubject.extend({ connectionId: z.string().nullable() }),
  /** What was done: created, updated, disabled, enabled, access_removed, paused, resumed, revoked, invited, … */
  action: z.string(),
  before: ChangeValue.nullable(),
  after: ChangeValue.nullable(),
  /** before → after, one readable line per field (shared/history/changeDiff.ts). */
  changes: z.array(z.string()),
});
export type ChangeEntry = z.infer<typeof ChangeEntry>;

export const ChangeHistoryPage = z.object({
  entries: z.array(ChangeEntry),
  /** Pass back as `cursor` for older entries; null when there are none. */
  nextCursor: z.string().nullable(),
});
export type ChangeHistoryPage = z.infer<typeof ChangeHistoryPage>;

export const ChangeHistoryQuery = z.object({
  kind: ChangeSubjectKind.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ChangeHistoryQuery = z.infer<typeof ChangeHistoryQuery>;

/** An audience a change to an integration reaches: filled from that table by an import or a sync. */
export const ImpactedAudience = z.object({
  id: z.string(),
  name: z.string(),
  memberCount: z.number().int(),
  via: z.array(z.enum(['import', 'sync'])),
});
export type ImpactedAudience = z.infer<typeof ImpactedAudience>;

export const ImpactedSync = z.object({
  id: z.string(),
  name: z.string(),
  audienceId: z.string(),
  cycle: z.string(),
  paused: z.boolean(),
  /** Runs by itself (a cycle other than manual, not paused). */
  scheduled: z.boolean(),
});
export type ImpactedSync = z.infer<typeof ImpactedSync>;

/** An export mapping that sends this table's data back out (issue 11 fills these; none exist before it). */
export const ImpactedExportMapping = z.object({ id: z.string(), name: z.string() });
export type ImpactedExportMapping = z.infer<typeof ImpactedExportMapping>;

/** What happens to the values of an attribute that will no longer be imported. */
export const RemovedAttributeImpact = z.object({
  attribute: z.string(),
  /** The audience field its values were imported into, when a mapping says so. */
  fieldKey: z.string().nullable(),
  /** Members of the impacted audiences holding a value of that field; null when not counted (unknown field, or too many members to count now). */
  membersWithValue: z.number().int().nullable(),
});
export type RemovedAttributeImpact = z.infer<typeof RemovedAttributeImpact>;

/** The impact preview of a proposed change to an integration's table or a sync, before it is saved. */
export const ChangeImpact = z.object({
  subject: ChangeSubject.extend({ connectionId: z.string().nullable() }),
  object: z.string(),
  /** before → after of the proposed settings, in the history's words; empty when nothing would change. */
  changes: z.array(z.string()),
  attributesAdded: z.array(z.string()),
  attributesRemoved: z.array(RemovedAttributeImpact),
  audiences: z.array(ImpactedAudience),
  totalMembers: z.number().int(),
  syncs: z.array(ImpactedSync),
  exportMappings: z.array(ImpactedExportMapping),
  /** The whole preview in sentences (shared/history/impactSummary.ts). */
  summary: z.array(z.string()),
});
export type ChangeImpact = z.infer<typeof ChangeImpact>;
