import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import type { ApiErrorBody, ErrorCode } from '../../shared/schema/errors.ts';

/** An error the client is meant to read: thrown anywhere, turned into `{ error: { code, message, details } }` by onError. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type IssueDetail = { path: (string | number)[]; message: string };

/** zod issues as the API reports them: which field (path) and what is wrong with it. */
export function issueDetails(issues: readonly z.core.$ZodIssue[]): IssueDetail[] {
  return issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'number' ? p : String(p))), message: i.message }));
}

/** One sentence naming the first problem, e.g. `mapping.identifier: identifier column "x" is not in the file`. */
export function describeIssues(issues: readonly IssueDetail[]): string {
  const first = issues[0];
  if (!first) return 'the request is not valid';
  const where = first.path.length ? `${first.path.join('.')}: ` : '';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  return `${where}${first.message}${more}`;
}

export function validationFailed(issues: readonly z.core.$ZodIssue[], prefix: (string | number)[] = []): ApiError {
  const details = issueDetails(issues).map((d) => ({ ...d, path: [...prefix, ...d.path] }));
  return new ApiError(400, 'validation_failed', describeIssues(details), details);
}

export function errorBody(code: ErrorCode, message: string, details?: unknown): ApiErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}
