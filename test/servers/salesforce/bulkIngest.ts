import { randomBytes } from 'node:crypto';
import Papa from 'papaparse';
import type { FakeOrg } from './fakeOrg.ts';
import { findObject, type DescribeField, type ObjectMeta } from './objects.ts';
import { repeatedKeys, saveRecord, sendApiError, sendJson, upsertRecord, writeState, type SaveResult, type WriteCtx } from './writes.ts';

/**
 * Bulk API 2.0 ingest as Salesforce documents it: create a job (POST jobs/ingest: object, operation insert / update /
 * upsert by externalIdFieldName — an external id field of the object, else INVALIDJOB —, contentType CSV, lineEnding
 * LF|CRLF), upload its CSV (PUT …/batches, 201), close it
 * (PATCH state UploadComplete, or Aborted), poll the job info (UploadComplete → InProgress → JobComplete / Failed,
 * numberRecordsProcessed / numberRecordsFailed), then read the results as CSV: successfulResults (sf__Id, sf__Created,
 * then the row as uploaded; sf__Created "true" when an upsert made the record), failedResults (sf__Id, sf__Error
 * "CODE:message:fields --", then the row), unprocessedrecords. An upsert row is matched like a Collections upsert
 * (writes.ts upsertRecord): no value MISSING_ARGUMENT, a value other rows of the job share DUPLICATE_VALUE, several
 * records holding it DUPLICATE_EXTERNAL_ID. In the CSV an empty cell leaves a field as it is and #N/A empties it.
 * Results come in no particular order, as Salesforce warns.
 */

type Job = {
  id: string;
  object: ObjectMeta;
  operation: 'insert' | 'update' | 'upsert';
  externalIdFieldName: string | null;
  lineEnding: 'LF' | 'CRLF';
  state: 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  createdDate: string;
  csv: string;
  pollsLeft: number;
  errorMessage: string | null;
  header: string[];
  succeeded: { id: string; created: boolean; row: string[] }[];
  failed: { id: string; error: string; row: string[] }[];
  /** Rows a failed job never reached: not written. */
  unprocessed: string[][];
};

const jobs = new WeakMap<FakeOrg, Map<string, Job>>();

function jobsOf(org: FakeOrg): Map<string, Job> {
  let map = jobs.get(org);
  if (!map) {
    map = new Map();
    jobs.set(org, map);
  }
  return map;
}

function info(job: Job, version: string) {
  return {
    id: job.id,
    operation: job.operation,
    object: job.object.name,
    createdById: '005000000000001',
    createdDate: job.createdDate,
    systemModstamp: job.createdDate,
    state: job.state,
    ...(job.externalIdFieldName ? { externalIdFieldName: job.externalIdFieldName } : {}),
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: Number(version.slice(1)),
    jobType: 'V2Ingest',
    contentUrl: `services/data/${version}/jobs/ingest/${job.id}/batches`,
    lineEnding: job.lineEnding,
    columnDelimiter: 'COMMA',
    numberRecordsProcessed: job.succeeded.length + job.failed.length,
    numberRecordsFailed: job.failed.length,
    retries: 0,
    totalProcessingTime: 0,
    ...(job.errorMessage ? { errorMessage: job.errorMessage } : {}),
  };
}

function csvText(res: WriteCtx['res'], text: string): void {
  res.writeHead(200, { 'content-type': 'text/csv', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function handleBulkIngest(ctx: WriteCtx, org: FakeOrg, version: string, path: string): boolean {
  const method = ctx.req.method ?? 'GET';
  const all = jobsOf(org);
  if (path === '/jobs/ingest' && method === 'POST') {
    createJob(ctx, org, version);
    return true;
  }
  const m = /^\/jobs\/ingest\/(750[A-Za-z0-9]{12,15})(\/batches|\/successfulResults|\/failedResults|\/unprocessedrecords)?$/.exec(path);
  const job = m ? all.get(m[1] as string) : undefined;
  if (!m || !job) {
    sendApiError(ctx.res, 404, 'NOT_FOUND', 'The requested resource does not exist');
    return true;
  }
  const part = m[2];
  if (part === '/batches' && method === 'PUT') {
    if (job.state !== 'Open') {
      sendApiError(ctx.res, 409, 'INVALIDJOBSTATE', `Job ${job.id} is not open for data uploads. Its state is ${job.state}.`);
      return true;
    }
    if (!(ctx.req.headers['content-type'] ?? '').startsWith('text/csv')) {
      sendApiError(ctx.res, 400, 'INVALIDCONTENTTYPE', 'Content-Type must be text/csv');
      return true;
    }
    job.csv += ctx.body;
    ctx.res.writeHead(201).end();
    return true;
  }
  if (!part && method === 'PATCH') {
    const wanted = (JSON.parse(ctx.body || '{}') as { state?: string }).state;
    if (wanted === 'UploadComplete' && job.state === 'Open') {
      job.state = 'UploadComplete';
      process(org, job);
    } else if (wanted === 'Aborted' && ['Open', 'UploadComplete', 'InProgress'].includes(job.state)) {
      job.state = 'Aborted';
    } else {
      sendApiError(ctx.res, 400, 'INVALIDJOBSTATE', `Cannot change the state of job ${job.id} from ${job.state} to ${String(wanted)}.`);
      return true;
    }
    sendJson(ctx.res, 200, info(job, version));
    return true;
  }
  if (!part && method === 'GET') {
    if (job.state === 'UploadComplete' || job.state === 'InProgress') {
      if (job.pollsLeft > 0) {
        job.pollsLeft--;
        job.state = 'InProgress';
      } else {
        job.state = job.errorMessage ? 'Failed' : 'JobComplete';
      }
    }
    sendJson(ctx.res, 200, info(job, version));
    return true;
  }
  if (!part && method === 'DELETE') {
    all.delete(job.id);
    ctx.res.writeHead(204).end();
    return true;
  }
  if (part && method === 'GET') {
    if (job.state !== 'JobComplete' && job.state !== 'Failed' && job.state !== 'Aborted') {
      sendApiError(ctx.res, 400, 'INVALIDJOBSTATE', `Job ${job.id} is not complete yet.`);
      return true;
    }
    if (part === '/successfulResults') {
      csvText(ctx.res, unparse(['sf__Id', 'sf__Created', ...job.header], job.succeeded.map((s) => [s.id, String(s.created), ...s.row])));
    } else if (part === '/failedResults') {
      csvText(ctx.res, unparse(['sf__Id', 'sf__Error', ...job.header], job.failed.map((f) => [f.id, f.error, ...f.row])));
    } else {
      csvText(ctx.res, unparse(job.header, job.unprocessed));
    }
    return true;
  }
  sendApiError(ctx.res, 405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed.`);
  return true;
}

function unparse(header: string[], rows: string[][]): string {
  return Papa.unparse({ fields: header, data: rows }, { quotes: true, newline: '\n' });
}

function createJob(ctx: WriteCtx, org: FakeOrg, version: string): void {
  const body = JSON.parse(ctx.body || '{}') as { object?: string; operation?: string; externalIdFieldName?: string; contentType?: string; lineEnding?: string };
  const object = findObject(body.object ?? '');
  if (!object || object.name === 'Organization') return sendApiError(ctx.res, 400, 'INVALIDENTITY', `Entity '${body.object ?? ''}' is not supported by the Bulk API.`);
  if (body.operation !== 'insert' && body.operation !== 'update' && body.operation !== 'upsert') {
    return sendApiError(ctx.res, 400, 'INVALIDJOB', `InvalidJob : Invalid operation: ${String(body.operation)}`);
  }
  if (body.operation === 'upsert' && !body.externalIdFieldName) return sendApiError(ctx.res, 400, 'INVALIDJOB', 'InvalidJob : External ID was blank for upsert');
  // Salesforce also upserts by Id and idLookup fields; the fake knows external id fields only.
  const key = body.operation === 'upsert' ? org.describedFields(object).find((f) => f.name.toLowerCase() === body.externalIdFieldName?.toLowerCase()) : undefined;
  if (body.operation === 'upsert' && !key?.externalId) {
    return sendApiError(ctx.res, 400, 'INVALIDJOB', `InvalidJob : Field name provided, ${String(body.externalIdFieldName)} does not match an External ID, Salesforce Id, or indexed field for ${object.name}`);
  }
  if (body.contentType !== undefined && body.contentType !== 'CSV') return sendApiError(ctx.res, 400, 'INVALIDJOB', 'InvalidJob : Only CSV is supported');
  const job: Job = {
    id: `750${randomBytes(8).toString('hex').slice(0, 12)}`,
    object,
    operation: body.operation,
    externalIdFieldName: key?.name ?? null,
    lineEnding: body.lineEnding === 'CRLF' ? 'CRLF' : 'LF',
    state: 'Open',
    createdDate: new Date().toISOString().replace('Z', '+0000'),
    csv: '',
    pollsLeft: writeState(org).control.bulkPollsBeforeComplete,
    errorMessage: null,
    header: [],
    succeeded: [],
    failed: [],
    unprocessed: [],
  };
  jobsOf(org).set(job.id, job);
  writeState(org).stats.bulkJobs.push({ id: job.id, object: object.name, operation: job.operation, state: 'Open', records: 0, failed: 0 });
  sendJson(ctx.res, 200, info(job, version));
}

/** A CSV cell as the field's value: empty leaves the field alone (undefined), #N/A empties it. */
function cellValue(field: DescribeField, cell: string): unknown {
  if (cell === '') return undefined;
  if (cell === '#N/A') return null;
  if (field.type === 'boolean') return /^(true|1)$/i.test(cell) ? true : /^(false|0)$/i.test(cell) ? false : cell;
  if (['int', 'double', 'currency', 'percent'].includes(field.type)) return /^[+-]?\d+(\.\d+)?$/.test(cell) ? Number(cell) : cell;
  return cell;
}

function process(org: FakeOrg, job: Job): void {
  const stat = writeState(org).stats.bulkJobs.find((j) => j.id === job.id);
  const crlf = job.csv.includes('\r\n');
  if (crlf !== (job.lineEnding === 'CRLF') && job.csv.includes('\n')) {
    job.errorMessage = `ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is ${job.lineEnding}`;
    return;
  }
  const parsed = Papa.parse<string[]>(job.csv, { skipEmptyLines: true });
  const [header = [], ...rows] = parsed.data;
  job.header = header;
  const fields: (DescribeField | null)[] = [];
  for (const name of header) {
    const field = job.object.fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
    if (!field) {
      job.errorMessage = `InvalidBatch : Field name not found : ${name}`;
      return;
    }
    fields.push(field.name === 'Id' ? null : field);
  }
  const idColumn = header.findIndex((h) => h.toLowerCase() === 'id');
  const key = job.externalIdFieldName ? org.describedFields(job.object).find((f) => f.name === job.externalIdFieldName) : undefined;
  const keyColumn = key ? header.findIndex((h) => h.toLowerCase() === key.name.toLowerCase()) : -1;
  // Rows of one job sharing an external id value are all refused: Salesforce cannot tell which should win.
  const repeated = key ? repeatedKeys(rows.map((row) => (keyColumn >= 0 ? row[keyColumn] : undefined))) : new Set<string>();
  const control = writeState(org).control;
  const stopAfter = control.failNextBulkJobAfter;
  control.failNextBulkJobAfter = null;
  for (const [n, row] of rows.entries()) {
    if (stopAfter !== null && n >= stopAfter) {
      job.unprocessed = rows.slice(n);
      job.errorMessage = 'InternalServerError : The job stopped before all its records were processed.';
      break;
    }
    const values: Record<string, unknown> = {};
    fields.forEach((field, i) => {
      if (!field) return;
      const value = cellValue(field, row[i] ?? '');
      if (value !== undefined) values[field.name] = value;
    });
    const id = job.operation === 'update' ? row[idColumn] || null : null;
    const result: SaveResult =
      job.operation === 'upsert' && key
        ? upsertRecord(org, job.object, key, values, repeated)
        : job.operation === 'update' && !id
          ? { id: null, success: false, errors: [{ statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: [] }] }
          : saveRecord(org, job.object, values, id);
    if (result.success && result.id) job.succeeded.push({ id: result.id, created: result.created === true, row });
    else {
      const e = result.errors[0];
      job.failed.push({ id: result.id ?? '', error: e ? `${e.statusCode}:${e.message}:${e.fields.join(',')} --` : 'UNKNOWN_EXCEPTION:unknown --', row });
    }
  }
  if (stat) {
    stat.records = rows.length;
    stat.failed = job.failed.length;
    stat.state = job.errorMessage ? 'Failed' : 'JobComplete';
  }
}
