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

/** A CRM failure in words a marketer understands, with the vendor's own code kept for support. */
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
