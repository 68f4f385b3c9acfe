import type { CrmErrorDetails, CrmField, CrmFilter, CrmObject, CrmRecordPage } from '../../shared/schema/crm.ts';
import type { ErrorCode } from '../../shared/schema/errors.ts';
import { DomainError } from '../domainError.ts';

/**
 * Every CRM plugs in behind this interface; the import pipeline never branches on which CRM a row came from.
 * Implementations do their own auth refresh (once, on 401), retry/backoff on 429/5xx (shared/retry), and throw CrmError.
 */
export interface Connector {
  listObjects(): Promise<CrmObject[]>;
  describe(object: string): Promise<CrmField[]>;
  count(object: string, filters: CrmFilter[]): Promise<number>;
  /**
   * One page of records with the given fields. `cursor` null = first page. The cursor is opaque and durable
   * (stored with the import), so a pull interrupted mid-way resumes at the page that failed.
   */
  page(object: string, fields: string[], filters: CrmFilter[], cursor: string | null): Promise<CrmRecordPage>;
  /**
   * The first `limit` records, when the CRM can fetch fewer than a page (a preview of 20 should not cost a
   * 2,000-row page). Optional: without it, callers cut the first page.
   */
  firstRecords?(object: string, fields: string[], filters: CrmFilter[], limit: number): Promise<CrmRecordPage>;
}

export type CrmErrorCode = Extract<ErrorCode, 'crm_auth_failed' | 'crm_rate_limited' | 'crm_unavailable' | 'crm_error'>;

/**
 * A CRM failure, a domain error like any other (app.onError gives its code a status; a crm_error follows the CRM's
 * own 4xx). `message` is the plain fact without a vendor prefix or code (the SPA composes the sentence, e.g.
 * "Salesforce refused the request: <message> (<vendorCode>)"); `details` is CrmErrorDetails.
 */
export class CrmError extends DomainError {
  declare readonly code: CrmErrorCode;

  constructor(
    code: CrmErrorCode,
    message: string,
    readonly vendorCode: string | null,
    readonly vendorMessage: string | null,
    /** The vendor's HTTP status (0: no answer). */
    readonly status: number,
    /** How long the CRM asked us to wait (429 Retry-After), when it said. */
    readonly retryAfterSeconds: number | null = null,
    source: CrmErrorDetails['source'] = 'crm',
  ) {
    const details: CrmErrorDetails = { vendorCode, vendorMessage, source };
    super(code, message, details, status);
    this.name = 'CrmError';
  }
}

/**
 * A selection the app itself refuses before asking the CRM (an unknown field, a filter value of the wrong type, a
 * cursor it did not issue): answered like a CRM's 400 (code crm_error) but marked `source: 'app'`, so it is never
 * worded as the CRM's refusal.
 */
export class SelectionError extends CrmError {
  constructor(
    message: string,
    /** The code the CRM itself would have answered (INVALID_FIELD), for support; the refusal is still ours. */
    vendorCode: string | null = null,
  ) {
    super('crm_error', message, vendorCode, null, 400, null, 'app');
    this.name = 'SelectionError';
  }
}

/**
 * This server has no settings for the CRM (client id/secret): one answer for every CRM. Not a CrmError: the CRM was
 * never asked, and retrying cannot help.
 */
export class CrmNotConfiguredError extends DomainError {
  declare readonly code: 'crm_not_configured';

  constructor(crmName: string, settings: readonly string[]) {
    super('crm_not_configured', `${crmName} is not set up on this server (${settings.join(' / ')})`, { crm: crmName, settings: [...settings] });
    this.name = 'CrmNotConfiguredError';
  }
}
