import { z } from 'zod';

/** Every API error has this shape; `code` is stable and meant for programs, `message` for people. */
export const ApiErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

export const ErrorCode = z.enum([
  'validation_failed',
  'consent_required',
  'not_found',
  'conflict',
  'import_closed',
  'batch_out_of_order',
  'payload_too_large',
  'unauthorized',
  'crm_auth_failed',
  'crm_rate_limited',
  'crm_unavailable',
  'crm_error',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;
