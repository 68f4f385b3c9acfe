import { z } from 'zod';
import { BatchBody, BatchRow, ImportSource, ImportSummary, MAX_BATCH_ROWS, RowErrorCode } from './imports.ts';
import { ImportMapping } from './mapping.ts';
import { FieldType } from './fields.ts';
import { WellFormedText } from './text.ts';

export const Audience = z.object({
  id: z.string(),
  name: z.string(),
  memberCount: z.number().int(),
  /** Privacy mode: sensitive values arrive sealed from the tab (README "Privacy mode"); no CRM import or sync into it. */
  privacyMode: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Audience = z.infer<typeof Audience>;

export const CreateAudienceBody = z.object({
  name: WellFormedText.trim().min(1, 'an audience needs a name').max(200),
  /** Create it in privacy mode; on PATCH, switch the mode (only while the audience is empty). */
  privacyMode: z.boolean().optional(),
});
export type CreateAudienceBody = z.infer<typeof CreateAudienceBody>;

/** A member as the API shows it: sensitive fields are never returned in clear, only masked. */
export const Member = z.object({
  id: z.string(),
  identifier: z.string(),
  attributes: z.record(z.string(), z.string()),
  /** Field keys whose values are stored only hashed + encrypted; shown as a mask. */
  sensitive: z.record(z.string(), z.string()),
  updatedAt: z.string(),
});
export type Member = z.infer<typeof Member>;

export const MemberPage = z.object({
  members: z.array(Member),
  nextCursor: z.string().nullable(),
  /** Members in the audience (not only those matching a search). */
  total: z.number().int(),
  /** True when the page is narrowed by a search or filter. */
  filtered: z.boolean().optional(),
  /** The field the identifier comes from (as the newest import mapped it): shown once, as the identifier. */
  identifierField: z.string().nullable().optional(),
  /**
   * How a typed identifier is read (the newest import's identifier column): its type and default country, whether
   * it is sensitive, and whether the search must send `identifierDigest` instead of the value (a sensitive
   * identifier of a private audience: the server never sees it). Null before the first import.
   */
  identifierSearch: z
    .object({ type: FieldType, defaultCountry: z.string(), sensitive: z.boolean(), byDigest: z.boolean() })
    .nullable()
    .optional(),
});
export type MemberPage = z.infer<typeof MemberPage>;

export const RenameAudienceBody = CreateAudienceBody;
export type RenameAudienceBody = z.infer<typeof RenameAudienceBody>;

/** What DELETE /api/audiences/:id removed. */
export const DeletedAudience = z.object({ id: z.string(), members: z.number().int(), imports: z.number().int() });
export type DeletedAudience = z.infer<typeof DeletedAudience>;

/** An undo as the history records it. */
export const ImportUndo = z.object({
  undoneAt: z.string(),
  /** Members the import had added, removed again. */
  removed: z.number().int(),
  /** Members it had changed, given their previous values back. */
  restored: z.number().int(),
});
export type ImportUndo = z.infer<typeof ImportUndo>;

/**
 * One line of an audience's import history: the import as summarised by the imports API, plus what only the
 * history knows. `state`: `running`/`interrupted` are both open imports — interrupted when no batch arrived for a
 * while (the same file chosen again resumes it); `undone` once undone.
 */
export const ImportHistoryEntry = z.object({
  import: ImportSummary,
  state: z.enum(['running', 'interrupted', 'completed', 'undone']),
  undo: ImportUndo.nullable(),
  /** False for imports written before undo existed (their previous values were not kept). */
  undoable: z.boolean(),
  /** Row errors kept for the report. */
  errorCount: z.number().int(),
});
export type ImportHistoryEntry = z.infer<typeof ImportHistoryEntry>;

export const UndoImportBody = z.object({
  /** Also undo, newest first and in the same transaction, the later imports that changed the same members. */
  chain: z.boolean().default(false),
});
export type UndoImportBody = z.infer<typeof UndoImportBody>;

/** A later import that blocks an undo: answered in `details.laterImports` of a 409 `conflict`. */
export const LaterImport = z.object({ id: z.string(), source: ImportSource, createdAt: z.string() });
export type LaterImport = z.infer<typeof LaterImport>;

export const UndoResult = z.object({
  /** Every import undone by this request, in the order undone (the asked one last). */
  undone: z.array(z.object({ importId: z.string() }).extend(ImportUndo.shape)),
  audience: Audience,
});
export type UndoResult = z.infer<typeof UndoResult>;

/** Search and filters of the member list; each is optional and they combine with AND. */
export const MemberFilters = z.object({
  /** An identifier as typed: normalised (and hashed when the identifier is sensitive) like an imported one. */
  identifier: z.string().trim().min(1).max(10_000).optional(),
  /**
   * A private audience's sensitive identifier, as the tab sends it instead: the SHA-256 hex of the typed value's
   * Customer Match form (shared/privacy identifierDigest, the `h` sealing gives it); the Worker keys it as on ingest.
   */
  identifierDigest: z.string().regex(/^[0-9a-f]{64}$/, 'the lowercase SHA-256 hex of the identifier (identifierDigest)').optional(),
  /** A non-sensitive field equal to `value` (after trimming; emails compare lowercased). */
  field: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'not a field key').optional(),
  value: z.string().max(10_000).optional(),
});
export type MemberFilters = z.infer<typeof MemberFilters>;

export const DryRunCounts = z.object({
  received: z.number().int(),
  /** Would become new members. */
  inserted: z.number().int(),
  /** Would change existing members. */
  updated: z.number().int(),
  /** Rows that repeat an identifier of the same file: merged into one member. */
  merged: z.number().int(),
  rejected: z.number().int(),
  skipped: z.number().int(),
});
export type DryRunCounts = z.infer<typeof DryRunCounts>;

/** Like StartImportBody without consent (nothing is stored); no audienceId means against a new, empty audience. */
export const StartDryRunBody = z.object({
  audienceId: z.string().optional(),
  source: ImportSource,
  mapping: ImportMapping,
  defaultCountry: z.string().regex(/^[A-Z]{2}$/).default('US'),
});
export type StartDryRunBody = z.infer<typeof StartDryRunBody>;

export const DryRun = z.object({
  id: z.string(),
  audienceId: z.string().nullable(),
  nextSeq: z.number().int(),
  counts: DryRunCounts,
  /** Rows rejected per reason (a row with two bad cells counts under both). */
  rejectedBy: z.partialRecord(RowErrorCode, z.number().int()),
});
export type DryRun = z.infer<typeof DryRun>;

// Plain rows only: a dry run sends values as the file holds them, so a privacy-mode import has none (README).
export const DryRunBatchBody = BatchBody.omit({ idempotencyKey: true, sealing: true }).extend({ rows: z.array(BatchRow).min(1).max(MAX_BATCH_ROWS) });
export type DryRunBatchBody = z.infer<typeof DryRunBatchBody>;
