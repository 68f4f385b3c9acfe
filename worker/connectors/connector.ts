import type { CrmField, CrmFilter, CrmObject, CrmRecordPage } from '../../shared/schema/crm.ts';

/**
 * Every CRM plugs in behind this interface; the import pipeline never branches on which CRM a row came from.
 * Implementations do their own auth refresh (once, on 401), retry/backoff on 429/5xx, and throw CrmError.
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

export type CrmErrorCode = 'crm_auth_failed' | 'crm_rate_limited' | 'crm_unavailable' | 'crm_error';

/**
 * A CRM failure. `message` is the plain fact without a vendor prefix or code (the SPA composes the sentence, e.g.
 * "Salesforce refused the request: <message> (<vendorCode>)"); the vendor's own code and text are kept for support.
 */
export class CrmError extends Error {
  constructor(
    readonly code: CrmErrorCode,
    message: string,
    readonly vendorCode: string | null,
    readonly vendorMessage: string | null,
    /** The vendor's HTTP status (0: no answer); what the route maps to our own status. */
    readonly status: number,
    /** How long the CRM asked us to wait (429 Retry-After), when it said. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
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
    /** Set when the refused value is a field of the request body (e.g. ['environmentUrl']): then it is a validation problem of that field. */
    readonly path: readonly string[] | null = null,
    /** The code the CRM itself would have answered (INVALID_FIELD), for support; the refusal is still ours. */
    vendorCode: string | null = null,
  ) {
    super('crm_error', message, vendorCode, null, 400);
    this.name = 'SelectionError';
  }
}

/** This server has no settings for the CRM (client id/secret): one answer for every CRM. */
export class CrmNotConfiguredError extends CrmError {
  constructor(crmName: string, settings: readonly string[]) {
    super('crm_error', `${crmName} is not set up on this server (${settings.join(' / ')})`, null, null, 500);
    this.name = 'CrmNotConfiguredError';
  }
}
