import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeRecord } from './controlTypes.ts';
import { salesforceStamp, type FakeOrg } from './fakeOrg.ts';
import { findObject, type DescribeField, type ObjectMeta } from './objects.ts';
import { recordId } from './records.ts';
import type { WriteControl, WriteStats } from './writeTypes.ts';
import { handleBulkIngest } from './bulkIngest.ts';

/**
 * The REST API's write side as Salesforce documents it: sObject Collections create (POST) and update (PATCH) of up
 * to 200 records with allOrNone, whose answer is one SaveResult `{ id, success, errors: [{ statusCode, message,
 * fields }] }` per record in order; sObject Collections retrieve (GET composite/sobjects/{Object}?ids=&fields=);
 * Bulk API 2.0 ingest jobs (bulkIngest.ts). Every record is validated like an org does: unknown and read-only fields,
 * required fields, types, restricted picklists, email addresses, an optional duplicate rule. A saved record gets a
 * new LastModifiedDate and SystemModstamp, so pulls see the change.
 */

export type WriteCtx = { req: IncomingMessage; res: ServerResponse; url: URL; body: string };

export type SaveError = { statusCode: string; message: string; fields: string[] };
export type SaveResult = { id: string | null; success: boolean; errors: SaveError[]; created?: boolean };

type WriteState = { stats: WriteStats; control: Required<WriteControl>; created: number };

const states = new WeakMap<FakeOrg, WriteState>();

export function writeState(org: FakeOrg): WriteState {
  let state = states.get(org);
  if (!state) {
    state = {
      stats: { collectionCalls: 0, collectionRecords: 0, retrieveCalls: 0, bulkJobs: [] },
      control: { duplicateRule: null, bulkPollsBeforeComplete: 1, loseCollectionAnswers: 0, failNextBulkJobAfter: null },
      created: 0,
    };
    states.set(org, state);
  }
  return state;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendApiError(res: ServerResponse, status: number, errorCode: string, message: string): void {
  sendJson(res, status, [{ message, errorCode }]);
}

/** The users of a new org: its admin (who signed in), a marketer, a deactivated user, and an automated one (no person). */
export function orgUsers(org: { index: number; userId: string; userName: string }): FakeRecord[] {
  return [
    { Id: org.userId, Name: 'Ada Admin', Username: org.userName, Email: org.userName, IsActive: true, UserType: 'Standard' },
    { Id: recordId('005', org.index, 2).slice(0, 15), Name: "Seán O'Brien", Username: `sean@org${org.index}.example.com`, Email: `sean@org${org.index}.example.com`, IsActive: true, UserType: 'Standard' },
    { Id: recordId('005', org.index, 3).slice(0, 15), Name: 'Former Employee', Username: `former@org${org.index}.example.com`, Email: null, IsActive: false, UserType: 'Standard' },
    { Id: recordId('005', org.index, 4).slice(0, 15), Name: 'Automated Process', Username: `autoproc@org${org.index}.example.com`, Email: null, IsActive: true, UserType: 'AutomatedProcess' },
  ];
}

/** GET /__control/orgs/:n/writes: the counts; POST: change the org's write settings. */
export function writeControl(ctx: WriteCtx, org: FakeOrg): void {
  const state = writeState(org);
  if (ctx.req.method === 'POST') {
    const body = JSON.parse(ctx.body || '{}') as WriteControl;
    if (body.duplicateRule !== undefined) state.control.duplicateRule = body.duplicateRule;
    if (body.bulkPollsBeforeComplete !== undefined) state.control.bulkPollsBeforeComplete = body.bulkPollsBeforeComplete;
    if (body.loseCollectionAnswers !== undefined) state.control.loseCollectionAnswers = body.loseCollectionAnswers;
    if (body.failNextBulkJobAfter !== undefined) state.control.failNextBulkJobAfter = body.failNextBulkJobAfter;
  }
  sendJson(ctx.res, 200, state.stats);
}

/** Answers a write request of the REST API (`path` after /services/data/vXX.X); false when it is none. */
export function handleWrite(ctx: WriteCtx, org: FakeOrg, version: string, path: string): boolean {
  const method = ctx.req.method ?? 'GET';
  if (path === '/composite/sobjects' && (method === 'POST' || method === 'PATCH')) {
    collection(ctx, org, method === 'POST' ? 'create' : 'update');
    return true;
  }
  const upsert = /^\/composite\/sobjects\/([A-Za-z0-9_]+)\/([A-Za-z0-9_]+)$/.exec(path);
  if (upsert && method === 'PATCH') {
    collectionUpsert(ctx, org, upsert[1] as string, upsert[2] as string);
    return true;
  }
  const retrieve = /^\/composite\/sobjects\/([A-Za-z0-9_]+)$/.exec(path);
  if (retrieve && method === 'GET') {
    retrieveRecords(ctx, org, retrieve[1] as string);
    return true;
  }
  if (path.startsWith('/jobs/ingest')) return handleBulkIngest(ctx, org, version, path);
  return false;
}

function collection(ctx: WriteCtx, org: FakeOrg, mode: 'create' | 'update'): void {
  let body: { allOrNone?: boolean; records?: Record<string, unknown>[] };
  try {
    body = JSON.parse(ctx.body) as typeof body;
  } catch {
    return sendApiError(ctx.res, 400, 'JSON_PARSER_ERROR', 'Unexpected character: was expecting a JSON value');
  }
  const records = body.records ?? [];
  if (records.length > 200) return sendApiError(ctx.res, 400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call');
  const state = writeState(org);
  state.stats.collectionCalls++;
  state.stats.collectionRecords += records.length;
  if (body.allOrNone) return sendApiError(ctx.res, 400, 'INVALID_OPERATION', 'this fake answers allOrNone=false only');
  const results = records.map((record): SaveResult => {
    const { attributes, id, Id, ...values } = record as { attributes?: { type?: string }; id?: unknown; Id?: unknown } & Record<string, unknown>;
    const object = findObject(attributes?.type ?? '');
    if (!object || object.name === 'Organization') {
      return failure('INVALID_TYPE', `sObject type '${attributes?.type ?? ''}' is not supported.`);
    }
    if (mode === 'create') {
      if (id !== undefined || Id !== undefined) return failure('INVALID_FIELD', 'cannot specify Id in an insert call', ['Id']);
      return saveRecord(org, object, values, null);
    }
    const recordId = typeof id === 'string' ? id : typeof Id === 'string' ? Id : null;
    if (!recordId) return failure('MISSING_ARGUMENT', 'Id not specified in an update call', []);
    return saveRecord(org, object, values, recordId);
  });
  answerCollection(ctx, state, results.map(({ id, success, errors }) => ({ id, success, errors })));
}

/** A collection call's answers in order, unless a test asked to lose the answer: the writes above stand either way. */
function answerCollection(ctx: WriteCtx, state: WriteState, answers: unknown[]): void {
  if (state.control.loseCollectionAnswers > 0) {
    state.control.loseCollectionAnswers--;
    return sendApiError(ctx.res, 503, 'SERVER_UNAVAILABLE', 'Server temporarily unavailable, please try again later.');
  }
  sendJson(ctx.res, 200, answers);
}

/**
 * sObject Collections upsert (PATCH /composite/sobjects/{object}/{externalIdField}, API 46+): up to 200 records of
 * the object in the URL, no Id in them; each is matched by the external id field's value (upsertRecord) and answered
 * in order with `created`. Text external ids compare without case, as Salesforce's do unless marked case-sensitive.
 */
function collectionUpsert(ctx: WriteCtx, org: FakeOrg, objectName: string, fieldName: string): void {
  let body: { allOrNone?: boolean; records?: Record<string, unknown>[] };
  try {
    body = JSON.parse(ctx.body) as typeof body;
  } catch {
    return sendApiError(ctx.res, 400, 'JSON_PARSER_ERROR', 'Unexpected character: was expecting a JSON value');
  }
  const object = findObject(objectName);
  if (!object || object.name === 'Organization') return sendApiError(ctx.res, 404, 'NOT_FOUND', 'The requested resource does not exist');
  const key = org.describedFields(object).find((f) => f.name.toLowerCase() === fieldName.toLowerCase());
  if (!key?.externalId) return sendApiError(ctx.res, 400, 'INVALID_FIELD', `Provided external ID field does not exist or is not accessible: ${fieldName}`);
  const records = body.records ?? [];
  if (records.length > 200) return sendApiError(ctx.res, 400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call');
  if (body.allOrNone) return sendApiError(ctx.res, 400, 'INVALID_OPERATION', 'this fake answers allOrNone=false only');
  const state = writeState(org);
  state.stats.collectionCalls++;
  state.stats.collectionRecords += records.length;
  const twice = repeatedKeys(records.map((r) => r[key.name]));
  const results = records.map((record): SaveResult => {
    const { attributes, id, Id, ...values } = record as { attributes?: { type?: string }; id?: unknown; Id?: unknown } & Record<string, unknown>;
    if (attributes?.type !== object.name) return failure('INVALID_TYPE', `sObject type '${attributes?.type ?? ''}' does not match the URL's ${object.name}.`);
    if (id !== undefined || Id !== undefined) return failure('INVALID_FIELD', 'cannot specify Id in an upsert by external id', ['Id']);
    return upsertRecord(org, object, key, values, twice);
  });
  answerCollection(ctx, state, results.map(({ id, success, errors, created }) => ({ id, success, errors, created: created ?? false })));
}

/** External id values (as Salesforce compares them, without case) that more than one record of a request holds. */
export function repeatedKeys(values: readonly unknown[]): Set<string> {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const value of values) {
    const key = externalKey(value);
    if (key === null) continue;
    if (seen.has(key)) twice.add(key);
    seen.add(key);
  }
  return twice;
}

function externalKey(value: unknown): string | null {
  if (value === null || value === undefined || typeof value === 'object') return null;
  const text = String(value).trim();
  return text === '' ? null : text.toLowerCase();
}

/**
 * One upsert by an external id field, as Salesforce answers it in sObject Collections and Bulk API 2.0 alike: no
 * value — MISSING_ARGUMENT; a value another record of the same request has too — DUPLICATE_VALUE, for each of them
 * (Salesforce cannot tell which should win, so neither is written); otherwise matched against the org's records —
 * none: created, one: updated, several: DUPLICATE_EXTERNAL_ID. `created` says which.
 */
export function upsertRecord(org: FakeOrg, object: ObjectMeta, key: DescribeField, values: Record<string, unknown>, repeated: ReadonlySet<string>): SaveResult {
  const wanted = externalKey(values[key.name]);
  if (wanted === null) return failure('MISSING_ARGUMENT', `${key.name} not specified`, [key.name]);
  if (repeated.has(wanted)) return failure('DUPLICATE_VALUE', `Duplicate external id specified: ${String(values[key.name])}`, [key.name]);
  const matches = org
    .recordIndex(object.name)
    .candidates(key.name, [wanted])
    .filter((r) => r.IsDeleted !== true && externalKey(r[key.name]) === wanted);
  if (matches.length > 1) return failure('DUPLICATE_EXTERNAL_ID', `${key.label}: more than one record found for external id field: [${matches.map((m) => String(m.Id)).join(', ')}]`, [key.name]);
  const saved = saveRecord(org, object, values, matches[0] ? String(matches[0].Id) : null);
  return { ...saved, created: saved.success && !matches[0] };
}

function retrieveRecords(ctx: WriteCtx, org: FakeOrg, objectName: string): void {
  const object = findObject(objectName);
  if (!object) return sendApiError(ctx.res, 404, 'NOT_FOUND', 'The requested resource does not exist');
  const ids = (ctx.url.searchParams.get('ids') ?? '').split(',').filter(Boolean);
  const names = (ctx.url.searchParams.get('fields') ?? '').split(',').filter(Boolean);
  if (!ids.length || !names.length) return sendApiError(ctx.res, 400, 'MISSING_ARGUMENT', 'ids and fields are required');
  if (ids.length > 2000) return sendApiError(ctx.res, 400, 'EXCEEDED_ID_LIMIT', 'cannot retrieve more than 2000 records');
  const fields: DescribeField[] = [];
  for (const name of names) {
    const field = fieldOf(object, name);
    if (!field) return sendApiError(ctx.res, 400, 'INVALID_FIELD', `No such column '${name}' on sobject of type ${object.name}`);
    fields.push(field);
  }
  writeState(org).stats.retrieveCalls++;
  const index = org.recordIndex(object.name);
  sendJson(
    ctx.res,
    200,
    ids.map((id) => {
      const record = index.candidates('Id15', [id.slice(0, 15)]).find((r) => sameId(r.Id, id) && r.IsDeleted !== true);
      if (!record) return null;
      const out: Record<string, unknown> = { attributes: { type: object.name, url: `/services/data/v62.0/sobjects/${object.name}/${String(record.Id)}` } };
      for (const f of fields) out[f.name] = record[f.name] ?? null;
      out.Id = record.Id;
      return out;
    }),
  );
}

/** Salesforce compares ids case-sensitively, but an 18-character id names the same record as its first 15. */
function sameId(stored: unknown, given: string): boolean {
  return typeof stored === 'string' && (stored === given || stored.slice(0, 15) === given.slice(0, 15));
}

function fieldOf(object: ObjectMeta, name: string): DescribeField | undefined {
  const lower = name.toLowerCase();
  return object.fields.find((f) => f.name.toLowerCase() === lower);
}

function failure(statusCode: string, message: string, fields: string[] = []): SaveResult {
  return { id: null, success: false, errors: [{ statusCode, message, fields }] };
}

const TEXT = new Set(['string', 'email', 'phone', 'url', 'textarea', 'picklist', 'multipicklist']);
const NUMBER = new Set(['int', 'double', 'currency', 'percent']);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ID = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/;

/** A value of the field's type, or the SaveError Salesforce answers for it. */
function checkValue(field: DescribeField, value: unknown): SaveError | null {
  if (value === null) return null;
  const wrongType = (): SaveError => ({ statusCode: 'INVALID_TYPE_ON_FIELD_IN_RECORD', message: `${field.label}: value not of required type: ${String(value)}`, fields: [field.name] });
  if (TEXT.has(field.type)) {
    if (typeof value !== 'string') return wrongType();
    if (value.length > field.length) {
      return { statusCode: 'STRING_TOO_LONG', message: `${field.label}: data value too large: ${value.slice(0, 40)} (max length=${field.length})`, fields: [field.name] };
    }
    if (field.type === 'email' && value !== '' && !EMAIL.test(value)) {
      return { statusCode: 'INVALID_EMAIL_ADDRESS', message: `${field.label}: invalid email address: ${value}`, fields: [field.name] };
    }
    if (field.type === 'picklist' && field.restrictedPicklist && !field.picklistValues.some((p) => p.active && p.value === value)) {
      return { statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', message: `${field.label}: bad value for restricted picklist field: ${value}`, fields: [field.name] };
    }
    return null;
  }
  if (NUMBER.has(field.type)) return typeof value === 'number' && Number.isFinite(value) && (field.type !== 'int' || Number.isInteger(value)) ? null : wrongType();
  if (field.type === 'boolean') return typeof value === 'boolean' ? null : wrongType();
  if (field.type === 'date') return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)) ? null : wrongType();
  if (field.type === 'datetime') return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? null : wrongType();
  if (field.type === 'reference') {
    return typeof value === 'string' && ID.test(value) ? null : { statusCode: 'MALFORMED_ID', message: `${field.label}: id value of incorrect type: ${String(value)}`, fields: [field.name] };
  }
  return wrongType();
}

/**
 * Validates one record the way an org does (in this order: fields exist and are writable, values fit their types,
 * required fields, duplicate rule) and saves it: a new record when `id` is null, else an update of that record.
 */
export function saveRecord(org: FakeOrg, object: ObjectMeta, values: Record<string, unknown>, id: string | null): SaveResult {
  const stored = org.records.get(object.name);
  if (!stored) return failure('INVALID_TYPE', `sObject type '${object.name}' is not supported.`);
  let existing: FakeRecord | undefined;
  if (id !== null) {
    if (!ID.test(id) || !id.startsWith(object.keyPrefix)) return failure('MALFORMED_ID', `${object.label} ID: id value of incorrect type: ${id}`, ['Id']);
    existing = org.recordIndex(object.name).candidates('Id15', [id.slice(0, 15)]).find((r) => sameId(r.Id, id));
    if (!existing) return failure('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
    if (existing.IsDeleted === true) return failure('ENTITY_IS_DELETED', 'entity is deleted');
  }
  const clean: FakeRecord = {};
  const readOnly: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    const field = fieldOf(object, name);
    if (!field) return failure('INVALID_FIELD', `No such column '${name}' on sobject of type ${object.name}`, [name]);
    if (!(id === null ? field.createable : field.updateable)) {
      readOnly.push(field.name);
      continue;
    }
    const problem = checkValue(field, value);
    if (problem) return { id: existing ? String(existing.Id) : null, success: false, errors: [problem] };
    clean[field.name] = value === '' ? null : (value as FakeRecord[string]);
  }
  if (readOnly.length) {
    return failure(
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      readOnly,
    );
  }
  const after = { ...existing, ...clean };
  const missing = object.fields.filter((f) => (!f.nillable || org.requiredFields.has(`${object.name}.${f.name}`)) && f.createable && !f.defaultedOnCreate && (after[f.name] === undefined || after[f.name] === null)).map((f) => f.name);
  if (missing.length) return failure('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
  const rule = writeState(org).control.duplicateRule;
  if (rule && rule.object === object.name) {
    const wanted = after[rule.field];
    const twin =
      typeof wanted === 'string' &&
      org
        .recordIndex(object.name)
        .candidates(rule.field, [wanted])
        .some((r) => r !== existing && r.IsDeleted !== true && typeof r[rule.field] === 'string' && String(r[rule.field]).toLowerCase() === wanted.toLowerCase());
    if (twin) return failure('DUPLICATES_DETECTED', 'Use one of these records?');
  }
  const stamp = salesforceStamp(new Date());
  if (existing) {
    Object.assign(existing, clean, { LastModifiedDate: stamp, SystemModstamp: stamp, LastModifiedById: org.userId });
    org.recordIndex(object.name).noted(existing);
    return { id: String(existing.Id), success: true, errors: [], created: false };
  }
  const state = writeState(org);
  const newId = recordId(object.keyPrefix, org.index, 700_000 + ++state.created);
  const created: FakeRecord = { OwnerId: org.userId, ...clean, Id: newId, IsDeleted: false, CreatedDate: stamp, CreatedById: org.userId, LastModifiedDate: stamp, SystemModstamp: stamp };
  stored.push(created);
  org.recordIndex(object.name).noted(created);
  return { id: newId, success: true, errors: [], created: true };
}
