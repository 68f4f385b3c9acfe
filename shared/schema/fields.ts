import { z } from 'zod';
import { WellFormedText } from './text.ts';

/** How a platform field's values are validated, normalized and hashed. */
export const FieldType = z.enum(['email', 'phone', 'first_name', 'last_name', 'text', 'country', 'url', 'number', 'date']);
export type FieldType = z.infer<typeof FieldType>;

/**
 * One value a field accepts, from a CRM pick list mapped onto it: the label people see (what a member holds and the
 * grid shows) and the CRM's code, kept beside it (Salesforce's API value, a Dataverse option number).
 */
export const AllowedValue = z.object({
  label: z.string(),
  code: z.string(),
  /**
   * The CRM no longer offers it (a Salesforce value made inactive, a Dataverse option removed): kept so a member
   * holding it keeps it and shows it as retired; no import may store it (shared/validation/pickListValues.ts).
   */
  retired: z.literal(true).optional(),
});
export type AllowedValue = z.infer<typeof AllowedValue>;

/** Platform data header: a built-in field or a workspace's custom field. `key` is what mappings point at. */
export const Field = z.object({
  key: z.string(),
  label: z.string(),
  type: FieldType,
  builtIn: z.boolean(),
  /**
   * The only values an import may store in this field (matched by label, case aside, or by code); absent when any
   * value of its type will do. Set and refreshed by the syncs that map a CRM pick list onto the field.
   */
  allowedValues: z.array(AllowedValue).min(1).optional(),
  /**
   * The allowed values come from a multi-select pick list: a cell holds several, separated by ";", stored as labels
   * in the pick list's order joined with "; " (shared/validation/pickListValues.ts).
   */
  multipleValues: z.literal(true).optional(),
});
export type Field = z.infer<typeof Field>;

export const FieldKey = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_]*$/, 'lowercase letters, digits and _; starting with a letter');

export const CreateFieldBody = z.object({
  label: WellFormedText.trim().min(1, 'a field needs a name').max(80),
  type: FieldType.default('text'),
  /** Derived from the label when omitted. */
  key: FieldKey.optional(),
});
export type CreateFieldBody = z.infer<typeof CreateFieldBody>;
