import type { z } from 'zod';
import type { ErrorCode } from '../shared/schema/errors.ts';

/**
 * A failure the client is meant to read, thrown anywhere below the routes. It says what went wrong (a stable
 * code, a sentence, details for programs) and nothing about HTTP: `app.onError` gives each code its status.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** What a third party (a CRM) answered, when the failure is its answer; the status table may follow it. */
    readonly upstreamStatus?: number,
  ) {
    super(message);
    this.name = 'DomainError';
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

/** A `validation_failed` error whose details name each problem (path + message). */
export function invalid(issues: readonly IssueDetail[]): DomainError {
  return new DomainError('validation_failed', describeIssues(issues), issues);
}

export function validationFailed(issues: readonly z.core.$ZodIssue[], prefix: (string | number)[] = []): DomainError {
  return invalid(issueDetails(issues).map((d) => ({ ...d, path: [...prefix, ...d.path] })));
}
