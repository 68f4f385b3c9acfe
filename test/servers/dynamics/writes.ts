// The fake Dataverse's write side, from Microsoft's Web API documentation: create (POST <set>), update (PATCH
// <set>(<id>) with If-Match: *, else an upsert), upsert by alternate key (PATCH contacts(emailaddress1='…'), the one
// key defined here), $batch (multipart/mixed; change sets run as one transaction and answer with their Content-IDs;
// Prefer: odata.continue-on-error keeps going after a failure), CreateMultiple / UpdateMultiple (Targets with
// @odata.type, one transaction for the whole list on standard tables), and the systemusers table.
//
// Refusals carry Dataverse's error shape { error: { code, message } }. Codes and messages follow what Dataverse
// answers as far as its public documentation and forums show them; they could not all be checked against a live
// environment, so the writer treats them as opaque text. Every saved row gets a new modifiedon, so pulls see it.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { USERS, type FakeAttribute, type FakeEnvironment, type FakeTable } from './tables.ts';
import { tableIndex } from './tableIndex.ts';
import type { DataverseWriteControl, DataverseWriteStats } from './writeTypes.ts';

const API = '/api/data/v9.2/';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Users as systemusers answers them: the sign-in users of tables.ts, and one who left (disabled). */
export const SYSTEM_USERS = [
  ...USERS.map((u) => ({ systemuserid: u.systemuserid, fullname: u.fullname, internalemailaddress: u.domainname, isdisabled: false })),
  { systemuserid: '5e000000-0000-4003-8015-000000000003', fullname: 'Former Employee', internalemailaddress: null, isdisabled: true },
];

/** Alternate keys defined in this environment, by table: the columns that identify a row for an upsert. */
export const ALTERNATE_KEYS: Record<string, string[]> = { contact: ['emailaddress1'] };

/**
 * Columns a write must leave filled: RequiredLevel SystemRequired or ApplicationRequired, but for those Dataverse
 * fills itself (owner, status, the primary key). Real Dataverse checks only system-required columns on API writes
 * (forms, business rules and plug-ins enforce the others); enforcing both here lets the writer's handling of the
 * refusal be tested.
 */
function requiredColumns(table: FakeTable): string[] {
  const filled = new Set(['ownerid', 'statecode', 'statuscode', table.PrimaryIdAttribute]);
  return table.attributes.filter((a) => !a.AttributeOf && a.RequiredLevel.Value !== 'None' && a.RequiredLevel.Value !== 'Recommended' && !filled.has(a.LogicalName)).map((a) => a.LogicalName);
}

type Tenant = { stats: DataverseWriteStats; control: Required<DataverseWriteControl> };
const tenants = new Map<string, Tenant>();

function tenantOf(id: string): Tenant {
  let t = tenants.get(id);
  if (!t) {
    t = { stats: { batches: 0, batchOperations: 0, createMultiple: 0, updateMultiple: 0, singleWrites: 0 }, control: { duplicateRule: null, loseBatchAnswers: 0, batchDelayMs: 0 } };
    tenants.set(id, t);
  }
  return t;
}

export type Answer = { status: number; headers: Record<string, string>; body: unknown };

export type WriteRequest = {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The path after /api/data/v9.2/, decoded. */
  path: string;
  tenant: string;
  userId: string;
  base: string;
  /** This tenant's own environment (copied from the shared one on the first write, so writes never leak between test files). */
  environment: () => FakeEnvironment;
  log: (status: number) => void;
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function error(status: number, code: string, message: string): Answer {
  return { status, headers: {}, body: { error: { code, message } } };
}

function send(res: ServerResponse, answer: Answer): void {
  if (answer.body === null) {
    res.writeHead(answer.status, { 'OData-Version': '4.0', ...answer.headers }).end();
    return;
  }
  res.writeHead(answer.status, { 'Content-Type': 'application/json; odata.metadata=minimal', 'OData-Version': '4.0', ...answer.headers });
  res.end(JSON.stringify(answer.body));
}

/** /_fake/writes?tenant=: GET the counts, POST a DataverseWriteControl. */
export async function writeControl(req: IncomingMessage, res: ServerResponse, tenant: string): Promise<void> {
  const t = tenantOf(tenant);
  if (req.method === 'POST') {
    const body = JSON.parse((await readBody(req)) || '{}') as DataverseWriteControl;
    if (body.duplicateRule !== undefined) t.control.duplicateRule = body.duplicateRule;
    if (body.loseBatchAnswers !== undefined) t.control.loseBatchAnswers = body.loseBatchAnswers;
    if (body.batchDelayMs !== undefined) t.control.batchDelayMs = body.batchDelayMs;
  }
  send(res, { status: 200, headers: {}, body: t.stats });
}

/** Answers a write (or systemusers) request; false when the request is none of those. */
export async function handleWrite(w: WriteRequest): Promise<boolean> {
  const method = w.req.method ?? 'GET';
  // Answered here while the environment has no systemuser rows of its own (a systemuser table with rows is queried like any table).
  if (w.path === 'systemusers' && method === 'GET' && !w.environment().tables.get('systemuser')?.rows.length) {
    const select = (w.url.searchParams.get('$select') ?? '').split(',').filter(Boolean);
    const value = SYSTEM_USERS.map((u) => (select.length ? Object.fromEntries(select.map((k) => [k, (u as Record<string, unknown>)[k] ?? null])) : u));
    w.log(200);
    send(w.res, { status: 200, headers: {}, body: { '@odata.context': `${w.base}${API}$metadata#systemusers`, value } });
    return true;
  }
  if (method !== 'POST' && method !== 'PATCH') return false;
  const t = tenantOf(w.tenant);
  const body = await readBody(w.req);
  if (w.path === '$batch' && method === 'POST') {
    if (t.control.batchDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, t.control.batchDelayMs));
    const answer = batch(w, t, body);
    if (t.control.loseBatchAnswers > 0) {
      t.control.loseBatchAnswers--;
      w.log(503);
      send(w.res, error(503, '0x80040216', 'An unexpected error occurred.'));
      return true;
    }
    w.log(answer.status);
    w.res.writeHead(answer.status, answer.headers).end(answer.text);
    return true;
  }
  const multiple = /^([a-z_0-9]+)\/Microsoft\.Dynamics\.CRM\.(CreateMultiple|UpdateMultiple)$/.exec(w.path);
  if (multiple && method === 'POST') {
    const answer = writeMultiple(w, t, multiple[1] as string, multiple[2] as 'CreateMultiple' | 'UpdateMultiple', body);
    w.log(answer.status);
    send(w.res, answer);
    return true;
  }
  t.stats.singleWrites++;
  const headers = Object.fromEntries(Object.entries(w.req.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const prepared = prepare(w, t, method, w.path, headers, body);
  const answer = 'apply' in prepared ? prepared.apply() : prepared;
  w.log(answer.status);
  send(w.res, answer);
  return true;
}

type Prepared = Answer | { apply: () => Answer };

function parseJson(body: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(body);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function nowStamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const TYPE_NAMES: Record<string, string> = { Integer: 'Edm.Int32', BigInt: 'Edm.Int64', Money: 'Edm.Decimal', Decimal: 'Edm.Decimal', Double: 'Edm.Double', Boolean: 'Edm.Boolean', DateTime: 'Edm.DateTimeOffset', String: 'Edm.String', Memo: 'Edm.String' };

/** One column's value as the row will hold it, or Dataverse's refusal. */
function checkColumn(table: FakeTable, attribute: FakeAttribute, value: unknown): Answer | null {
  if (value === null) return null;
  const cannotConvert = () => error(400, '0x80048d19', `Cannot convert the literal '${String(value)}' to the expected type '${TYPE_NAMES[attribute.AttributeType] ?? 'Edm.String'}'.`);
  switch (attribute.AttributeType) {
    case 'String':
    case 'Memo':
      return typeof value === 'string' ? null : cannotConvert();
    case 'Picklist':
    case 'State':
    case 'Status': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return cannotConvert();
      const accepted = (attribute.options ?? []).map((o) => o.Value);
      return accepted.includes(value)
        ? null
        : error(400, '0x8004431a', `A validation error occurred. The value ${value} of '${attribute.LogicalName}' on record of type '${table.LogicalName}' is outside the valid range. Accepted Values: ${accepted.join(',')}`);
    }
    case 'Virtual': {
      if (typeof value !== 'string') return cannotConvert();
      const accepted = (attribute.options ?? []).map((o) => o.Value);
      const bad = value.split(',').find((v) => !accepted.includes(Number(v)));
      return bad === undefined ? null : error(400, '0x8004431a', `A validation error occurred. The value ${bad} of '${attribute.LogicalName}' on record of type '${table.LogicalName}' is outside the valid range. Accepted Values: ${accepted.join(',')}`);
    }
    case 'Boolean':
      return typeof value === 'boolean' ? null : cannotConvert();
    case 'Integer':
    case 'BigInt':
      return typeof value === 'number' && Number.isInteger(value) ? null : cannotConvert();
    case 'Money':
    case 'Decimal':
    case 'Double':
      return typeof value === 'number' && Number.isFinite(value) ? null : cannotConvert();
    case 'DateTime':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? null : cannotConvert();
    case 'Uniqueidentifier':
      return typeof value === 'string' && GUID.test(value) ? null : cannotConvert();
    default:
      return error(400, '0x80048d19', `The property '${attribute.LogicalName}' cannot be written.`);
  }
}

/** `nav@odata.bind` → the lookup column it sets and the row it points to, or the refusal. */
function bind(env: FakeEnvironment, table: FakeTable, navigation: string, value: unknown): { column: string; id: string | null; type: string } | Answer {
  const targets: Record<string, { column: string; type: string }> = {
    ownerid: { column: 'ownerid', type: 'systemuser' },
    parentcustomerid_account: { column: 'parentcustomerid', type: 'account' },
    parentcustomerid_contact: { column: 'parentcustomerid', type: 'contact' },
  };
  const target = targets[navigation];
  if (!target || !table.attributes.some((a) => a.LogicalName === target.column)) {
    return error(400, '0x80060888', `An undeclared property '${navigation}' which only has property annotations in the payload but no property value was found in the payload.`);
  }
  if (value === null) return { column: target.column, id: null, type: target.type };
  const m = /^\/?([a-z_0-9]+)\(([0-9a-f-]{36})\)$/i.exec(String(value));
  const id = m?.[2]?.toLowerCase();
  if (!m || !id) return error(400, '0x80060888', `The URI '${String(value)}' is not valid for binding to '${navigation}'.`);
  const targetTable = env.tables.get(target.type);
  const byId = (table: FakeTable) => tableIndex(table).candidates(table.PrimaryIdAttribute, [id]).some((r) => r[table.PrimaryIdAttribute] === id);
  const exists = (target.type === 'systemuser' && SYSTEM_USERS.some((u) => u.systemuserid === id)) || (targetTable !== undefined && byId(targetTable));
  if (!exists) return error(404, '0x80040217', `${target.type} With Id = ${id} Does Not Exist`);
  return { column: target.column, id, type: target.type };
}

/**
 * Validates one create / update / upsert (columns exist and are writable, values fit, lookups point somewhere,
 * required columns, the duplicate rule) without changing anything; `apply` then saves it.
 */
function prepare(w: WriteRequest, t: Tenant, method: string, target: string, headers: Record<string, string>, body: string): Prepared {
  const env = w.environment();
  const create = /^([a-z_0-9]+)$/.exec(target);
  const byId = /^([a-z_0-9]+)\(([0-9a-f-]{36})\)$/i.exec(target);
  const byKey = /^([a-z_0-9]+)\(([a-z_0-9]+)='((?:[^']|'')*)'\)$/.exec(target);
  const set = (create ?? byId ?? byKey)?.[1];
  const table = set ? env.bySet.get(set) : undefined;
  if (!table || (create && method !== 'POST') || (!create && method !== 'PATCH')) return error(404, '0x80060888', `Resource not found for the segment '${target}'.`);
  const values = parseJson(body);
  if (!values) return error(400, '0x80048d19', 'The request body is not a JSON object.');
  let existing: Record<string, unknown> | undefined;
  let newId: string | null = null;
  if (byId) {
    const id = (byId[2] as string).toLowerCase();
    existing = tableIndex(table)
      .candidates(table.PrimaryIdAttribute, [id])
      .find((r) => r[table.PrimaryIdAttribute] === id);
    if (!existing && headers['if-match'] === '*') return error(404, '0x80040217', `${table.LogicalName} With Id = ${id} Does Not Exist`);
    if (!existing) newId = id;
  } else if (byKey) {
    const [, , column, quoted] = byKey as unknown as [string, string, string, string];
    if (!(ALTERNATE_KEYS[table.LogicalName] ?? []).includes(column)) {
      return error(400, '0x80060888', `The key '${column}' is not defined on the entity '${table.LogicalName}'.`);
    }
    const keyValue = quoted.replaceAll("''", "'");
    existing = tableIndex(table)
      .candidates(column, [keyValue.normalize('NFC')])
      .find((r) => typeof r[column] === 'string' && (r[column] as string).toLowerCase() === keyValue.toLowerCase());
    if (!existing) values[column] = keyValue;
  }
  const changes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (key.startsWith('@odata.')) continue;
    if (key.endsWith('@odata.bind')) {
      const bound = bind(env, table, key.slice(0, -'@odata.bind'.length), value);
      if ('status' in bound) return bound;
      changes[bound.column] = bound.id;
      if (bound.column === 'parentcustomerid') changes.parentcustomeridtype = bound.id ? bound.type : null;
      continue;
    }
    const attribute = table.attributes.find((a) => a.LogicalName === key && !a.AttributeOf);
    if (!attribute) {
      return error(400, '0x80060888', `The property '${key}' does not exist on type 'Microsoft.Dynamics.CRM.${table.LogicalName}'. Make sure to only use property names that are defined by the type or mark the type as open type.`);
    }
    if (!(existing ? attribute.IsValidForUpdate : attribute.IsValidForCreate) || ['Lookup', 'Owner', 'Customer'].includes(attribute.AttributeType)) {
      return error(400, '0x80048d19', `The property '${key}' cannot be set: it is not valid for ${existing ? 'update' : 'create'}.`);
    }
    const problem = checkColumn(table, attribute, value);
    if (problem) return problem;
    changes[key] = value;
  }
  const after = { ...existing, ...changes };
  const missing = requiredColumns(table).find((c) => after[c] === undefined || after[c] === null || after[c] === '');
  if (missing) return error(400, '0x80040200', `Required field '${missing}' is missing. Provide a value for it on the ${table.LogicalName} record.`);
  const rule = t.control.duplicateRule;
  if (rule && rule.table === table.LogicalName && headers['mscrm.suppressduplicatedetection'] === 'false') {
    const wanted = after[rule.column];
    const twin =
      typeof wanted === 'string' &&
      tableIndex(table)
        .candidates(rule.column, [wanted.normalize('NFC')])
        .some((r) => r !== existing && typeof r[rule.column] === 'string' && (r[rule.column] as string).toLowerCase() === wanted.toLowerCase());
    if (twin) return error(412, '0x80040333', 'A record was not created or updated because a duplicate of the current record already exists.');
  }
  return {
    apply: () => {
      const stamp = nowStamp();
      const withName = (row: Record<string, unknown>) => {
        if (table.LogicalName === 'contact' || table.LogicalName === 'lead') row.fullname = [row.firstname, row.lastname].filter(Boolean).join(' ');
        return row;
      };
      let row = existing;
      // A new row version too, as on every Dataverse write: change tracking (delta links) picks the row up.
      const versionnumber = ++env.version;
      if (row) Object.assign(row, changes, { modifiedon: stamp, modifiedby: w.userId, versionnumber });
      else {
        row = withName({ statecode: 0, statuscode: 1, ownerid: w.userId, ...changes, [table.PrimaryIdAttribute]: newId ?? randomUUID(), createdon: stamp, modifiedon: stamp, createdby: w.userId, modifiedby: w.userId, versionnumber });
        table.rows.push(row);
      }
      withName(row);
      tableIndex(table).noted(row);
      const location = `${w.base}${API}${table.EntitySetName}(${String(row[table.PrimaryIdAttribute])})`;
      return { status: 204, headers: { 'OData-EntityId': location }, body: null };
    },
  };
}

type Part = { headers: Record<string, string>; body: string };

function headerBlock(text: string): Part {
  const normalized = text.replace(/^\r?\n/, '');
  const end = normalized.search(/\r?\n\r?\n/);
  const head = end < 0 ? normalized : normalized.slice(0, end);
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: end < 0 ? '' : normalized.slice(end).replace(/^\r?\n\r?\n/, '') };
}

function multipart(body: string, boundary: string): Part[] {
  const out: Part[] = [];
  for (const chunk of body.split(`--${boundary}`).slice(1)) {
    if (chunk.startsWith('--')) break;
    out.push(headerBlock(chunk));
  }
  return out;
}

type InnerRequest = { method: string; target: string; headers: Record<string, string>; body: string; contentId: string | null };

function innerRequest(part: Part): InnerRequest | null {
  const text = part.body.trimStart();
  const line = /^(GET|POST|PATCH|PUT|DELETE) (\S+) HTTP\/1\.1\r?\n/.exec(text);
  if (!line) return null;
  const rest = headerBlock(text.slice(line[0].length - 1));
  const url = line[2] as string;
  const at = url.indexOf(API);
  const target = decodeURIComponent(at >= 0 ? url.slice(at + API.length) : url.replace(/^\//, ''));
  return { method: line[1] as string, target, headers: rest.headers, body: rest.body.replace(/\r?\n$/, ''), contentId: part.headers['content-id'] ?? null };
}

function httpPart(answer: Answer, contentId: string | null): string {
  const reason: Record<number, string> = { 200: 'OK', 204: 'No Content', 400: 'Bad Request', 404: 'Not Found', 412: 'Precondition Failed' };
  const lines = ['Content-Type: application/http', 'Content-Transfer-Encoding: binary'];
  if (contentId) lines.push(`Content-ID: ${contentId}`);
  lines.push('', `HTTP/1.1 ${answer.status} ${reason[answer.status] ?? ''}`.trimEnd(), 'OData-Version: 4.0');
  for (const [k, v] of Object.entries(answer.headers)) lines.push(`${k}: ${v}`);
  if (answer.body !== null) lines.push('Content-Type: application/json; odata.metadata=minimal', '', JSON.stringify(answer.body));
  else lines.push('');
  return lines.join('\r\n');
}

function batch(w: WriteRequest, t: Tenant, body: string): { status: number; headers: Record<string, string>; text: string } {
  const boundary = /boundary=([^;]+)/.exec(w.req.headers['content-type'] ?? '')?.[1];
  if (!boundary) return { status: 400, headers: { 'Content-Type': 'application/json' }, text: JSON.stringify({ error: { code: '0x80060888', message: 'The batch request must have a "Content-Type" header with a boundary.' } }) };
  const continueOnError = /odata\.continue-on-error/.test(String(w.req.headers.prefer ?? ''));
  const parts = multipart(body, boundary);
  const operations = parts.reduce((n, p) => n + (/^multipart\/mixed/i.test(p.headers['content-type'] ?? '') ? multipart(p.body, /boundary=([^;]+)/.exec(p.headers['content-type'] ?? '')?.[1] ?? '').length : 1), 0);
  if (operations > 1000) {
    return { status: 400, headers: { 'Content-Type': 'application/json' }, text: JSON.stringify({ error: { code: '0x8005f103', message: 'The number of requests in the batch exceeds the limit of 1000.' } }) };
  }
  t.stats.batches++;
  t.stats.batchOperations += operations;
  const out = `batchresponse_${randomUUID()}`;
  const pieces: string[] = [];
  for (const part of parts) {
    const type = part.headers['content-type'] ?? '';
    let failed = false;
    if (/^multipart\/mixed/i.test(type)) {
      const inner = multipart(part.body, /boundary=([^;]+)/.exec(type)?.[1] ?? '').map(innerRequest);
      const prepared = inner.map((r) => (r ? prepare(w, t, r.method, r.target, r.headers, r.body) : error(400, '0x80060888', 'Not an HTTP request.')));
      const refusal = prepared.findIndex((p) => !('apply' in p));
      if (refusal >= 0) {
        // A change set is one transaction: its first refusal is its answer and nothing of it is saved.
        pieces.push(`--${out}\r\n${httpPart(prepared[refusal] as Answer, null)}`);
        failed = true;
      } else {
        const set = `changesetresponse_${randomUUID()}`;
        const answers = prepared.map((p, i) => httpPart((p as { apply: () => Answer }).apply(), inner[i]?.contentId ?? null));
        pieces.push(`--${out}\r\nContent-Type: multipart/mixed; boundary=${set}\r\n\r\n${answers.map((a) => `--${set}\r\n${a}`).join('\r\n')}\r\n--${set}--`);
      }
    } else {
      const r = innerRequest(part);
      const prepared = r ? prepare(w, t, r.method, r.target, r.headers, r.body) : error(400, '0x80060888', 'Not an HTTP request.');
      const answer = 'apply' in prepared ? prepared.apply() : prepared;
      failed = answer.status >= 400;
      pieces.push(`--${out}\r\n${httpPart(answer, null)}`);
    }
    if (failed && !continueOnError) break;
  }
  return { status: 200, headers: { 'Content-Type': `multipart/mixed; boundary=${out}`, 'OData-Version': '4.0' }, text: `${pieces.join('\r\n')}\r\n--${out}--\r\n` };
}

function writeMultiple(w: WriteRequest, t: Tenant, set: string, action: 'CreateMultiple' | 'UpdateMultiple', body: string): Answer {
  const table = w.environment().bySet.get(set);
  if (!table) return error(404, '0x80060888', `Resource not found for the segment '${set}'.`);
  const targets = (parseJson(body)?.Targets ?? null) as Record<string, unknown>[] | null;
  if (!Array.isArray(targets)) return error(400, '0x80048d19', "The parameter 'Targets' is missing.");
  if (action === 'CreateMultiple') t.stats.createMultiple++;
  else t.stats.updateMultiple++;
  const prepared: { apply: () => Answer }[] = [];
  for (const target of targets) {
    const { '@odata.type': type, ...values } = target;
    if (type !== `Microsoft.Dynamics.CRM.${table.LogicalName}`) return error(400, '0x80048d19', `Targets must all be of type Microsoft.Dynamics.CRM.${table.LogicalName}.`);
    const id = values[table.PrimaryIdAttribute];
    if (action === 'UpdateMultiple' && typeof id !== 'string') return error(400, '0x80040203', `${table.PrimaryIdAttribute} is required for UpdateMultiple.`);
    if (action === 'UpdateMultiple') delete values[table.PrimaryIdAttribute];
    const p = prepare(w, t, action === 'CreateMultiple' ? 'POST' : 'PATCH', action === 'CreateMultiple' ? set : `${set}(${String(id)})`, { 'if-match': '*' }, JSON.stringify(values));
    // On standard tables the whole list is one transaction: one refusal, nothing saved.
    if (!('apply' in p)) return p;
    prepared.push(p);
  }
  const ids = prepared.map((p) => /\(([0-9a-f-]{36})\)$/.exec(p.apply().headers['OData-EntityId'] ?? '')?.[1]);
  return action === 'CreateMultiple' ? { status: 200, headers: {}, body: { '@odata.context': `${w.base}${API}$metadata#Microsoft.Dynamics.CRM.CreateMultipleResponse`, Ids: ids } } : { status: 204, headers: {}, body: null };
}

