import type { ApiErrorBody, ErrorCode } from '../../shared/schema/errors.ts';

export { describeIssues, type IssueDetail, issueDetails, validationFailed } from '../domainError.ts';

export function errorBody(code: ErrorCode, message: string, details?: unknown): ApiErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}
