import { z } from 'zod';
import { Connection } from 'jsforce/core';
import type { CrmField, CrmFilter, CrmObject, CrmRecordPage } from '../../../shared/schema/crm.ts';
import { withRetry, type RetryPolicy, type RetryVerdict, type Sleep } from '../../../shared/retry/retryPolicy.ts';
import { CrmError, SelectionError, type Connector } from '../connector.ts';
import { RequestMetadata, type ConnectionMetadata } from '../pullMetadata.ts';
import type { AccessTokenSource } from '../tokenSource.ts';
import { describeFields, type DescribedObject, type SalesforceDescribeField } from './describeFields.ts';
import { flattenRecord } from './flattenRecord.ts';
import { SalesforceHttpError, SalesforceNetworkError, fetchTransport } from './salesforceHttp.ts';
import { buildCount, buildSelect } from './soql.ts';

export const SALESFORCE_API_VERSION = '62.0';

/** Where the connector talks to one org. Its tokens come from an AccessTokenSource, opened only for a call. */
export type SalesforceOrg = {
  /** Token endpoint host: login.salesforce.com, test.salesforce.com or the org's My Domain. */
  loginUrl: string;
  instanceUrl: string;
};

/** A sign-in's tokens in the clear (the code exchange's answer), before the store seals them. */
export type SalesforceSession = SalesforceOrg & { accessToken: string; refreshToken: string | null };

export type SalesforceConnectorOptions = {
  apiVersion?: string;
  /** Per request, body included. */
  timeoutMs?: number;
  /** Retries of 5xx and REQUEST_LIMIT_EXCEEDED (shared/retry); configuration, also what keeps tests fast. */
  retry?: Partial<RetryPolicy>;
  sleep?: Sleep;
  /** Describes kept between requests: the pages of a pull after the first reuse the first page's. */
  describes?: ConnectionMetadata<DescribedObject>;
};

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseDelayMs: 500, maxDelayMs: 8_000 };
export const DEFAULT_TIMEOUT_MS = 30_000;

/** A jsforce connection to the org whose HTTP goes through fetch with a timeout (reading and writing alike). */
export function jsforceConnection(org: SalesforceOrg, version: string, timeoutMs: number = DEFAULT_TIMEOUT_MS): Connection {
  const conn = new Connection({ instanceUrl: org.instanceUrl, version });
  conn._transport = fetchTransport(conn._transport, timeoutMs);
  return conn;
}
/** Objects imported as leads / companies; other standard objects are not audience data. */
const STANDARD_ROLES: Record<string, CrmObject['role']> = { Contact: 'lead', Lead: 'lead', Account: 'company' };

/** nextRecordsUrl as Salesforce gives it: instance-relative, ending in a query locator ("01g…-2000"). */
const CURSOR = /^\/services\/data\/v\d{2,3}\.\d\/query\/(01g[A-Za-z0-9]{12,15}-\d{1,9})$/;

type QueryAnswer = { totalSize: number; done: boolean; nextRecordsUrl?: string; records: Record<string, unknown>[] };

/** The OpenID Connect userinfo answer, as far as a connection relies on it (who, in which org). */
const UserInfo = z.object({ user_id: z.string().min(1), organization_id: z.string().min(1), preferred_username: z.string().optional(), name: z.string().optional() });

export type SalesforceIdentity = { orgId: string; orgName: string | null; userId: string; userName: string | null };

/** 5xx and the org's API quota (403 REQUEST_LIMIT_EXCEEDED) pass; anything else fails the same way again. */
export function retryVerdict(e: unknown): RetryVerdict {
  const retryable = e instanceof SalesforceHttpError && (e.status >= 500 || (e.status === 403 && e.errorCode === 'REQUEST_LIMIT_EXCEEDED'));
  return { retryable };
}

function isExpiredSession(e: unknown): boolean {
  return e instanceof SalesforceHttpError && e.status === 401;
}

/** Salesforce's failure in a marketer's words, with its errorCode and message kept for support. */
export function toCrmError(e: unknown): CrmError {
  if (e instanceof CrmError) return e;
  if (e instanceof SalesforceNetworkError) {
    return new CrmError('crm_unavailable', e.timedOut ? 'Salesforce did not answer in time. Try again in a moment.' : 'The connection to Salesforce was interrupted. Try again in a moment.', null, e.message, e.timedOut ? 504 : 502);
  }
  if (e instanceof SalesforceHttpError) {
    // One wording place: our sentence for what happened, then Salesforce's own text; its code rides as vendorCode only.
    if (e.status === 401) return new CrmError('crm_auth_failed', `Salesforce did not accept our session: ${e.message}`, e.errorCode, e.message, 401);
    if (e.status === 403 && e.errorCode === 'REQUEST_LIMIT_EXCEEDED') {
      return new CrmError('crm_rate_limited', `Your Salesforce org has used up its API requests for now: ${e.message}`, e.errorCode, e.message, 429);
    }
    if (e.status >= 500) return new CrmError('crm_unavailable', `Salesforce is unavailable right now: ${e.message}`, e.errorCode, e.message, e.status);
    return new CrmError('crm_error', e.message, e.errorCode, e.message, e.status);
  }
  throw e;
}

/**
 * Reads one Salesforce org through the REST API with jsforce. Every call takes its token from the token source,
 * renews it once when Salesforce answers 401 INVALID_SESSION_ID, and retries 5xx / REQUEST_LIMIT_EXCEEDED with
 * bounded exponential backoff, then fails with a CrmError.
 */
export class SalesforceConnector implements Connector {
  private readonly conn: Connection;
  private readonly retry: RetryPolicy;
  private readonly version: string;
  private readonly described: RequestMetadata<DescribedObject>;

  constructor(
    org: SalesforceOrg,
    private readonly tokens: AccessTokenSource,
    private readonly options: SalesforceConnectorOptions = {},
  ) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.version = options.apiVersion ?? SALESFORCE_API_VERSION;
    // No refresh token given to jsforce: renewing is the token source's (once per expiry, stored, revocation marked).
    this.conn = jsforceConnection(org, this.version, options.timeoutMs);
    this.described = new RequestMetadata(options.describes, async (object) => {
      const answer = await this.call(() => this.conn.describe(object));
      return describeFields(answer.fields as unknown as SalesforceDescribeField[]);
    });
  }

  async listObjects(): Promise<CrmObject[]> {
    const global = await this.call(() => this.conn.describeGlobal());
    const objects: CrmObject[] = [];
    for (const o of global.sobjects) {
      const role = STANDARD_ROLES[o.name];
      if (role) objects.push({ name: o.name, label: o.label, role, custom: false });
      else if (o.custom && o.queryable && o.name.endsWith('__c')) objects.push({ name: o.name, label: o.label, role: 'custom', custom: true });
    }
    const order = (o: CrmObject) => (o.role === 'custom' ? 1 : 0);
    return objects.sort((a, b) => order(a) - order(b) || a.label.localeCompare(b.label));
  }

  async describe(object: string): Promise<CrmField[]> {
    return [...(await this.describeObject(object)).fields.values()];
  }

  async count(object: string, filters: CrmFilter[]): Promise<number> {
    const { fields } = await this.describeObject(object);
    const soql = buildCount({ object, fields, filters });
    return (await this.query(soql)).totalSize;
  }

  async page(object: string, select: string[], filters: CrmFilter[], cursor: string | null): Promise<CrmRecordPage> {
    const described = await this.describeObject(object, cursor !== null);
    // Built even when resuming: it checks the field names the records will be flattened with.
    const soql = buildSelect({ object, fields: described.fields, select, filters });
    let answer: QueryAnswer;
    if (cursor === null) {
      answer = await this.query(soql);
    } else {
      const locator = CURSOR.exec(cursor)?.[1];
      if (!locator) throw new SelectionError('This pull cannot be resumed: its position is not one Salesforce gave us. Start the pull again.');
      answer = await this.call(async () => (await this.conn.queryMore(locator)) as QueryAnswer);
    }
    return this.toPage(answer, select, described);
  }

  /** The first `limit` records of a selection (the preview). */
  async firstRecords(object: string, select: string[], filters: CrmFilter[], limit: number): Promise<CrmRecordPage> {
    const described = await this.describeObject(object);
    const answer = await this.query(buildSelect({ object, fields: described.fields, select, filters, limit }));
    return this.toPage(answer, select, described);
  }

  async recordIdField(): Promise<string> {
    return 'Id';
  }

  /**
   * Records moved to the recycle bin after `since`: queryAll is query plus deleted records (IsDeleted = true), and
   * SystemModstamp moves when a record is deleted. Chosen over the getDeleted resource because it pages like any
   * query and needs no date window (getDeleted wants start and end within the last 30 days). Both see a record
   * only while it is in the recycle bin (15 days, or until emptied).
   */
  async deletedSince(object: string, since: string): Promise<string[]> {
    const described = await this.describeObject(object);
    const soql = buildSelect({
      object,
      fields: described.fields,
      select: ['Id'],
      filters: [
        { field: 'IsDeleted', operator: 'equals', value: 'true' },
        { field: 'SystemModstamp', operator: 'greater_than', value: since },
      ],
    });
    const ids: string[] = [];
    let answer = await this.call(async () => (await this.conn.query(soql, { scanAll: true })) as QueryAnswer);
    for (;;) {
      for (const r of answer.records) if (typeof r.Id === 'string') ids.push(r.Id);
      const locator = answer.done ? null : answer.nextRecordsUrl?.split('/').pop();
      if (!locator) return ids;
      answer = await this.call(async () => (await this.conn.queryMore(locator)) as QueryAnswer);
    }
  }

  /** Who and which org the session belongs to, for the connection list. */
  async identity(): Promise<SalesforceIdentity> {
    const info = UserInfo.parse(await this.call(() => this.conn.request<unknown>('/services/oauth2/userinfo')));
    let orgName: string | null = null;
    try {
      const org = await this.query('SELECT Name FROM Organization LIMIT 1');
      const name = org.records[0]?.Name;
      orgName = typeof name === 'string' ? name : null;
    } catch (e) {
      // Users without "View Setup" cannot read Organization; the org id still identifies the connection.
      if (!(e instanceof CrmError) || e.code !== 'crm_error') throw e;
    }
    return { orgId: info.organization_id, orgName, userId: info.user_id, userName: info.preferred_username ?? info.name ?? null };
  }

  private toPage(answer: QueryAnswer, select: string[], described: DescribedObject): CrmRecordPage {
    const locator = answer.done ? null : answer.nextRecordsUrl?.split('/').pop();
    return {
      records: answer.records.map((r) => flattenRecord(r, select, described.picklistLabels)),
      // Stored instance-relative, as Salesforce documents it: an org moved to another instance resumes too.
      nextCursor: locator ? `/services/data/v${this.version}/query/${locator}` : null,
      total: answer.totalSize,
    };
  }

  private query(soql: string): Promise<QueryAnswer> {
    return this.call(async () => (await this.conn.query(soql)) as QueryAnswer);
  }

  /** `reuse`: a describe kept from an earlier request (the pull's first page) will do. */
  private describeObject(object: string, reuse = false): Promise<DescribedObject> {
    return this.described.get(object, reuse);
  }

  /** One Salesforce call: renewed once on an expired session, retried on 5xx and rate limits, errors as CrmError. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    let renewed = false;
    const once = async () => {
      const sentWith = await this.tokens.current();
      this.conn.accessToken = sentWith;
      try {
        return await fn();
      } catch (e) {
        if (!isExpiredSession(e) || renewed) throw e;
        renewed = true;
        this.conn.accessToken = await this.tokens.renew(sentWith);
        return await fn();
      }
    };
    try {
      return await withRetry(once, { policy: this.retry, verdict: retryVerdict, sleep: this.options.sleep });
    } catch (e) {
      throw toCrmError(e);
    }
  }
}
