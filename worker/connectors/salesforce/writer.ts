/// <reference path="./writerBulk2.d.ts" />
import { z } from 'zod';
import { Connection } from 'jsforce/core';
import { BulkV2 } from 'jsforce/browser/api/bulk2.js';
import { realSleep, withRetry, type RetryPolicy, type RetryVerdict, type Sleep } from '../../../shared/retry/retryPolicy.ts';
import { CrmError, SelectionError, type CrmRecordRef, type CrmUser, type CrmWriteOp, type CrmWriteOptions, type CrmWriteResult, type CrmWriter } from '../connector.ts';
import type { AccessTokenSource } from '../tokenSource.ts';
import { flattenRecord } from './flattenRecord.ts';
import { DEFAULT_RETRY, jsforceConnection, SALESFORCE_API_VERSION, retryVerdict, toCrmError, type SalesforceOrg } from './salesforceConnector.ts';
import { SalesforceHttpError, fetchTransport } from './salesforceHttp.ts';
import {
  bulkCsv,
  bulkError,
  fieldIndex,
  parseResultsCsv,
  salesforceRecord,
  soqlLiteral,
  type SalesforceValue,
  type SalesforceWriteField,
  type WriteFailure,
} from './writerValues.ts';

/**
 * Salesforce recommends Bulk API 2.0 for operations of more than 2,000 records: below that, sObject Collections
 * (200 records a request, answered at once) cost at most 10 API requests and finish sooner than an asynchronous job;
 * above it, one job is a handful of requests whatever its size and spares the org's daily API request allowance.
 */
export const BULK_THRESHOLD = 2000;
/** sObject Collections take up to 200 records a request (create, update and retrieve alike). */
export const COLLECTION_SIZE = 200;
/**
 * A lookup's IN list is sized by the URL it travels in: Salesforce takes at most 16,384 bytes of URI and headers
 * (414 / 431 beyond), so the list's encoded text stays within 12,000 bytes — about 300 email addresses a query —
 * and at most 1,000 values; the statement stays far below SOQL's 100,000 characters.
 */
export const FIND_CHUNK = 1000;
const FIND_URL_BYTES = 12_000;
/** A record a Bulk API 2.0 job did not process (it failed or was stopped first): not written, safe to send again. */
export const UNPROCESSED = 'UNPROCESSED';

export type SalesforceWriterOptions = {
  apiVersion?: string;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  sleep?: Sleep;
  /** Waiting for a Bulk API 2.0 job: the first wait (250 ms), growing half as much again each time up to 10 s, for at most `bulkPollTimeoutMs` (10 minutes). */
  bulkPollIntervalMs?: number;
  bulkPollTimeoutMs?: number;
};

const OBJECT_NAME = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;

const DescribeAnswer = z.object({
  fields: z.array(
    z.object({
      name: z.string(),
      label: z.string(),
      type: z.string(),
      createable: z.boolean().optional(),
      updateable: z.boolean().optional(),
      filterable: z.boolean().optional(),
      externalId: z.boolean().optional(),
      picklistValues: z.array(z.object({ value: z.string(), label: z.string().nullable(), active: z.boolean() })).nullish(),
    }),
  ),
});
type Described = {
  fields: SalesforceWriteField[];
  fieldOf: (name: string) => SalesforceWriteField | undefined;
  filterable: Set<string>;
  /** External id fields: what sObject Collections upsert by. */
  externalIds: Set<string>;
  labels: Map<string, Map<string, string>>;
};

const SaveResults = z.array(
  z.object({
    id: z.string().nullish(),
    success: z.boolean(),
    /** Upserts only: whether the record was created (false: an existing one was updated). */
    created: z.boolean().optional(),
    errors: z.array(z.object({ statusCode: z.string(), message: z.string(), fields: z.array(z.string()).optional() })).default([]),
  }),
);

const QueryAnswer = z.object({ done: z.boolean(), nextRecordsUrl: z.string().optional(), records: z.array(z.record(z.string(), z.unknown())) });

const JobInfo = z.object({ id: z.string(), state: z.string(), errorMessage: z.string().optional(), numberRecordsProcessed: z.number().optional(), numberRecordsFailed: z.number().optional() });

/** Salesforce's stamps ("2026-11-29T08:00:00.000+0000") as ISO 8601 UTC. */
function isoStamp(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** Items in order, in chunks of at most `size` items and `maxLength` of their summed `lengthOf`. */
export function chunksByLength<T>(items: readonly T[], size: number, maxLength: number, lengthOf: (item: T) => number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let length = 0;
  for (const item of items) {
    const itemLength = lengthOf(item);
    if (current.length > 0 && (current.length >= size || length + itemLength > maxLength)) {
      out.push(current);
      current = [];
      length = 0;
    }
    current.push(item);
    length += itemLength;
  }
  if (current.length > 0) out.push(current);
  return out;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The writing side of one Salesforce org (CrmWriter) through jsforce: matching by SOQL, reading by sObject
 * Collections retrieve, writing (insert, update, upsert by an external id) through sObject Collections or a Bulk
 * API 2.0 ingest job by size. Like the
 * reading connector, each request renews the session once on 401 and retries 5xx / REQUEST_LIMIT_EXCEEDED.
 */
export class SalesforceWriter implements CrmWriter {
  private readonly conn: Connection;
  private readonly bulk: BulkV2<never>;
  private readonly retry: RetryPolicy;
  private readonly version: string;
  private readonly described = new Map<string, Promise<Described>>();

  constructor(
    org: SalesforceOrg,
    private readonly tokens: AccessTokenSource,
    private readonly options: SalesforceWriterOptions = {},
  ) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.version = options.apiVersion ?? SALESFORCE_API_VERSION;
    this.conn = jsforceConnection(org, this.version, options.timeoutMs);
    this.bulk = new BulkV2(this.conn as never);
  }

  async findBy(object: string, property: string, values: string[], fields: string[]): Promise<CrmRecordRef[]> {
    const described = await this.describe(object);
    const key = described.fieldOf(property);
    if (!key) throw new SelectionError(`"${property}" is not a field of ${object}`, 'INVALID_FIELD');
    if (!described.filterable.has(key.name)) throw new SelectionError(`Salesforce cannot look records up by "${property}"`);
    const select = this.selectList(described, object, fields);
    const literals = [...new Set(values.map((v) => soqlLiteral(key, v)).filter((l): l is string => l !== null))];
    const found: CrmRecordRef[] = [];
    for (const part of chunksByLength(literals, FIND_CHUNK, FIND_URL_BYTES, (l) => new URLSearchParams({ q: `${l}, ` }).toString().length - 2)) {
      found.push(...(await this.queryAll(`SELECT ${select.join(', ')} FROM ${object} WHERE ${key.name} IN (${part.join(', ')})`, described, fields)));
    }
    return found;
  }

  async getByIds(object: string, ids: string[], fields: string[]): Promise<CrmRecordRef[]> {
    const described = await this.describe(object);
    const select = this.selectList(described, object, fields);
    const valid = [...new Set(ids.filter((id) => /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(id)))];
    const found: CrmRecordRef[] = [];
    for (const part of chunks(valid, COLLECTION_SIZE)) {
      const params = new URLSearchParams({ ids: part.join(','), fields: select.join(',') });
      const answer = await this.call(() => this.conn.request<unknown>(`/services/data/v${this.version}/composite/sobjects/${object}?${params}`));
      const records = z.array(z.record(z.string(), z.unknown()).nullable()).parse(answer);
      for (const record of records) if (record) found.push(this.toRef(record, described, fields));
    }
    return found;
  }

  async write(object: string, ops: CrmWriteOp[], options: CrmWriteOptions = {}): Promise<CrmWriteResult[]> {
    const described = await this.describe(object);
    const results: (CrmWriteResult | undefined)[] = new Array(ops.length);
    const creates: { index: number; record: Record<string, SalesforceValue> }[] = [];
    const updates: { index: number; record: Record<string, SalesforceValue> }[] = [];
    const upserts = new Map<string, { index: number; record: Record<string, SalesforceValue> }[]>();
    ops.forEach((op, index) => {
      const converted = salesforceRecord(described.fieldOf, object, op.values);
      if (!converted.ok) results[index] = converted.failure;
      else if (op.kind === 'create') creates.push({ index, record: converted.record });
      else if (op.kind === 'update') updates.push({ index, record: { Id: op.id, ...converted.record } });
      else {
        const by = described.fieldOf(op.by);
        if (!by || !described.externalIds.has(by.name)) {
          results[index] = { ok: false, vendorCode: 'invalid_field', message: `${op.by} is not an external id field of ${object}: records cannot be upserted by it.`, fields: [op.by] };
        } else upserts.set(by.name, [...(upserts.get(by.name) ?? []), { index, record: converted.record }]);
      }
    });
    // One size rule for the whole write: above the threshold every operation (inserts, updates, upserts by each key)
    // is one Bulk API 2.0 job, below it sObject Collections. Upserts may be sent again after a lost answer — an upsert
    // finds the record the first one made instead of making a second — so their requests are always resent.
    const viaBulk = creates.length + updates.length + [...upserts.values()].reduce((n, batch) => n + batch.length, 0) > BULK_THRESHOLD;
    for (const [by, batch] of upserts) {
      const records = batch.map((b) => b.record);
      const answered = viaBulk ? await this.bulkWriteAll(object, { operation: 'upsert', by }, records) : await this.collectionUpsert(object, by, records);
      batch.forEach((b, i) => {
        results[b.index] = answered[i];
      });
    }
    for (const [operation, batch] of [
      ['insert', creates],
      ['update', updates],
    ] as const) {
      if (!batch.length) continue;
      const resend = operation === 'update' || (options.resendCreates ?? true);
      const answered = viaBulk
        ? await this.bulkWriteAll(object, { operation }, batch.map((b) => b.record))
        : await this.collectionWrite(object, operation, batch.map((b) => b.record), resend);
      batch.forEach((b, i) => {
        results[b.index] = answered[i];
      });
    }
    return results.map((r) => r ?? { ok: false, vendorCode: 'UNKNOWN_EXCEPTION', message: 'Salesforce gave no result for this record.', fields: [] });
  }

  async upsertKeys(object: string): Promise<string[]> {
    return [...(await this.describe(object)).externalIds];
  }

  /** People who can own records: Standard users (not portal, guest or automated ones), active first. */
  async listUsers(): Promise<CrmUser[]> {
    const users: CrmUser[] = [];
    let answer = QueryAnswer.parse(await this.call(async () => (await this.conn.query("SELECT Id, Name, Email, IsActive FROM User WHERE UserType = 'Standard'")) as unknown));
    for (;;) {
      for (const r of answer.records) {
        if (typeof r.Id !== 'string') continue;
        users.push({ id: r.Id, name: typeof r.Name === 'string' ? r.Name : r.Id, email: typeof r.Email === 'string' ? r.Email : null, active: r.IsActive === true });
      }
      const next = answer.nextRecordsUrl;
      if (answer.done || !next) return users.sort((a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name));
      answer = QueryAnswer.parse(await this.call(() => this.conn.request<unknown>(next)));
    }
  }

  // --- sObject Collections ---

  private async collectionWrite(object: string, operation: 'insert' | 'update', records: Record<string, SalesforceValue>[], resendUnanswered: boolean): Promise<CrmWriteResult[]> {
    const results: CrmWriteResult[] = [];
    for (const part of chunks(records, COLLECTION_SIZE)) {
      const body = JSON.stringify({
        allOrNone: false,
        records: part.map(({ Id, ...values }) => ({ attributes: { type: object }, ...(operation === 'update' ? { id: Id } : {}), ...values })),
      });
      const answer = await this.call(
        () =>
          this.conn.request<unknown>({
            method: operation === 'insert' ? 'POST' : 'PATCH',
            url: `/services/data/v${this.version}/composite/sobjects`,
            body,
            headers: { 'Content-Type': 'application/json' },
          }),
        resendUnanswered ? retryVerdict : throttledOnly,
      );
      const saved = SaveResults.parse(answer);
      part.forEach((record, i) => {
        const result = saved[i];
        if (result?.success && (result.id || record.Id)) results.push({ ok: true, id: String(result.id ?? record.Id), created: operation === 'insert' });
        else results.push(failureOf(result?.errors[0]));
      });
    }
    return results;
  }

  /** PATCH /composite/sobjects/{object}/{externalIdField}: up to 200 records a request, each created or updated by its external id. */
  private async collectionUpsert(object: string, by: string, records: Record<string, SalesforceValue>[]): Promise<CrmWriteResult[]> {
    const results: CrmWriteResult[] = [];
    for (const part of chunks(records, COLLECTION_SIZE)) {
      const body = JSON.stringify({ allOrNone: false, records: part.map((values) => ({ attributes: { type: object }, ...values })) });
      const answer = await this.call(() =>
        this.conn.request<unknown>({ method: 'PATCH', url: `/services/data/v${this.version}/composite/sobjects/${object}/${by}`, body, headers: { 'Content-Type': 'application/json' } }),
      );
      const saved = SaveResults.parse(answer);
      part.forEach((_, i) => {
        const result = saved[i];
        results.push(result?.success && result.id ? { ok: true, id: result.id, created: result.created === true } : failureOf(result?.errors[0]));
      });
    }
    return results;
  }

  // --- Bulk API 2.0 ---

  /**
   * A job that fails part-way (state Failed after some records were processed) leaves the rest unprocessed:
   * Salesforce has not touched them, so they go once more in a job of their own — never a record twice. What is
   * still unprocessed after that is answered UNPROCESSED with the job's own words.
   */
  private async bulkWriteAll(object: string, operation: BulkOperation, records: Record<string, SalesforceValue>[]): Promise<CrmWriteResult[]> {
    const results = await this.bulkWrite(object, operation, records);
    const unprocessed = results.flatMap((r, i) => (!r.ok && r.vendorCode === UNPROCESSED ? [i] : []));
    if (unprocessed.length === 0 || unprocessed.length === records.length) return results;
    const again = await this.bulkWrite(
      object,
      operation,
      unprocessed.map((i) => records[i] as Record<string, SalesforceValue>),
    );
    unprocessed.forEach((at, n) => {
      const answer = again[n];
      if (answer) results[at] = answer;
    });
    return results;
  }

  /**
   * One ingest job: created, its CSV uploaded, closed, waited for, then its results matched back to the records.
   * Results come in no particular order but echo each row as uploaded, so rows are matched by their cells (an update
   * by its Id, an upsert by its external id); rows with identical cells are interchangeable, as they wrote the same
   * thing. An upsert's result says in sf__Created whether it made the record or updated the one holding its value.
   */
  private async bulkWrite(object: string, { operation, by }: BulkOperation, records: Record<string, SalesforceValue>[]): Promise<CrmWriteResult[]> {
    const { csv, rows } = bulkCsv(records, operation);
    const job = this.bulk.createJob({ object, operation, ...(by ? { externalIdFieldName: by } : {}), contentType: 'CSV', lineEnding: 'LF', columnDelimiter: 'COMMA' } as never);
    await this.call(() => job.open());
    const id = job.id as string;
    // Sent as one string body: jsforce's uploadData streams into the transport, which sends whole bodies under one timeout.
    await this.call(() =>
      this.conn.request({ method: 'PUT', url: `/services/data/v${this.version}/jobs/ingest/${id}/batches`, body: csv, headers: { 'Content-Type': 'text/csv' } }),
    );
    await this.call(() => job.close());
    const info = await this.waitForJob(job, id);
    const pending = new Map<string, number[]>();
    rows.forEach((row, i) => {
      const key = JSON.stringify(row);
      pending.set(key, [...(pending.get(key) ?? []), i]);
    });
    const results: (CrmWriteResult | undefined)[] = new Array(records.length);
    const take = (cells: string[]): number | undefined => {
      const queue = pending.get(JSON.stringify(cells));
      return queue?.shift();
    };
    const failedJob = info.state === 'Failed' ? (info.errorMessage ?? 'Salesforce could not process the job.') : null;
    if (failedJob !== null && !info.numberRecordsProcessed) {
      const code = /^(\w+)\s*:/.exec(failedJob)?.[1] ?? 'JOB_FAILED';
      return records.map(() => ({ ok: false, vendorCode: code, message: failedJob, fields: [] }));
    }
    // A completed job that counts no failed record has no failed results to read (one request fewer a job).
    const noFailures = failedJob === null && info.numberRecordsFailed === 0;
    const [succeeded, failed] = await Promise.all([
      this.call(() => job.getSuccessfulResults(true) as unknown as Promise<string>),
      noFailures ? Promise.resolve('') : this.call(() => job.getFailedResults(true) as unknown as Promise<string>),
    ]);
    const [successHeader = [], ...successRows] = parseResultsCsv(succeeded);
    const idAt = successHeader.indexOf('sf__Id');
    const createdAt = successHeader.indexOf('sf__Created');
    for (const row of successRows) {
      const index = take(row.slice(2));
      if (index !== undefined) results[index] = { ok: true, id: row[idAt] ?? '', created: row[createdAt] === 'true' };
    }
    const [failedHeader = [], ...failedRows] = parseResultsCsv(failed);
    const errorAt = failedHeader.indexOf('sf__Error');
    for (const row of failedRows) {
      const index = take(row.slice(2));
      if (index !== undefined) results[index] = bulkError(row[errorAt] ?? '');
    }
    const unprocessed = failedJob === null ? 'Salesforce did not process this record; send it again.' : `Salesforce stopped the job before this record (${failedJob}); send it again.`;
    // Array.from, not map: rows no result named are holes in `results`, which map would skip.
    return Array.from(results, (r) => r ?? { ok: false, vendorCode: UNPROCESSED, message: unprocessed, fields: [] });
  }

  private async waitForJob(job: ReturnType<BulkV2<never>['createJob']>, id: string): Promise<z.infer<typeof JobInfo>> {
    const sleep = this.options.sleep ?? realSleep;
    const deadline = Date.now() + (this.options.bulkPollTimeoutMs ?? 10 * 60_000);
    let wait = this.options.bulkPollIntervalMs ?? 250;
    for (;;) {
      const info = JobInfo.parse(await this.call(() => job.check()));
      if (info.state === 'JobComplete' || info.state === 'Failed') return info;
      if (info.state === 'Aborted') throw new CrmError('crm_error', `The Salesforce bulk job ${id} was aborted.`, 'Aborted', null, 409);
      if (Date.now() + wait > deadline) {
        // Aborted, the job processes no more records: the caller's lookups then see all it will ever have written.
        await this.call(() => job.abort()).catch(() => undefined);
        throw new CrmError('crm_unavailable', `Salesforce was still processing bulk job ${id}; it was aborted, and the records it wrote can be looked up.`, info.state, null, 503);
      }
      await sleep(wait);
      wait = Math.min(10_000, Math.round(wait * 1.5));
    }
  }

  // --- reading ---

  private selectList(described: Described, object: string, fields: string[]): string[] {
    const names = fields.map((f) => {
      const field = described.fieldOf(f);
      if (!field) throw new SelectionError(`"${f}" is not a field of ${object}`, 'INVALID_FIELD');
      return field.name;
    });
    return [...new Set(['Id', 'LastModifiedDate', ...names])];
  }

  private async queryAll(soql: string, described: Described, fields: string[]): Promise<CrmRecordRef[]> {
    const out: CrmRecordRef[] = [];
    let answer = QueryAnswer.parse(await this.call(async () => (await this.conn.query(soql)) as unknown));
    for (;;) {
      out.push(...answer.records.map((r) => this.toRef(r, described, fields)));
      const next = answer.nextRecordsUrl;
      if (answer.done || !next) return out;
      answer = QueryAnswer.parse(await this.call(() => this.conn.request<unknown>(next)));
    }
  }

  private toRef(record: Record<string, unknown>, described: Described, fields: string[]): CrmRecordRef {
    const names = fields.map((f) => described.fieldOf(f)?.name ?? f);
    const flat = flattenRecord(record, names, described.labels);
    const values: Record<string, string | null> = {};
    fields.forEach((f, i) => {
      values[f] = flat[names[i] as string] ?? null;
    });
    return { id: String(record.Id), modifiedAt: isoStamp(record.LastModifiedDate), values };
  }

  private describe(object: string): Promise<Described> {
    if (!OBJECT_NAME.test(object)) return Promise.reject(new SelectionError(`"${object}" is not a Salesforce object name`, 'INVALID_TYPE'));
    let pending = this.described.get(object);
    if (!pending) {
      pending = this.call(() => this.conn.describe(object)).then((answer) => {
        const fields = DescribeAnswer.parse(answer).fields;
        const labels = new Map<string, Map<string, string>>();
        for (const f of fields) if (f.picklistValues?.length) labels.set(f.name, new Map(f.picklistValues.map((p) => [p.value, p.label ?? p.value])));
        return {
          fields,
          fieldOf: fieldIndex(fields),
          filterable: new Set(fields.filter((f) => f.filterable).map((f) => f.name)),
          externalIds: new Set(fields.filter((f) => f.externalId).map((f) => f.name)),
          labels,
        };
      });
      pending.catch(() => this.described.delete(object));
      this.described.set(object, pending);
    }
    return pending;
  }

  /** One Salesforce call: renewed once on an expired session, retried on 5xx and rate limits, errors as CrmError. */
  private async call<T>(fn: () => Promise<T>, verdict: (e: unknown) => RetryVerdict = retryVerdict): Promise<T> {
    let renewed = false;
    const once = async () => {
      const sentWith = await this.tokens.current();
      this.conn.accessToken = sentWith;
      try {
        return await fn();
      } catch (e) {
        if (!(e instanceof SalesforceHttpError && e.status === 401) || renewed) throw e;
        renewed = true;
        this.conn.accessToken = await this.tokens.renew(sentWith);
        return await fn();
      }
    };
    try {
      return await withRetry(once, { policy: this.retry, verdict, sleep: this.options.sleep });
    } catch (e) {
      throw toCrmError(e);
    }
  }
}

/** A Bulk API 2.0 ingest job's operation; an upsert names the external id field its rows are matched by. */
type BulkOperation = { operation: 'insert' | 'update'; by?: undefined } | { operation: 'upsert'; by: string };

/** Creates sent once (CrmWriteOptions.resendCreates false): only a refusal for the API allowance, never applied, is retried. */
function throttledOnly(e: unknown): RetryVerdict {
  return e instanceof SalesforceHttpError && e.status === 403 ? retryVerdict(e) : { retryable: false };
}

function failureOf(error: { statusCode: string; message: string; fields?: string[] | undefined } | undefined): WriteFailure {
  if (!error) return { ok: false, vendorCode: 'UNKNOWN_EXCEPTION', message: 'Salesforce refused this record without saying why.', fields: [] };
  return { ok: false, vendorCode: error.statusCode, message: error.message, fields: error.fields ?? [] };
}
