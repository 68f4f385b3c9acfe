import { z } from 'zod';

/**
 * Every code an API error can carry: one list for the Worker (each code has one HTTP status, in
 * worker/http/errorStatus.ts) and the SPA (which handles each one, checked by the compiler in web/api/apiError.ts).
 */
export const ErrorCode = z.enum([
  /** body, query or params do not match the schema; details = [{ path, message }] */
  'validation_failed',
  /** an import started without the double opt-in confirmation */
  'consent_required',
  /** no such audience / template / import / connection in this workspace */
  'not_found',
  /** the request contradicts what is stored (a field key that exists, a batch seq applied with another key) */
  'conflict',
  /** a batch for a finished import */
  'import_closed',
  /** a batch seq beyond the next one expected; details.nextSeq says where to continue */
  'batch_out_of_order',
  /** a body over its size limit; details.limitBytes */
  'payload_too_large',
  /** a batch over the values or sensitive values one request may carry; details = { limit, max, actual, maxRows } */
  'batch_too_large',
  /**
   * export settings that do not fit the CRM as it is now (shared/crmExport/checkExportSettings.ts);
   * details = ExportProblem[] ({ path, code, message }), nothing saved
   */
  'export_settings_invalid',
  /** a Host or Origin that is not one of ALLOWED_ORIGINS (DNS rebinding, cross-site request) */
  'forbidden_origin',
  /** a POST without content-type: application/json */
  'unsupported_media_type',
  /** stored hashes are being re-keyed after an upgrade: retry shortly */
  'upgrading_hashes',
  'unauthorized',
  /** signed in, but the role (or API token) may not do this: worker/auth/routeRoles.ts */
  'forbidden',
  /** the CRM refused our session: the connection needs a new sign-in */
  'crm_auth_failed',
  'crm_rate_limited',
  /** too many sign-ins, sign-ups, password resets or token requests for now: retry after the Retry-After header's seconds */
  'rate_limited',
  'crm_unavailable',
  /**
   * the CRM refused the request (no such object, a query it rejects), or the app refused a selection before asking it
   * (unknown field, a filter value of the wrong type); details = CrmErrorDetails (shared/schema/crm.ts), `source` says which
   */
  'crm_error',
  /**
   * this server has no settings for the CRM (its app's client id / secret): nothing a user can do but ask the
   * administrator; details = { crm, settings } (the CRM's name, the settings a deployment must put)
   */
  'crm_not_configured',
  /**
   * the request contradicts an audience's privacy mode: a CRM import or sync into a private audience, a batch whose
   * cells do not fit the import's mode (plain values in privacy mode, sealed ones otherwise; details name row and
   * column), an unknown sealing key, a mode change of an audience that is not empty
   */
  'privacy_mode',
  /** a stored sealed value does not open (altered, or sealed under another key); details = { memberId, field } */
  'sealed_value_unreadable',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** Every API error has this shape; `code` is stable and meant for programs, `message` for people. */
export const ApiErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;
