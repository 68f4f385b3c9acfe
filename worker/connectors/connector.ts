import type { CrmErrorDetails, CrmField, CrmFilter, CrmObject, CrmRecordPage } from '../../shared/schema/crm.ts';
import type { CrmUser } from '../../shared/schema/crmExport.ts';
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
  /** The field holding a record's own id (Salesforce `Id`, Dataverse the table's primary id): what links a record to its member. */
  recordIdField?(object: string): Promise<string>;
  /** Ids of the records deleted since `since` (ISO instant), for a CRM that keeps deleted records findable (Salesforce's recycle bin). */
  deletedSince?(object: string, since: string): Promise<string[]>;
  /** Whether the CRM keeps a change feed for this table (Dataverse change tracking); `changes` reads it. */
  tracksChanges?(object: string): Promise<boolean>;
  /**
   * A page of the table's change feed: `link` null starts it (every record, then a delta link on the last page);
   * a next link or a delta link continues it. Records are changed or new ones; deletions come as ids only. A delta
   * link the CRM no longer honours throws ExpiredChangeToken.
   */
  changes?(object: string, fields: string[], link: string | null): Promise<CrmChangePage>;
}

/** A page of a change feed: the records, the ids deleted, and on the last page where the next run asks for changes. */
export type CrmChangePage = CrmRecordPage & { deletedIds: string[]; deltaLink: string | null };

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

/** The CRM no longer knows the change token a delta link carries (too old): only a full read starts a new feed. */
export class ExpiredChangeToken extends CrmError {
  constructor(vendorCode: string | null, vendorMessage: string | null) {
    super('crm_error', 'The CRM no longer knows where the last sync stopped reading changes', vendorCode, vendorMessage, 400);
    this.name = 'ExpiredChangeToken';
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

/** A CRM record as read for matching and diffs: flattened like pulled records, plus its id and last modification. */
export type CrmRecordRef = {
  id: string;
  /** LastModifiedDate / modifiedon (ISO), for two-way conflicts: the side modified most recently wins. */
  modifiedAt: string | null;
  values: Record<string, string | null>;
};

/** One write: values by CRM property, as text (labels for choices); the connector converts to the CRM's types. */
export type CrmWriteOp =
  | { kind: 'create'; values: Record<string, string | null> }
  | { kind: 'update'; id: string; values: Record<string, string | null> }
  /**
   * Create, or update the record whose `by` (one of upsertKeys; its value among `values`) already holds that value:
   * the CRM decides, so sending it twice never makes two records (`created` in the result says which it was).
   */
  | { kind: 'upsert'; by: string; values: Record<string, string | null> };

/** One result per op, in order: a batch succeeds or fails record by record (partial success), never as a whole. */
export type CrmWriteResult =
  | { ok: true; id: string; created: boolean }
  | {
      ok: false;
      /** The CRM's own code (REQUIRED_FIELD_MISSING, INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST, DUPLICATES_DETECTED, 0x80040237 …). */
      vendorCode: string;
      /** The CRM's message, for the report in plain words. */
      message: string;
      fields: string[];
    };

/**
 * How a write treats a request carrying creates that got a 5xx or no answer: the CRM may have applied it, so sending
 * it again could create every record twice. `resendCreates: false` (the push engine) sends such a request once and
 * throws crm_unavailable; the caller looks its records up by identifier before sending the creates again. Throttling
 * (429, REQUEST_LIMIT_EXCEEDED) is retried either way: a throttled request was not applied. Default true.
 */
export type CrmWriteOptions = { resendCreates?: boolean };

/** A CRM user, for the user mapping: one definition in shared/schema/crmExport.ts (the API answers it too). */
export type { CrmUser } from '../../shared/schema/crmExport.ts';

/**
 * The writing side of a CRM (issue 11). Kept apart from Connector so reading code never sees write methods. Same
 * error contract: auth renewed once on 401, 429/5xx retried by the shared policy, then CrmError.
 */
export interface CrmWriter {
  /** Records of `object` whose `property` equals one of `values` exactly (≤ 200 values a call), with `fields`. */
  findBy(object: string, property: string, values: string[], fields: string[]): Promise<CrmRecordRef[]>;
  /** Records by id, with `fields` (ids this connection remembered in crm_record_links). */
  getByIds(object: string, ids: string[], fields: string[]): Promise<CrmRecordRef[]>;
  /**
   * Creates/updates; the connector picks the bulk endpoint for the size (Salesforce sObject Collections for small
   * batches, Bulk API 2.0 for large ones; Dataverse $batch / UpsertMultiple) and honours the CRM's limits.
   */
  write(object: string, ops: CrmWriteOp[], options?: CrmWriteOptions): Promise<CrmWriteResult[]>;
  /** The properties of `object` the CRM upserts by (Salesforce external id fields); none where upserts are not written yet. */
  upsertKeys(object: string): Promise<string[]>;
  listUsers(): Promise<CrmUser[]>;
}
