// A fake Microsoft Dataverse environment plus the Microsoft identity platform v2 endpoints it trusts, written from
// Microsoft's public documentation (Web API query, paging, formatted values, EntityDefinitions, service protection
// limits, OAuth 2.0 authorization code + PKCE, refresh and client credentials grants). One origin serves both:
// the tests use it as the authority base URL and as the environment URL.
//
// Test-only controls live under /_fake/, keyed by tenant so test files running side by side do not disturb each
// other: fail the next requests (429 with Retry-After, 503), expire access tokens, revoke refresh tokens, drop
// the connection on a given page, and read the log of Web API requests.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { evaluate, ODataSyntaxError, parseFilter, properties, type Expr } from './odataQuery.ts';
import { BUSINESS_UNIT, buildEnvironment, guid, lookupName, ORGANIZATION, stampVersions, USERS, type FakeAttribute, type FakeEnvironment, type FakeTable } from './tables.ts';
import type { FakeControl } from './fakeControls.ts';
import { ALTERNATE_KEYS, handleWrite, writeControl } from './writes.ts';
import { indexedRows, tableIndex } from './tableIndex.ts';

export type FakeDataverseOptions = {
  clientId: string;
  clientSecret: string;
  contacts?: number;
  accounts?: number;
  leads?: number;
  /** Seconds an access token lives. */
  accessTokenLifetime?: number;
};

type Fault = { status: number; retryAfter?: number; match?: string; remaining: number };
type TenantState = {
  /** Dataverse's $apply limit is 50,000 rows; a test lowers it to reach the fallback without 50,000 rows. */
  aggregateLimit: number;
  faults: Fault[];
  drops: { page: number; remaining: number }[];
  log: { method: string; url: string; prefer: string | null; status: number; at: number }[];
  /** The tenant's access tokens expire at the first Web API request whose URL contains this; null: none planned. */
  expireTokensOn: string | null;
  tokenRequests: { grant_type: string; scope: string | null }[];
  /** Which of USERS the next interactive sign-ins are made as (another admin at the same keyboard). */
  signInUser: number;
  /** Records per page at most, whatever odata.maxpagesize asks (a test's way to page small tables). */
  maxPageSize: number | null;
  /**
   * Delta tokens issued to this tenant (token → when last issued: two reads with no change between them get the same
   * token), and the moment before which issued tokens are expired (ExpiredVersionStamp).
   */
  deltaTokens: { issued: Map<string, number>; expiredBefore: number };
};
type AccessToken = { tenant: string; expiresAt: number; userId: string; resource: string };
type RefreshToken = { tenant: string; userId: string; resource: string; scope: string; revoked: boolean };
type AuthCode = { tenant: string; redirectUri: string; challenge: string; scope: string; used: boolean; expiresAt: number };

const API = '/api/data/v9.2/';
const FORMATTED = 'OData.Community.Display.V1.FormattedValue';
const COUNT_LIMIT = 5000;
const AGGREGATE_LIMIT = 50_000;
const LOOKUP_TYPES = new Set(['Lookup', 'Customer', 'Owner']);
const CHOICE_TYPES = new Set(['Picklist', 'State', 'Status']);

const token = () => randomBytes(24).toString('base64url');
const base64url = (bytes: Buffer) => bytes.toString('base64url');

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; odata.metadata=minimal', 'OData-Version': '4.0', ...headers });
  res.end(text);
}

function dataverseError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  json(res, status, { error: { code, message } }, headers);
}

/** Microsoft identity platform error body (AADSTS codes), as the token endpoint answers. */
function identityError(res: ServerResponse, status: number, error: string, aadsts: number, description: string): void {
  json(res, status, {
    error,
    error_description: `AADSTS${aadsts}: ${description} Trace ID: ${token()} Correlation ID: ${token()} Timestamp: ${new Date().toISOString()}`,
    error_codes: [aadsts],
    timestamp: new Date().toISOString(),
    trace_id: token(),
    correlation_id: token(),
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function webApiName(attribute: FakeAttribute): string {
  return LOOKUP_TYPES.has(attribute.AttributeType) ? `_${attribute.LogicalName}_value` : attribute.LogicalName;
}

function selectable(attribute: FakeAttribute): boolean {
  if (!attribute.IsValidForRead || attribute.AttributeOf) return false;
  if (attribute.AttributeType === 'Virtual') return attribute.AttributeTypeName.Value === 'MultiSelectPicklistType';
  return !['EntityName', 'CalendarRules', 'ManagedProperty', 'PartyList'].includes(attribute.AttributeType);
}

function formatDate(iso: string): string {
  const d = new Date(iso);
  const h = d.getUTCHours();
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h % 12 || 12}:${String(d.getUTCMinutes()).padStart(2, '0')} ${h < 12 ? 'AM' : 'PM'}`;
}

/** Parses `$select=a,b` style lists, and `$expand=OptionSet($select=Options)` heads. */
function list(value: string | null): string[] {
  return value ? value.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function pickProps<T extends Record<string, unknown>>(source: T, select: string[]): Record<string, unknown> {
  if (select.length === 0) return { ...source };
  return Object.fromEntries(select.filter((k) => k in source).map((k) => [k, source[k]]));
}

export class FakeDataverse {
  private server: Server | null = null;
  private env: FakeEnvironment;
  /** Tenants whose contacts a test replaced (the shared connector contract seeds its own leads). */
  private readonly seeded = new Map<string, FakeEnvironment>();
  private accountNames: Map<string, string>;
  private readonly tenants = new Map<string, TenantState>();
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  private readonly codes = new Map<string, AuthCode>();
  url = '';

  constructor(private readonly options: FakeDataverseOptions) {
    this.env = buildEnvironment({ contacts: options.contacts ?? 12_345, accounts: options.accounts ?? 400, leads: options.leads ?? 300 });
    this.accountNames = new Map((this.env.tables.get('account')?.rows ?? []).map((r) => [String(r.accountid), String(r.name)]));
  }

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) dataverseError(res, 500, '0x80040216', String(error));
        else res.destroy();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = null;
  }

  /** The tenant's own environment for writes: a copy of the shared one made on its first write, so writes never leak between tenants. */
  private writableEnvironment(tenant: string): FakeEnvironment {
    let environment = this.seeded.get(tenant);
    if (!environment) {
      environment = buildEnvironment({ contacts: this.options.contacts ?? 12_345, accounts: this.options.accounts ?? 400, leads: this.options.leads ?? 300 });
      this.seeded.set(tenant, environment);
    }
    return environment;
  }

  private tenant(id: string): TenantState {
    let state = this.tenants.get(id);
    if (!state) {
      state = { aggregateLimit: AGGREGATE_LIMIT, faults: [], drops: [], log: [], tokenRequests: [], signInUser: 0, maxPageSize: null, expireTokensOn: null, deltaTokens: { issued: new Map(), expiredBefore: 0 } };
      this.tenants.set(id, state);
    }
    return state;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    if (url.pathname.startsWith('/_fake/')) return this.control(req, res, url);
    const identity = /^\/([^/]+)\/oauth2\/v2\.0\/(authorize|token)$/.exec(url.pathname);
    if (identity) {
      const [, tenant, endpoint] = identity as unknown as [string, string, string];
      return endpoint === 'authorize' ? this.authorize(res, url, tenant) : this.token(req, res, tenant);
    }
    if (url.pathname.startsWith(API)) return this.webApi(req, res, url);
    dataverseError(res, 404, '0x80060888', `Resource not found for the segment '${url.pathname}'.`);
  }

  // ---- test controls -------------------------------------------------------------------------------------------

  private async control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const tenantId = url.searchParams.get('tenant') ?? '';
    if (!tenantId) return json(res, 400, { error: 'tenant is required' });
    const state = this.tenant(tenantId);
    if (url.pathname === '/_fake/log') return json(res, 200, { requests: state.log, tokenRequests: state.tokenRequests });
    // Every token issued to the tenant, so a test can prove none of them is stored in plain text.
    if (url.pathname === '/_fake/tokens') {
      const issued = [
        ...[...this.accessTokens].filter(([, t]) => t.tenant === tenantId).map(([k]) => k),
        ...[...this.refreshTokens].filter(([, t]) => t.tenant === tenantId).map(([k]) => k),
      ];
      return json(res, 200, { tokens: issued });
    }
    if (url.pathname === '/_fake/writes') return writeControl(req, res, tenantId);
    if (req.method !== 'POST' || url.pathname !== '/_fake/control') return json(res, 404, { error: 'unknown control' });
    const body = JSON.parse((await readBody(req)) || '{}') as FakeControl;
    if (body.fail) state.faults.push({ status: body.fail.status, retryAfter: body.fail.retryAfter, match: body.fail.match, remaining: body.fail.count ?? 1 });
    if (body.dropPage) state.drops.push({ page: body.dropPage.page, remaining: body.dropPage.times ?? 1 });
    if (body.expireAccessTokens) for (const t of this.accessTokens.values()) if (t.tenant === tenantId) t.expiresAt = 0;
    if (body.revokeRefreshTokens) for (const t of this.refreshTokens.values()) if (t.tenant === tenantId) t.revoked = true;
    if (body.aggregateLimit !== undefined) state.aggregateLimit = body.aggregateLimit;
    if (body.expireAccessTokensOn !== undefined) state.expireTokensOn = body.expireAccessTokensOn;
    if (body.signInAs !== undefined) state.signInUser = body.signInAs;
    if (body.seedContacts) {
      const seeded = buildEnvironment({ contacts: 0, accounts: 400, leads: 300 });
      const contact = seeded.tables.get('contact');
      if (contact) {
        contact.rows = body.seedContacts.map((row, i) => ({ contactid: guid(i + 1, 0xc5), statecode: 0, statuscode: 1, ...row }));
        stampVersions(seeded, contact.rows);
      }
      this.seeded.set(tenantId, seeded);
    }
    if (body.changeContacts) {
      const environment = this.seeded.get(tenantId);
      if (!environment) return json(res, 409, { error: 'seed contacts first: only a tenant of its own can change records' });
      this.changeRows(environment, 'contact', body.changeContacts);
    }
    if (body.contactChangeTracking !== undefined) {
      const contact = this.seeded.get(tenantId)?.tables.get('contact');
      if (!contact) return json(res, 409, { error: 'seed contacts first: only a tenant of its own can change its tables' });
      contact.ChangeTrackingEnabled = body.contactChangeTracking;
    }
    if (body.removeContactOption) {
      const contact = this.seeded.get(tenantId)?.tables.get('contact');
      if (!contact) return json(res, 409, { error: 'seed contacts first: only a tenant of its own can change its tables' });
      const { attribute, value } = body.removeContactOption;
      // A copy: the attribute definitions are shared with every other tenant.
      contact.attributes = contact.attributes.map((a) => (a.LogicalName === attribute ? { ...a, options: a.options?.filter((o) => o.Value !== value) } : a));
    }
    if (body.maxPageSize !== undefined) state.maxPageSize = body.maxPageSize;
    if (body.expireDeltaTokens) state.deltaTokens.expiredBefore = performance.now();
    if (body.clearFaults) {
      state.faults.length = 0;
      state.drops.length = 0;
    }
    if (body.clearLog) {
      state.log.length = 0;
      state.tokenRequests.length = 0;
    }
    json(res, 200, { ok: true });
  }

  /**
   * Records written "in Dynamics 365": merged by primary id (or created), with modifiedon now and a new row version;
   * deleted ones leave the table and are remembered for change tracking's $deletedEntity.
   */
  private changeRows(environment: FakeEnvironment, tableName: string, changes: NonNullable<FakeControl['changeContacts']>): void {
    const table = environment.tables.get(tableName);
    if (!table) return;
    const idOf = table.PrimaryIdAttribute;
    const modifiedon = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (const change of changes.upsert ?? []) {
      const at = table.rows.findIndex((r) => r[idOf] === change[idOf]);
      const version = ++environment.version;
      if (at >= 0) table.rows[at] = { ...table.rows[at], ...change, modifiedon, versionnumber: version };
      else table.rows.push({ [idOf]: guid(100_000 + version, 0xc6), statecode: 0, statuscode: 1, createdon: modifiedon, ...change, modifiedon, versionnumber: version });
    }
    for (const id of changes.delete ?? []) {
      const at = table.rows.findIndex((r) => r[idOf] === id);
      if (at < 0) continue;
      table.rows.splice(at, 1);
      table.deleted.push({ id, version: ++environment.version });
    }
    // Rows were replaced and removed: the table's index is rebuilt at its next lookup.
    tableIndex(table).reset();
  }

  // ---- Microsoft identity platform v2 ---------------------------------------------------------------------------

  /** The admin is signed in and has consented already: answer at once with a code, as after a successful sign-in. */
  private authorize(res: ServerResponse, url: URL, tenant: string): void {
    const q = url.searchParams;
    const redirectUri = q.get('redirect_uri');
    if (!redirectUri) return identityError(res, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'redirect_uri'.");
    const back = new URL(redirectUri);
    const fail = (error: string, description: string) => {
      back.searchParams.set('error', error);
      back.searchParams.set('error_description', description);
      if (q.get('state')) back.searchParams.set('state', q.get('state') ?? '');
      res.writeHead(302, { Location: back.toString() }).end();
    };
    if (q.get('client_id') !== this.options.clientId) return fail('unauthorized_client', `AADSTS700016: Application with identifier '${q.get('client_id')}' was not found in the directory.`);
    if (q.get('response_type') !== 'code') return fail('unsupported_response_type', 'AADSTS70005: response_type is not supported.');
    if (q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) return fail('invalid_request', 'AADSTS501491: Invalid size of Code_Challenge parameter.');
    const scope = q.get('scope') ?? '';
    if (!this.resourceOf(scope)) return fail('invalid_scope', `AADSTS70011: The provided value for the input parameter 'scope' is not valid.`);
    const code = token();
    this.codes.set(code, { tenant, redirectUri, challenge: q.get('code_challenge') ?? '', scope, used: false, expiresAt: Date.now() + 600_000 });
    back.searchParams.set('code', code);
    if (q.get('state')) back.searchParams.set('state', q.get('state') ?? '');
    back.searchParams.set('session_state', token());
    res.writeHead(302, { Location: back.toString() }).end();
  }

  /** `<environment>/user_impersonation` or `<environment>/.default`: the environment must be this server. */
  private resourceOf(scope: string): string | null {
    for (const part of scope.split(' ')) {
      const m = /^(https?:\/\/[^/]+)\/(user_impersonation|\.default)$/.exec(part);
      if (m?.[1] === this.url) return m[1];
    }
    return null;
  }

  private async token(req: IncomingMessage, res: ServerResponse, tenant: string): Promise<void> {
    if (req.method !== 'POST') return identityError(res, 405, 'invalid_request', 900561, 'The endpoint only accepts POST requests.');
    const form = new URLSearchParams(await readBody(req));
    const grant = form.get('grant_type') ?? '';
    this.tenant(tenant).tokenRequests.push({ grant_type: grant, scope: form.get('scope') });
    if (form.get('client_id') !== this.options.clientId) {
      return identityError(res, 400, 'unauthorized_client', 700016, `Application with identifier '${form.get('client_id')}' was not found in the directory '${tenant}'.`);
    }
    if (form.get('client_secret') !== this.options.clientSecret) {
      return identityError(res, 401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.');
    }
    const issue = (userId: string, resource: string, scope: string, withRefresh: boolean) => {
      const access = token();
      const lifetime = this.options.accessTokenLifetime ?? 3599;
      this.accessTokens.set(access, { tenant, userId, resource, expiresAt: Date.now() + lifetime * 1000 });
      const body: Record<string, unknown> = { token_type: 'Bearer', scope, expires_in: lifetime, ext_expires_in: lifetime, access_token: access };
      if (withRefresh) {
        const refresh = token();
        this.refreshTokens.set(refresh, { tenant, userId, resource, scope, revoked: false });
        body.refresh_token = refresh;
      }
      json(res, 200, body);
    };
    if (grant === 'authorization_code') {
      const code = this.codes.get(form.get('code') ?? '');
      if (!code || code.used || code.expiresAt < Date.now() || code.tenant !== tenant) {
        return identityError(res, 400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.');
      }
      if (form.get('redirect_uri') !== code.redirectUri) {
        return identityError(res, 400, 'invalid_grant', 50148, 'The redirect_uri does not match the redirect_uri used in the authorization request.');
      }
      const verifier = form.get('code_verifier') ?? '';
      if (base64url(createHash('sha256').update(verifier).digest()) !== code.challenge) {
        return identityError(res, 400, 'invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.');
      }
      code.used = true;
      const resource = this.resourceOf(code.scope) as string;
      return issue(USERS[this.tenant(tenant).signInUser]?.systemuserid ?? '', resource, `${resource}/user_impersonation`, code.scope.split(' ').includes('offline_access'));
    }
    if (grant === 'refresh_token') {
      const refresh = this.refreshTokens.get(form.get('refresh_token') ?? '');
      if (!refresh || refresh.tenant !== tenant) return identityError(res, 400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
      if (refresh.revoked) {
        return identityError(res, 400, 'invalid_grant', 50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.");
      }
      return issue(refresh.userId, refresh.resource, refresh.scope, true);
    }
    if (grant === 'client_credentials') {
      const scope = form.get('scope') ?? '';
      const resource = /\/\.default$/.test(scope) ? this.resourceOf(scope) : null;
      if (!resource) return identityError(res, 400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
      return issue(USERS[1]?.systemuserid ?? '', resource, scope, false);
    }
    identityError(res, 400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant}'.`);
  }

  // ---- Dataverse Web API ----------------------------------------------------------------------------------------

  private async webApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const access = bearer ? this.accessTokens.get(bearer) : undefined;
    const planned = access ? this.tenant(access.tenant) : undefined;
    if (planned?.expireTokensOn && (url.pathname + url.search).includes(planned.expireTokensOn)) {
      planned.expireTokensOn = null;
      for (const t of this.accessTokens.values()) if (t.tenant === access?.tenant) t.expiresAt = 0;
    }
    if (!access || access.expiresAt < Date.now() || access.resource !== this.url) {
      if (access) this.tenant(access.tenant).log.push({ method: req.method ?? 'GET', url: url.pathname + url.search, prefer: null, status: 401, at: Date.now() });
      res.writeHead(401, {
        'WWW-Authenticate': `Bearer error="invalid_token", error_description="The access token is expired or invalid", authorization_uri="${this.url}/common/oauth2/authorize"`,
      });
      res.end();
      return;
    }
    const state = this.tenant(access.tenant);
    const environment = this.seeded.get(access.tenant) ?? this.env;
    const entry = { method: req.method ?? 'GET', url: url.pathname + url.search, prefer: (req.headers.prefer as string | undefined) ?? null, status: 0, at: Date.now() };
    state.log.push(entry);
    const fault = state.faults.find((f) => f.remaining > 0 && (!f.match || entry.url.includes(f.match)));
    if (fault) {
      fault.remaining--;
      entry.status = fault.status;
      if (fault.status === 429) {
        return dataverseError(res, 429, '0x80072322', 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.', {
          'Retry-After': String(fault.retryAfter ?? 1),
        });
      }
      return dataverseError(res, fault.status, '0x80040216', 'An unexpected error occurred.');
    }
    const skiptoken = url.searchParams.get('$skiptoken');
    const pageNumber = skiptoken ? Number(/pagenumber="(\d+)"/.exec(skiptoken)?.[1] ?? 0) : 1;
    const drop = state.drops.find((d) => d.remaining > 0 && d.page === pageNumber && !url.pathname.includes('EntityDefinitions'));
    if (drop) {
      drop.remaining--;
      entry.status = -1;
      // The connection dies mid-answer: headers and the start of the body arrive, the rest never does.
      res.writeHead(200, { 'Content-Type': 'application/json; odata.metadata=minimal', 'Content-Length': '100000' });
      res.write('{"@odata.context":"', () => res.destroy());
      return;
    }
    const path = decodeURIComponent(url.pathname.slice(API.length));
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      entry.status = status;
      json(res, status, body, headers);
    };
    const fail = (status: number, code: string, message: string) => {
      entry.status = status;
      dataverseError(res, status, code, message);
    };
    const context = (fragment: string) => `${this.url}${API}$metadata#${fragment}`;

    if (path === 'WhoAmI') {
      return send(200, {
        '@odata.context': context('Microsoft.Dynamics.CRM.WhoAmIResponse'),
        BusinessUnitId: BUSINESS_UNIT,
        UserId: access.userId,
        OrganizationId: ORGANIZATION.organizationid,
      });
    }
    const single = /^(systemusers|organizations)\(([0-9a-f-]{36})\)$/.exec(path);
    if (single) {
      const [, set, id] = single as unknown as [string, string, string];
      const row = set === 'systemusers' ? USERS.find((u) => u.systemuserid === id) : ORGANIZATION.organizationid === id ? ORGANIZATION : undefined;
      if (!row) return fail(404, '0x80040217', `${set === 'systemusers' ? 'systemuser' : 'organization'} With Id = ${id} Does Not Exist`);
      return send(200, { '@odata.context': context(`${set}/$entity`), '@odata.etag': 'W/"1001"', ...pickProps(row, list(url.searchParams.get('$select'))) });
    }
    if (path.startsWith('RetrieveTotalRecordCount(')) {
      const names = JSON.parse((url.searchParams.get('@names') ?? '[]').replaceAll("'", '"')) as string[];
      return send(200, {
        '@odata.context': context('Microsoft.Dynamics.CRM.RetrieveTotalRecordCountResponse'),
        EntityRecordCountCollection: { Count: names.length, IsReadOnly: false, Keys: names, Values: names.map((n) => environment.tables.get(n)?.rows.length ?? 0) },
      });
    }
    if (path.startsWith('EntityDefinitions')) return this.metadata(environment, path, url, send, fail, context);
    const written = await handleWrite({
      req,
      res,
      url,
      path,
      tenant: access.tenant,
      userId: access.userId,
      base: this.url,
      environment: () => this.writableEnvironment(access.tenant),
      log: (status) => {
        entry.status = status;
      },
    });
    if (written) return;
    const set = /^([a-z_0-9]+)$/.exec(path)?.[1];
    const table = set ? environment.bySet.get(set) : undefined;
    if (!table) return fail(404, '0x80060888', `Resource not found for the segment '${path}'.`);
    const prefer = req.headers.prefer as string | undefined;
    if (table.ChangeTrackingEnabled && (/odata\.track-changes/.test(prefer ?? '') || url.searchParams.has('$deltatoken'))) {
      return this.changes(environment, table, url, prefer ?? '', state, send, fail);
    }
    return this.query(table, url, prefer, send, fail, state);
  }

  private metadata(
    environment: FakeEnvironment,
    path: string,
    url: URL,
    send: (status: number, body: unknown) => void,
    fail: (status: number, code: string, message: string) => void,
    context: (fragment: string) => string,
  ): void {
    const select = list(url.searchParams.get('$select'));
    const entityView = (t: FakeTable) => ({
      LogicalName: t.LogicalName,
      EntitySetName: t.EntitySetName || null,
      PrimaryIdAttribute: t.PrimaryIdAttribute,
      PrimaryNameAttribute: t.PrimaryNameAttribute,
      IsCustomEntity: t.IsCustomEntity,
      ChangeTrackingEnabled: t.ChangeTrackingEnabled,
      DisplayName: t.DisplayName,
      MetadataId: t.MetadataId,
    });
    if (path === 'EntityDefinitions') {
      return send(200, { '@odata.context': context('EntityDefinitions'), value: [...environment.tables.values()].map((t) => pickProps(entityView(t), select)) });
    }
    const m = /^EntityDefinitions\(LogicalName='([^']*)'\)(?:\/Attributes(?:\/Microsoft\.Dynamics\.CRM\.(\w+))?)?$/.exec(path);
    if (!m) return fail(404, '0x80060888', `Resource not found for the segment '${path}'.`);
    const [, name, cast] = m as unknown as [string, string, string | undefined];
    const table = environment.tables.get(name);
    if (!table) return fail(404, '0x80040217', `Could not find entity with name '${name}'.`);
    if (!path.includes('/Attributes')) return send(200, { '@odata.context': context('EntityDefinitions/$entity'), ...pickProps(entityView(table), select) });
    const castTypes: Record<string, (a: FakeAttribute) => boolean> = {
      PicklistAttributeMetadata: (a) => a.AttributeType === 'Picklist',
      MultiSelectPicklistAttributeMetadata: (a) => a.AttributeType === 'Virtual' && a.AttributeTypeName.Value === 'MultiSelectPicklistType',
      StringAttributeMetadata: (a) => a.AttributeType === 'String',
      StateAttributeMetadata: (a) => a.AttributeType === 'State',
      StatusAttributeMetadata: (a) => a.AttributeType === 'Status',
    };
    const matches = cast ? castTypes[cast] : () => true;
    if (!matches) return fail(400, '0x80060888', `Type 'Microsoft.Dynamics.CRM.${cast}' is not a valid cast.`);
    const expandOptions = (url.searchParams.get('$expand') ?? '').startsWith('OptionSet');
    const value = table.attributes.filter(matches).map((a) => {
      const { options, format, target, maxLength, ...metadata } = a;
      const view: Record<string, unknown> = { ...metadata, '@odata.type': `#Microsoft.Dynamics.CRM.${a.AttributeType}AttributeMetadata` };
      if (a.AttributeType === 'String') view.FormatName = { Value: format ?? 'Text' };
      if (maxLength !== undefined) view.MaxLength = maxLength;
      if (target) view.Targets = [target];
      const picked = pickProps(view, select);
      if (expandOptions && options) picked.OptionSet = { Options: options.map((o) => ({ Value: o.Value, Label: o.Label })) };
      return picked;
    });
    send(200, { '@odata.context': context(`EntityDefinitions('${name}')/Attributes`), value });
  }

  private query(
    table: FakeTable,
    url: URL,
    prefer: string | undefined,
    send: (status: number, body: unknown, headers?: Record<string, string>) => void,
    fail: (status: number, code: string, message: string) => void,
    state: TenantState,
  ): void {
    const aggregateLimit = state.aggregateLimit;
    const byWebName = new Map(table.attributes.filter(selectable).map((a) => [webApiName(a), a]));
    const read = (row: Record<string, unknown>, property: string) => {
      const attribute = byWebName.get(property);
      return attribute ? row[attribute.LogicalName] : undefined;
    };
    const unknownProperty = (names: string[]) => names.find((n) => !byWebName.has(n));
    const apply = url.searchParams.get('$apply');
    let filterText = url.searchParams.get('$filter');
    let aggregateAlias: string | null = null;
    if (apply) {
      const m = /^(?:filter\((.*)\)\/)?aggregate\(\$count as (\w+)\)$/.exec(apply);
      if (!m) return fail(400, '0x80060888', `The query specified in the URI is not valid. Unsupported $apply: ${apply}`);
      filterText = m[1] ?? filterText;
      aggregateAlias = m[2] ?? null;
    }
    let filter: Expr | null = null;
    if (filterText) {
      try {
        filter = parseFilter(filterText);
      } catch (error) {
        if (error instanceof ODataSyntaxError) return fail(400, '0x80060888', error.message);
        throw error;
      }
      const bad = unknownProperty(properties(filter));
      if (bad) return fail(400, '0x80060888', `Could not find a property named '${bad}' on type 'Microsoft.Dynamics.CRM.${table.LogicalName}'.`);
    }
    // An indexed equality narrows the rows first, as SQL Server's indexes do under Dataverse; the filter runs over them as over all.
    const candidates = filter ? (indexedRows(table, filter, (p) => byWebName.get(p), ALTERNATE_KEYS[table.LogicalName] ?? []) ?? table.rows) : table.rows;
    const matched = filter ? candidates.filter((row) => evaluate(filter as Expr, (p) => read(row, p))) : table.rows;
    if (aggregateAlias) {
      if (matched.length > aggregateLimit) return fail(400, '0x8004E023', 'AggregateQueryRecordLimit exceeded. Cannot perform this operation.');
      return send(200, { '@odata.context': `${this.url}${API}$metadata#${table.EntitySetName}(${aggregateAlias})`, value: [{ [aggregateAlias]: matched.length }] });
    }
    const select = list(url.searchParams.get('$select'));
    const bad = unknownProperty(select);
    if (bad) return fail(400, '0x80060888', `Could not find a property named '${bad}' on type 'Microsoft.Dynamics.CRM.${table.LogicalName}'.`);

    const preferences = prefer ?? '';
    const pageSize = this.pageSize(preferences, state);
    const annotations = /odata\.include-annotations="([^"]*)"/.exec(preferences)?.[1] ?? '';
    const wants = (name: string) => annotations === '*' || annotations.split(',').some((a) => a.trim() === name || a.trim() === '*');
    const skiptoken = url.searchParams.get('$skiptoken');
    // The paging cookie is URL-encoded twice inside the skiptoken, as Dataverse does.
    const cookie = skiptoken ? safeDecode(safeDecode(skiptoken)) : '';
    const after = /last="\{([0-9a-fA-F-]{36})\}"/.exec(cookie)?.[1]?.toLowerCase();
    const pageNumber = skiptoken ? Number(/pagenumber="(\d+)"/.exec(skiptoken)?.[1] ?? 1) : 1;
    const start = after ? matched.findIndex((r) => r[table.PrimaryIdAttribute] === after) + 1 : 0;
    if (skiptoken && start === 0) return fail(400, '0x80040203', 'Invalid paging cookie.');
    const top = url.searchParams.get('$top');
    const limit = top ? Math.min(Number(top), pageSize) : pageSize;
    const rows = matched.slice(start, start + limit);
    const columns = select.length ? select.map((s) => byWebName.get(s) as FakeAttribute) : [...byWebName.values()];
    const value = rows.map((row, i) => this.entity(table, row, columns, wants(FORMATTED), start + i));
    const body: Record<string, unknown> = { '@odata.context': `${this.url}${API}$metadata#${table.EntitySetName}(${select.join(',')})` };
    if (url.searchParams.get('$count') === 'true') {
      body['@odata.count'] = Math.min(matched.length, COUNT_LIMIT);
      if (wants('Microsoft.Dynamics.CRM.totalrecordcount')) body['@Microsoft.Dynamics.CRM.totalrecordcount'] = Math.min(matched.length, COUNT_LIMIT);
      if (wants('Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded')) body['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded'] = matched.length > COUNT_LIMIT;
    }
    body.value = value;
    const last = rows[rows.length - 1];
    if (!top && last && start + rows.length < matched.length) {
      const next = new URL(url);
      const cookie = `<cookie page="${pageNumber}"><${table.PrimaryIdAttribute} last="{${String(last[table.PrimaryIdAttribute]).toUpperCase()}}" first="{${String(rows[0]?.[table.PrimaryIdAttribute]).toUpperCase()}}" /></cookie>`;
      next.searchParams.set('$skiptoken', `<cookie pagenumber="${pageNumber + 1}" pagingcookie="${encodeURIComponent(encodeURIComponent(cookie)).toLowerCase()}" istracking="False" />`);
      body['@odata.nextLink'] = next.toString();
    }
    send(200, body, { 'Preference-Applied': [`odata.maxpagesize=${pageSize}`, annotations ? `odata.include-annotations="${annotations}"` : ''].filter(Boolean).join(',') });
  }

  private pageSize(preferences: string, state: TenantState): number {
    return Math.min(5000, state.maxPageSize ?? 5000, Number(/odata\.maxpagesize=(\d+)/.exec(preferences)?.[1] ?? 5000));
  }

  /**
   * Change tracking (Prefer: odata.track-changes, or a delta link's $deltatoken), as Microsoft documents it: only
   * $select is allowed; the first read returns every row and, on its last page, an @odata.deltaLink whose
   * $deltatoken is "<row version>!<date>"; a delta link returns the rows changed since that version (by version)
   * and then the deleted ones as $deletedEntity entries with only their id, paged with @odata.nextLink like any
   * answer, the last page carrying the next delta link. A token older than the environment keeps changes fails
   * with ExpiredVersionStamp (0x80044352). Each page's token is the version when the read began, so a row changed
   * while the pages are read comes again with the next delta.
   */
  private changes(
    environment: FakeEnvironment,
    table: FakeTable,
    url: URL,
    prefer: string,
    state: TenantState,
    send: (status: number, body: unknown, headers?: Record<string, string>) => void,
    fail: (status: number, code: string, message: string) => void,
  ): void {
    for (const option of ['$filter', '$orderby', '$expand', '$top']) {
      if (url.searchParams.has(option)) return fail(400, '0x80060888', `The "${option}" query parameter isn't supported when Change Tracking is enabled.`);
    }
    const byWebName = new Map(table.attributes.filter(selectable).map((a) => [webApiName(a), a]));
    const select = list(url.searchParams.get('$select'));
    const bad = select.find((n) => !byWebName.has(n));
    if (bad) return fail(400, '0x80060888', `Could not find a property named '${bad}' on type 'Microsoft.Dynamics.CRM.${table.LogicalName}'.`);
    const token = url.searchParams.get('$deltatoken');
    let since = 0;
    if (token !== null) {
      const version = /^(\d+)!/.exec(token)?.[1];
      const issuedAt = state.deltaTokens.issued.get(token);
      if (version === undefined || issuedAt === undefined || issuedAt <= state.deltaTokens.expiredBefore || Number(version) > environment.version) {
        return fail(400, '0x80044352', 'Version stamp associated with the client has expired. Please perform a full sync.');
      }
      since = Number(version);
    }
    const skiptoken = url.searchParams.get('$skiptoken') ?? '';
    const offset = Number(/offset="(\d+)"/.exec(skiptoken)?.[1] ?? 0);
    const pageNumber = Number(/pagenumber="(\d+)"/.exec(skiptoken)?.[1] ?? 1);
    const asOf = Number(/asof="(\d+)"/.exec(skiptoken)?.[1] ?? environment.version);
    const changed = token === null ? table.rows : table.rows.filter((r) => Number(r.versionnumber) > since).sort((a, b) => Number(a.versionnumber) - Number(b.versionnumber));
    const deleted = token === null ? [] : table.deleted.filter((d) => d.version > since);
    const entries = [...changed.map((row) => ({ row })), ...deleted.map((d) => ({ deletedId: d.id }))];
    const pageSize = this.pageSize(prefer, state);
    const formatted = /odata\.include-annotations="([^"]*)"/.exec(prefer)?.[1]?.split(',').some((a) => a.trim() === '*' || a.trim() === FORMATTED) ?? false;
    const columns = select.length ? select.map((n) => byWebName.get(n) as FakeAttribute) : [...byWebName.values()];
    const setUrl = `${this.url}${API}${table.EntitySetName}`;
    const value = entries.slice(offset, offset + pageSize).map((e, i) =>
      'row' in e
        ? this.entity(table, e.row, columns, formatted, offset + i)
        : { '@odata.context': `${this.url}${API}$metadata#${table.EntitySetName}/$deletedEntity`, id: e.deletedId, reason: 'deleted' },
    );
    const body: Record<string, unknown> = { '@odata.context': `${this.url}${API}$metadata#${table.EntitySetName}(${select.join(',')})${token === null ? '' : '/$delta'}` };
    if (offset + pageSize < entries.length) {
      const next = new URL(url);
      next.searchParams.set('$skiptoken', `<cookie pagenumber="${pageNumber + 1}" offset="${offset + pageSize}" asof="${asOf}" istracking="True" />`);
      body['@odata.nextLink'] = next.toString();
    } else {
      const stamp = new Date();
      const date = `${String(stamp.getUTCMonth() + 1).padStart(2, '0')}/${String(stamp.getUTCDate()).padStart(2, '0')}/${stamp.getUTCFullYear()} ${stamp.toISOString().slice(11, 19)}`;
      const issued = `${asOf}!${date}`;
      state.deltaTokens.issued.set(issued, performance.now());
      const delta = new URLSearchParams({ $select: select.join(','), $deltatoken: issued });
      body['@odata.deltaLink'] = `${setUrl}?${delta.toString().replaceAll('+', '%20')}`;
    }
    body.value = value;
    send(200, body, { 'Preference-Applied': `odata.track-changes,odata.maxpagesize=${pageSize}` });
  }

  private entity(table: FakeTable, row: Record<string, unknown>, columns: FakeAttribute[], formatted: boolean, index: number): Record<string, unknown> {
    const out: Record<string, unknown> = { '@odata.etag': `W/"${1_000_000 + index}"` };
    for (const attribute of columns) {
      const name = webApiName(attribute);
      const raw = row[attribute.LogicalName] ?? null;
      if (LOOKUP_TYPES.has(attribute.AttributeType)) {
        if (raw !== null && formatted) {
          const target = attribute.LogicalName === 'parentcustomerid' ? String(row.parentcustomeridtype ?? 'account') : (attribute.target ?? 'systemuser');
          const label = target === 'account' ? this.accountNames.get(String(raw)) : lookupName(this.env, String(raw))?.name;
          out[`${name}@${FORMATTED}`] = label ?? '';
          out[`${name}@Microsoft.Dynamics.CRM.associatednavigationproperty`] = `${attribute.LogicalName}_${target}`;
          out[`${name}@Microsoft.Dynamics.CRM.lookuplogicalname`] = target;
        }
        out[name] = raw;
        continue;
      }
      if (formatted && raw !== null) {
        const label = this.formattedValue(attribute, raw);
        if (label !== null) out[`${name}@${FORMATTED}`] = label;
      }
      out[name] = attribute.AttributeType === 'Virtual' && Array.isArray(raw) ? raw.join(',') : raw;
    }
    out[table.PrimaryIdAttribute] = row[table.PrimaryIdAttribute];
    return out;
  }

  /** What Dataverse puts in the FormattedValue annotation: labels for choices, grouped numbers, localized dates. */
  private formattedValue(attribute: FakeAttribute, raw: unknown): string | null {
    if (CHOICE_TYPES.has(attribute.AttributeType)) return attribute.options?.find((o) => o.Value === raw)?.Label.UserLocalizedLabel?.Label ?? null;
    switch (attribute.AttributeType) {
      case 'Boolean':
        return raw ? 'Yes' : 'No';
      case 'Money':
        return `$${Number(raw).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
      case 'Integer':
      case 'BigInt':
      case 'Decimal':
      case 'Double':
        return Number(raw).toLocaleString('en-US');
      case 'DateTime':
        return formatDate(String(raw));
      case 'Virtual':
        return Array.isArray(raw) ? raw.map((v) => attribute.options?.find((o) => o.Value === v)?.Label.UserLocalizedLabel?.Label ?? String(v)).join('; ') : null;
      default:
        return null;
    }
  }
}
