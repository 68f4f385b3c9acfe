import { z } from 'zod';
import { AllowedValue, FieldType } from './fields.ts';
import { OnMatch } from './mapping.ts';

/** A field's allowed values as an import reads them, with the field's label for the messages that list them. */
export const PlannedAllowedValues = z.object({
  fieldLabel: z.string(),
  values: z.array(AllowedValue).min(1),
  /** A multi-select pick list: several values a cell (shared/validation/pickListValues.ts). */
  multiple: z.literal(true).optional(),
});
export type PlannedAllowedValues = z.infer<typeof PlannedAllowedValues>;

export const PlannedColumn = z.object({
  column: z.string(),
  target: z.string(),
  type: FieldType,
  sensitive: z.boolean(),
  /** Absent: any value of the type. Fixed at the start like the type, so every batch of one import is judged alike. */
  allowed: PlannedAllowedValues.optional(),
});
export type PlannedColumn = z.infer<typeof PlannedColumn>;

/**
 * Everything a batch needs to turn values into members, fixed when the import starts (field types resolved then),
 * so every batch of one import is read the same way even if fields change meanwhile. Stored as JSON in
 * `imports.plan` and parsed with this schema when read back.
 */
export const ImportPlan = z.object({
  /** Fields in the source header: a row with another field count is ragged. */
  headerCount: z.number().int().nonnegative(),
  /** Imported columns, in the order of each batch row's `values`. */
  columns: z.array(PlannedColumn),
  identifierIndex: z.number().int(),
  onMatch: OnMatch,
  defaultCountry: z.string(),
  /** What was changed from the mapping as given to fit the audience (alignPlan), shown in the import summary. */
  notices: z.array(z.string()).optional(),
  /** Privacy mode, fixed at the start from the audience: sensitive columns arrive sealed (PrivateCell), never plain. */
  privacy: z.boolean().optional(),
});
export type ImportPlan = z.infer<typeof ImportPlan>;
