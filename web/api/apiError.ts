import { z } from 'zod';
import { ApiErrorBody, type ErrorCode } from '../../shared/schema/errors.ts';

const CrmNotConfiguredDetails = z.object({ crm: z.string().min(1) });
const LooseErrorBody = z.object({ error: z.object({ message: z.string().min(1) }) });

/** The API's codes, plus the two a call can fail with before the API says anything. */
export type ClientErrorCode = ErrorCode | 'network' | 'bad_response';

/** Why a call failed, in a form the UI can show and the retry policy can judge. */
export class ApiError extends Error {
  constructor(
    message: string,
    /** HTTP status; 0 when the request never got an answer (offline, DNS, connection reset, timeout). */
    readonly status: number,
    /** The API's stable code (`validation_failed`, `not_found`, …), `network` or `bad_response`. */
    readonly code: ClientErrorCode,
    readonly details?: unknown,
    /** Seconds the server asked us to wait (429/503 `Retry-After`). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get isNetwork(): boolean {
    return this.status === 0;
  }
}

/** Turns array indexes of a request body into what the user sees: the grid's row number and the column name. */
export interface ErrorContext {
  /** rows[i] of a batch body → the 1-based data row number shown in the grid. */
  rowAt?: (index: number) => number | undefined;
  /** values[j] of a batch row, or mapping.columns[j] → the source column name. */
  columnAt?: (index: number) => string | undefined;
}

interface Issue {
  path: (string | number)[];
  message: string;
}

/** Accepts the shapes a zod failure is commonly reported in: an issue array, `{ issues }`, or `{ fieldErrors }`. */
function issuesOf(details: unknown): Issue[] {
  const list = Array.isArray(details)
    ? details
    : details && typeof details === 'object' && Array.isArray((details as { issues?: unknown }).issues)
      ? (details as { issues: unknown[] }).issues
      : [];
  const issues: Issue[] = [];
  for (const item of list) {
    if (!item || typeof item !== 'object') continue;
    const { path, message } = item as { path?: unknown; message?: unknown };
    if (typeof message !== 'string') continue;
    const parts = Array.isArray(path) ? path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number') : [];
    issues.push({ path: parts, message });
  }
  if (issues.length === 0 && details && typeof details === 'object') {
    const fieldErrors = (details as { fieldErrors?: unknown }).fieldErrors;
    if (fieldErrors && typeof fieldErrors === 'object') {
      for (const [key, messages] of Object.entries(fieldErrors)) {
        if (Array.isArray(messages)) for (const m of messages) if (typeof m === 'string') issues.push({ path: [key], message: m });
      }
    }
  }
  return issues;
}

const index = (p: string | number | undefined): number | undefined =>
  typeof p === 'number' ? p : typeof p === 'string' && /^\d+$/.test(p) ? Number(p) : undefined;

/** "row 12, column ‘Correo’" for a batch path, "column ‘Correo’" for a mapping path, the raw path otherwise. */
export function describePath(path: readonly (string | number)[], context: ErrorContext = {}): string {
  const parts: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    const at = index(path[i + 1]);
    if (key === 'rows' && at !== undefined) {
      parts.push(`row ${context.rowAt?.(at) ?? at + 1}`);
      i++;
    } else if ((key === 'values' || key === 'columns') && at !== undefined) {
      const name = context.columnAt?.(at);
      parts.push(name !== undefined ? `column ‘${name}’` : `column ${at + 1}`);
      i++;
    } else if (key === 'identifier') {
      parts.push('identifier');
    } else if (key === 'consent' || key === 'doubleOptIn') {
      if (!parts.includes('consent')) parts.push('consent');
    } else if (typeof key === 'string' && !['mapping', 'source', 'value', 'target', 'column', 'row'].includes(key)) {
      parts.push(key);
    } else if (key === 'target') {
      parts.push('target field');
    }
  }
  return parts.join(', ');
}

/** One sentence per problem, naming the row and column it is about, for people rather than programs. */
function issuesSentence(issues: readonly Issue[], context: ErrorContext): string {
  const shown = issues.slice(0, 5).map((issue) => {
    const where = describePath(issue.path, context);
    return where ? `${where}: ${issue.message}` : issue.message;
  });
  const more = issues.length > shown.length ? ` (and ${issues.length - shown.length} more)` : '';
  const text = `${shown.join('; ')}${more}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * What the person reads for each code the API can send. A code added to ErrorCode does not compile until it is
 * decided here.
 */
function messageFor(code: ErrorCode, serverMessage: string, details: unknown, context: ErrorContext): string {
  switch (code) {
    case 'validation_failed':
    case 'consent_required': {
      // The server's message repeats the first issue with a raw path; the issues, said in the grid's terms, replace it.
      const issues = issuesOf(details);
      return issues.length ? issuesSentence(issues, context) : serverMessage;
    }
    // Written for people by the Worker already, with the name or number the person acted on.
    case 'not_found':
    case 'conflict':
    case 'import_closed':
    case 'batch_out_of_order':
    case 'payload_too_large':
    case 'batch_too_large':
    // The settings page shows each problem at its setting (details); the message counts them.
    case 'export_settings_invalid':
    case 'forbidden_origin':
    case 'unsupported_media_type':
    case 'upgrading_hashes':
    case 'unauthorized':
    case 'forbidden':
    case 'crm_auth_failed':
    case 'crm_rate_limited':
    case 'rate_limited':
    case 'crm_unavailable':
    case 'crm_error':
    case 'privacy_mode':
    case 'sealed_value_unreadable':
    case 'internal':
      return serverMessage;
    case 'crm_not_configured': {
      // The server's message names deployment settings (SALESFORCE_CLIENT_ID), which mean nothing to a marketer.
      const crm = CrmNotConfiguredDetails.safeParse(details).data?.crm ?? 'This CRM';
      return `${crm} is not set up on this server yet, so it cannot be connected or imported from. Ask your administrator to finish its setup.`;
    }
    default: {
      const unhandled: never = code;
      return unhandled;
    }
  }
}

/** The API's error body as code, a message for people and the details for programs. */
export function messageFromBody(body: unknown, status: number, context: ErrorContext = {}): { code: ClientErrorCode; message: string; details?: unknown } {
  const parsed = ApiErrorBody.safeParse(body);
  if (!parsed.success) {
    // A code this SPA does not know (a newer Worker) still comes with a sentence worth showing.
    const message = LooseErrorBody.safeParse(body).data?.error.message ?? `The server answered ${status} without an explanation.`;
    return { code: status === 0 ? 'network' : 'bad_response', message };
  }
  const { code, message, details } = parsed.data.error;
  return { code, message: messageFor(code, message, details, context), details };
}
