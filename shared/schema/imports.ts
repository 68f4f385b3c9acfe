import { z } from 'zod';
import { MAX_BATCH_CELLS, MAX_BATCH_SENSITIVE_CELLS, MAX_COLUMNS, MAX_HEADER_LENGTH, maxBatchRows } from './limits.ts';
import { ImportMapping } from './mapping.ts';
import { BatchSealingHeader, PrivateCell } from './privacy.ts';
import { RowErrorCode } from './rowErrorCode.ts';
import { WellFormedText } from './text.ts';

// Defined in limits.ts (which privacy.ts can read without an import cycle), named here as it always was.
export { MAX_CELL_LENGTH } from './limits.ts';
/** Rows per batch the SPA sends; the Worker accepts up to MAX_BATCH_ROWS. */
export const DEFAULT_BATCH_ROWS = 2_000;
export const MAX_BATCH_ROWS = 5_000;

export const CsvSource = z.object({
  kind: z.literal('csv'),
  fileName: WellFormedText.max(500),
  headers: z.array(WellFormedText.max(MAX_HEADER_LENGTH)).min(1).max(MAX_COLUMNS),
  encoding: z.string().max(40).optional(),
  delimiter: z.string().max(4).optional(),
});
export const CrmSource = z.object({
  kind: z.enum(['salesforce', 'dynamics']),
  connectionId: z.string(),
  object: z.string().max(200),
  headers: z.array(WellFormedText.max(MAX_HEADER_LENGTH)).min(1).max(MAX_COLUMNS),
});
export const ImportSource = z.discriminatedUnion('kind', [CsvSource, CrmSource]);
export type ImportSource = z.infer<typeof ImportSource>;

export const Consent = z.object({
  /** The user confirmed that every contact in the list gave double opt-in consent. */
  doubleOptIn: z.literal(true, { error: 'double opt-in must be confirmed for the entire list before importing' }),
});
export type Consent = z.infer<typeof Consent>;

export const StartImportBody = z
  .object({
    /** An existing audience, or a name to create a new one. Exactly one of the two. */
    audienceId: z.string().optional(),
    audienceName: WellFormedText.trim().min(1).max(200).optional(),
    source: ImportSource,
    mapping: ImportMapping,
    consent: Consent,
    /** ISO 3166-1 alpha-2 country assumed for phone numbers without an international prefix. */
    defaultCountry: z.string().regex(/^[A-Z]{2}$/).default('US'),
    batchSize: z.number().int().min(1).max(MAX_BATCH_ROWS).default(DEFAULT_BATCH_ROWS),
    /** Rows the client will send, when known; lets progress be shown to anyone looking at the import. */
    expectedRows: z.number().int().min(0).optional(),
    /**
     * Privacy mode (shared/schema/privacy.ts): for a new audience, whether it is private; for an existing one, the
     * mode it must have (changed only while it is empty, see README "Privacy mode"). Absent: a new audience is not
     * private, an existing one keeps its mode. A CRM source into a private audience is refused.
     */
    privacyMode: z.boolean().optional(),
  })
  .refine((b) => (b.audienceId ? 1 : 0) + (b.audienceName ? 1 : 0) === 1, {
    message: 'give either audienceId or audienceName',
    path: ['audienceId'],
  })
  .superRefine((b, ctx) => {
    // Every batch of the import has batchSize rows: refused now rather than on every batch.
    const most = maxBatchRows(b.mapping.columns, b.batchSize);
    if (most < b.batchSize) {
      ctx.addIssue({
        code: 'custom',
        path: ['batchSize'],
        message: `at most ${most} rows per batch for this mapping (a batch may carry ${MAX_BATCH_CELLS.toLocaleString('en-US')} values and ${MAX_BATCH_SENSITIVE_CELLS.toLocaleString('en-US')} sensitive values)`,
      });
    }
  });
export type StartImportBody = z.infer<typeof StartImportBody>;

/**
 * One source row as sent to the Worker. `values` follow importedColumns(mapping) order (skipped columns are
 * not sent). `row` is the 1-based data row number the grid shows, so every error points at what the user sees.
 */
export const BatchRow = z.object({
  row: z.number().int().min(1),
  /** The 1-based line of the file the row starts on (a multi-line value makes it differ from row + 1), when the
   * source is a file: reports say "row 2 (line 3 of the file)" so the row can be found in any editor. */
  line: z.number().int().min(1).optional(),
  /** Cells over MAX_CELL_LENGTH are rejected as a row error by the Worker, so one long cell cannot fail a whole batch. */
  values: z.array(WellFormedText).max(MAX_COLUMNS),
  /** Set when the source row had a different number of fields than the header: such rows are rejected. */
  fieldCount: z.number().int().min(0).optional(),
});
export type BatchRow = z.infer<typeof BatchRow>;

/**
 * A batch row of a privacy-mode import: each non-blank value of a sensitive column is a PrivateCell (sealed in the
 * tab, or refused there), a blank one is "". Plain columns hold strings as in BatchRow.
 */
export const PrivateBatchRow = BatchRow.extend({ values: z.array(z.union([WellFormedText, PrivateCell])).max(MAX_COLUMNS) });
export type PrivateBatchRow = z.infer<typeof PrivateBatchRow>;

export const BatchBody = z.object({
  /** 0-based batch number; batches are applied in order, a resumed import continues at nextSeq. */
  seq: z.number().int().min(0),
  /** Same seq + same key = a retry: answered from the stored result, never applied twice. */
  idempotencyKey: z.string().min(8).max(128),
  /** Plain rows (BatchRow), or, with `sealing`, a privacy-mode import's rows (PrivateBatchRow). */
  rows: z.array(PrivateBatchRow).min(1).max(MAX_BATCH_ROWS),
  /** Present exactly when the import is in privacy mode (and has sensitive columns): the batch's sealing header. */
  sealing: BatchSealingHeader.optional(),
});
export type BatchBody = z.infer<typeof BatchBody>;

export { RowErrorCode };

export const RowError = z.object({
  row: z.number().int(),
  /** Line of the file the row starts on, when the batch row carried it. */
  line: z.number().int().optional(),
  /** Source column name, null when the problem is the whole row. */
  column: z.string().nullable(),
  code: RowErrorCode,
  message: z.string(),
  /** The offending value; masked for sensitive columns. */
  value: z.string().nullable(),
});
export type RowError = z.infer<typeof RowError>;

export const ImportCounts = z.object({
  received: z.number().int(),
  inserted: z.number().int(),
  updated: z.number().int(),
  /** Rows whose identifier repeated an earlier row of the same import: merged into that member. */
  duplicates: z.number().int(),
  rejected: z.number().int(),
  /** Blank rows: nothing to import, nothing lost. */
  skipped: z.number().int(),
});
export type ImportCounts = z.infer<typeof ImportCounts>;

export const BatchResult = z.object({
  seq: z.number().int(),
  counts: ImportCounts,
  errors: z.array(RowError),
  /** True when this answer is the stored result of an earlier identical request. */
  replayed: z.boolean(),
});
export type BatchResult = z.infer<typeof BatchResult>;

export const ImportStatus = z.enum(['open', 'completed']);
export type ImportStatus = z.infer<typeof ImportStatus>;

export const ImportSummary = z.object({
  id: z.string(),
  audienceId: z.string(),
  status: ImportStatus,
  source: ImportSource,
  mapping: ImportMapping,
  defaultCountry: z.string(),
  batchSize: z.number().int(),
  /** The next batch seq the Worker expects: where a resumed import continues. */
  nextSeq: z.number().int(),
  expectedRows: z.number().int().nullable(),
  counts: ImportCounts,
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  /** What the Worker changed from the mapping as given to fit the audience (its identifier, its sensitive fields). */
  notices: z.array(z.string()).default([]),
  /** Present (true) only for a privacy-mode import. */
  privacyMode: z.literal(true).optional(),
  /**
   * Privacy mode: the source columns whose non-blank values every batch carries sealed (PrivateCell) — the
   * audience's sensitive fields after alignment, which may be more than the mapping as given marked.
   */
  sealedColumns: z.array(z.string()).optional(),
});
export type ImportSummary = z.infer<typeof ImportSummary>;

export const ImportReport = z.object({
  import: ImportSummary,
  errors: z.array(RowError),
  /** Errors beyond the page limit are in the CSV download. */
  totalErrors: z.number().int(),
});
export type ImportReport = z.infer<typeof ImportReport>;
