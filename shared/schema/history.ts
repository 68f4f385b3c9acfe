import { z } from 'zod';

/**
 * What a change history entry is about. `export_settings` is written by the export mappings (issue 11) when they
 * arrive; the impact preview's `exportMappings` is their slot there.
 */
export const ChangeSubjectKind = z.enum(['integration', 'table_config', 'mapping_template', 'sync', 'export_settings', 'member_role', 'api_token']);
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
