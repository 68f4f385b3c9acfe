import { z } from 'zod';
import { WellFormedText } from './text.ts';

/** How a platform field's values are validated, normalized and hashed. */
export const FieldType = z.enum(['email', 'phone', 'first_name', 'last_name', 'text', 'country', 'url', 'number', 'date']);
export type FieldType = z.infer<typeof FieldType>;

/** Platform data header: a built-in field or a workspace's custom field. `key` is what mappings point at. */
export const Field = z.object({
  key: z.string(),
  label: z.string(),
  type: FieldType,
  builtIn: z.boolean(),
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
