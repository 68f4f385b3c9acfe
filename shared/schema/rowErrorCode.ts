import { z } from 'zod';

/**
 * Why a row was rejected. Its own module so that the privacy contract (privacy.ts, whose RefusedCell carries one)
 * and the import bodies (imports.ts, whose batches carry privacy cells) can both use it without importing each other.
 */
export const RowErrorCode = z.enum([
  'empty_identifier',
  'invalid_email',
  'invalid_phone',
  'invalid_value',
  'ragged_row',
  'identifier_exists',
  'wrong_field_count',
  'value_not_allowed',
]);
export type RowErrorCode = z.infer<typeof RowErrorCode>;
