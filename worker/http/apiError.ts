import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ApiErrorBody, ErrorCode } from '../../shared/schema/errors.ts';
import { DomainError } from '../domainError.ts';

export { describeIssues, type IssueDetail, issueDetails, validationFailed } from '../domainError.ts';

/**
 * @deprecated Throw a `DomainError` (worker/domainError.ts): its status comes from the one table in
 * worker/http/errorStatus.ts. Kept only while the CRM connection routes (worker/routes/connections*.ts,
 * worker/connectors/crmErrorResponse.ts) are being reshaped; delete it once nothing constructs it.
 */
export class ApiError extends DomainError {
  constructor(
    readonly status: ContentfulStatusCode,
    code: ErrorCode,
    message: string,
    details?: unknown,
  ) {
    super(code, message, details);
    this.name = 'ApiError';
  }
}

export function errorBody(code: ErrorCode, message: string, details?: unknown): ApiErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}
