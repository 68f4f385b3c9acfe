import { z } from 'zod';
import { FieldKey } from './fields.ts';
import { MAX_COLUMNS, MAX_HEADER_LENGTH } from './limits.ts';
import { WellFormedText } from './text.ts';

/** What happens when a row's identifier already belongs to a member of the audience (from an earlier import). */
export const OnMatch = z.enum(['update', 'reject']);
export type OnMatch = z.infer<typeof OnMatch>;

/** One source column and where it goes. `target: null` means "don't import". */
export const ColumnMapping = z.object({
  /** The column's (deduplicated, visible) header name in the source. */
  column: WellFormedText.min(1).max(MAX_HEADER_LENGTH),
  target: FieldKey.nullable(),
  sensitive: z.boolean().default(false),
});
export type ColumnMapping = z.infer<typeof ColumnMapping>;

/**
 * The user's decisions for one source: every column's target, the one identifier column, the on-match rule.
 * The identifier must be one of the imported (non-skipped) columns.
 */
export const ImportMapping = z
  .object({
    columns: z.array(ColumnMapping).min(1).max(MAX_COLUMNS),
    identifier: WellFormedText.min(1).max(MAX_HEADER_LENGTH),
    onMatch: OnMatch.default('update'),
  })
  .superRefine((m, ctx) => {
    const seenColumns = new Set<string>();
    const seenTargets = new Set<string>();
    m.columns.forEach((c, i) => {
      if (seenColumns.has(c.column)) {
        ctx.addIssue({ code: 'custom', path: ['columns', i, 'column'], message: `column "${c.column}" appears twice` });
      }
      seenColumns.add(c.column);
      if (c.target) {
        if (seenTargets.has(c.target)) {
          ctx.addIssue({
            code: 'custom',
            path: ['columns', i, 'target'],
            message: `field "${c.target}" is mapped from two columns`,
          });
        }
        seenTargets.add(c.target);
      }
    });
    const id = m.columns.find((c) => c.column === m.identifier);
    if (!id) {
      ctx.addIssue({ code: 'custom', path: ['identifier'], message: `identifier column "${m.identifier}" is not in the file` });
    } else if (!id.target) {
      ctx.addIssue({ code: 'custom', path: ['identifier'], message: 'the identifier column must be imported, not skipped' });
    }
  });
export type ImportMapping = z.infer<typeof ImportMapping>;

/** A saved mapping, applied again to a source whose header signature matches. */
export const MappingTemplate = z.object({
  id: z.string(),
  name: z.string(),
  /** See headerSignature(): normalized, order-independent list of the source's header names. */
  signature: z.string(),
  mapping: ImportMapping,
  updatedAt: z.string(),
});
export type MappingTemplate = z.infer<typeof MappingTemplate>;

export const SaveTemplateBody = z.object({
  name: WellFormedText.trim().min(1).max(120),
  signature: WellFormedText.min(1).max(20_000),
  mapping: ImportMapping,
});
export type SaveTemplateBody = z.infer<typeof SaveTemplateBody>;
