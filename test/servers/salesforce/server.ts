import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CreateOrgRequest, CreateOrgResponse, FakeRecord, FaultRequest, FieldChanged, PicklistValueAdded, RecordChanges } from './controlTypes.ts';
import { FakeOrg, pkceChallenge } from './fakeOrg.ts';
import { LISTED_ONLY, OBJECTS, findObject, type DescribeField } from './objects.ts';
import { SoqlError, indexedCandidates, parseSoql, runQuery } from './soqlEngine.ts';
import { handleWrite, writeControl } from './writes.ts';

/**
 * A fake Salesforce answering the REST API and OAuth 2.0 calls our connector makes, as Salesforce documents them:
 * web server flow with PKCE, refresh token flow, userinfo, versions, Describe Global, sObject Describe and Query
 * with nextRecordsUrl paging; errors as `[{ "message", "errorCode" }]` (REST) or `{ "error", "error_description" }`
 * (OAuth). Each org lives under /orgs/<n>/login (login.salesforce.com) and /orgs/<n>/instance (the org's instance).
 * /__control/… is the tests' remote control: create orgs, inject faults, read what the server saw.
 */

export const LATEST_API_VERSION = '62.0';
const OLDEST_API_VERSION = 31;

type Ctx = { req: IncomingMessage; res: ServerResponse; url: URL; body: string };

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function apiError(res: ServerResponse, status: number, errorCode: string, message: string): void {
  json(res, status, [{ message, errorCode }]);
}

function oauthError(res: ServerResponse, status: number, error: string, description: string): void {
  json(res, status, { error, error_description: description });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export type FakeSalesforce = { url: string; close(): Promise<void> };

export async function startFakeSalesforce(port = 0): Promise<FakeSalesforce> {
  const orgs = new Map<string, FakeOrg>();
  let base = '';

  const loginUrl = (org: FakeOrg) => `${base}/orgs/${org.index}/login`;
  const instanceUrl = (org: FakeOrg) => `${base}/orgs/${org.index}/instance`;

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', base);
      const ctx: Ctx = { req, res, url, body: await readBody(req) };
      try {
        await route(ctx);
      } catch (e) {
        if (!res.headersSent) apiError(res, 500, 'UNKNOWN_EXCEPTION', `fake server error: ${(e as Error).message}`);
      }
    })();
  });

  async function route(ctx: Ctx): Promise<void> {
    const { url, req, res } = ctx;
    const path = url.pathname;
    if (path === '/__control/orgs' && req.method === 'POST') {
      const request = JSON.parse(ctx.body) as CreateOrgRequest;
      const org = new FakeOrg(orgs.size + 1, request);
      orgs.set(String(org.index), org);
      const answer: CreateOrgResponse = { orgId: org.orgId, userId: org.userId, userName: org.userName, loginUrl: loginUrl(org), instanceUrl: instanceUrl(org) };
      return json(res, 201, answer);
    }
    const control = /^\/__control\/orgs\/(\d+)\/(faults|stats|records|writes|picklists|fields)$/.exec(path);
    if (control) {
      const org = orgs.get(control[1] as string);
      if (!org) return json(res, 404, { error: 'no such org' });
      if (control[2] === 'writes') return writeControl(ctx, org);
      if (control[2] === 'records' && req.method === 'POST') return json(res, 200, org.changeRecords(JSON.parse(ctx.body) as RecordChanges));
      if (control[2] === 'picklists' && req.method === 'POST') {
        org.addPicklistValue(JSON.parse(ctx.body) as PicklistValueAdded);
        return json(res, 200, { ok: true });
      }
      if (control[2] === 'fields' && req.method === 'POST') {
        const changed = JSON.parse(ctx.body) as FieldChanged;
        if (changed.required) org.requiredFields.add(`${changed.object}.${changed.field}`);
        if (changed.externalId) org.externalIdFields.add(`${changed.object}.${changed.field}`);
        return json(res, 200, { ok: true });
      }
      if (control[2] === 'faults' && req.method === 'POST') {
        org.applyFaults(JSON.parse(ctx.body) as FaultRequest);
        return json(res, 200, { ok: true });
      }
      return json(res, 200, org.stats);
    }
    // jsforce's Bulk API 2.0 resolves its URLs against the instance URL's origin (new URL('/services/…', instanceUrl)),
    // which drops this fake's /orgs/<n>/instance prefix (real instance URLs have no path): such a request finds its
    // org by the access token, which starts with the org id.
    if (path.startsWith('/services/data/')) {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      const owner = [...orgs.values()].find((o) => token.startsWith(`${o.orgId}!`));
      if (owner) return api(ctx, owner, () => data(ctx, owner, path));
    }
    const m = /^\/orgs\/(\d+)\/(login|instance)(\/.*)$/.exec(path);
    const org = m ? orgs.get(m[1] as string) : undefined;
    if (!m || !org) return apiError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
    const host = m[2] as 'login' | 'instance';
    const rest = m[3] as string;
    if (host === 'login' && rest === '/services/oauth2/authorize' && req.method === 'GET') return authorize(ctx, org);
    if (host === 'login' && rest === '/services/oauth2/token' && req.method === 'POST') return token(ctx, org);
    // Salesforce answers revocation at the login host and at the My Domain (instance) alike.
    if (rest === '/services/oauth2/revoke' && req.method === 'POST') return revoke(ctx, org);
    if (rest === '/services/oauth2/userinfo' && req.method === 'GET') return api(ctx, org, () => userinfo(ctx, org));
    if (host === 'instance' && rest.startsWith('/services/data')) return api(ctx, org, () => data(ctx, org, rest));
    return apiError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
  }

  /** The user "logs in and allows access" at once: straight back to the app with a code, as Salesforce does. */
  function authorize({ url, res }: Ctx, org: FakeOrg): void {
    const p = url.searchParams;
    const redirectUri = p.get('redirect_uri');
    if (p.get('client_id') !== org.request.clientId || !redirectUri) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      return void res.end('error=invalid_client_id&error_description=client identifier invalid');
    }
    const back = new URL(redirectUri);
    if (p.get('response_type') !== 'code') {
      back.searchParams.set('error', 'unsupported_response_type');
      back.searchParams.set('error_description', 'response type not supported');
    } else {
      const challenge = p.get('code_challenge');
      if (challenge !== null && p.get('code_challenge_method') !== null && p.get('code_challenge_method') !== 'S256') {
        back.searchParams.set('error', 'invalid_request');
        back.searchParams.set('error_description', 'unsupported code_challenge_method');
      } else {
        const code = `aPrx${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
        org.codes.set(code, { redirectUri, codeChallenge: challenge, expiresAt: Date.now() + 15 * 60_000 });
        back.searchParams.set('code', code);
      }
    }
    const state = p.get('state');
    if (state !== null) back.searchParams.set('state', state);
    res.writeHead(302, { location: back.toString() });
    res.end();
  }

  /**
   * Token revocation as documented: a form-encoded `token=` (access or refresh token); 200 with an empty body when
   * revoked, otherwise 400 with `unsupported_token_type` (no token, or not a form body) or `invalid_token`.
   */
  function revoke({ req, res, body }: Ctx, org: FakeOrg): void {
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return oauthError(res, 400, 'unsupported_token_type', 'Token type not supported');
    }
    const given = new URLSearchParams(body).get('token');
    if (!given) return oauthError(res, 400, 'unsupported_token_type', 'Token type not supported');
    if (!org.revoke(given)) return oauthError(res, 400, 'invalid_token', 'Token was invalid');
    res.writeHead(200);
    res.end();
  }

  function token({ req, res, body }: Ctx, org: FakeOrg): void {
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return oauthError(res, 400, 'invalid_request', 'must use application/x-www-form-urlencoded');
    }
    const p = new URLSearchParams(body);
    if (p.get('client_id') !== org.request.clientId) return oauthError(res, 400, 'invalid_client_id', 'client identifier invalid');
    if (p.get('client_secret') !== org.request.clientSecret) return oauthError(res, 400, 'invalid_client', 'invalid client credentials');
    const identity = `${loginUrl(org)}/id/${org.orgId}/${org.userId}`;
    const grant = p.get('grant_type');
    if (grant === 'authorization_code') {
      const code = org.codes.get(p.get('code') ?? '');
      // A code is good once, like Salesforce's.
      org.codes.delete(p.get('code') ?? '');
      if (!code || code.expiresAt < Date.now()) return oauthError(res, 400, 'invalid_grant', 'invalid authorization code');
      if (code.redirectUri !== p.get('redirect_uri')) return oauthError(res, 400, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
      const verifier = p.get('code_verifier');
      if (code.codeChallenge !== null) {
        if (!verifier) return oauthError(res, 400, 'invalid_grant', 'invalid code verifier');
        if (pkceChallenge(verifier) !== code.codeChallenge) return oauthError(res, 400, 'invalid_request', 'invalid code verifier');
      }
      org.stats.tokenGrants.authorization_code++;
      const t = org.issueTokens(true);
      return json(res, 200, {
        access_token: t.accessToken,
        refresh_token: t.refreshToken,
        signature: Buffer.from(t.accessToken).toString('base64').slice(0, 44),
        scope: 'refresh_token api',
        instance_url: instanceUrl(org),
        id: identity,
        token_type: 'Bearer',
        issued_at: String(Date.now()),
      });
    }
    if (grant === 'refresh_token') {
      if (!org.refreshTokens.has(p.get('refresh_token') ?? '')) return oauthError(res, 400, 'invalid_grant', 'expired access/refresh token');
      org.stats.tokenGrants.refresh_token++;
      const t = org.issueTokens(false, p.get('refresh_token') ?? undefined);
      return json(res, 200, {
        access_token: t.accessToken,
        signature: Buffer.from(t.accessToken).toString('base64').slice(0, 44),
        scope: 'refresh_token api',
        instance_url: instanceUrl(org),
        id: identity,
        token_type: 'Bearer',
        issued_at: String(Date.now()),
      });
    }
    return oauthError(res, 400, 'unsupported_grant_type', 'grant type not supported');
  }

  /** What every REST call goes through: request accounting, injected faults, then the session check. */
  async function api(ctx: Ctx, org: FakeOrg, handler: () => void): Promise<void> {
    const { req, res } = ctx;
    org.stats.apiRequests++;
    if (org.faults.expireSessionsAfter !== null && org.faults.expireSessionsAfter-- <= 0) {
      org.faults.expireSessionsAfter = null;
      org.accessTokens.clear();
    }
    const delay = org.faults.delay;
    if (delay && delay.count > 0) {
      delay.count--;
      await new Promise((r) => setTimeout(r, delay.ms));
      if (res.destroyed || req.destroyed) return;
    }
    const fail = org.faults.fail;
    if (fail && fail.count > 0) {
      fail.count--;
      if (fail.status === 401) return apiError(res, 401, 'INVALID_SESSION_ID', 'Session expired or invalid');
      if (fail.status === 403) return apiError(res, 403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
      if (fail.status === 503) return apiError(res, 503, 'SERVER_UNAVAILABLE', 'Server temporarily unavailable, please try again later.');
      return apiError(res, fail.status, 'UNKNOWN_EXCEPTION', 'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)');
    }
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (ctx.url.pathname.endsWith('/services/data/') || ctx.url.pathname.endsWith('/services/data')) return handler();
    if (!auth || !org.accessTokens.has(auth[1] as string)) return apiError(res, 401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    handler();
  }

  function userinfo({ res }: Ctx, org: FakeOrg): void {
    json(res, 200, {
      sub: `${loginUrl(org)}/id/${org.orgId}/${org.userId}`,
      user_id: org.userId,
      organization_id: org.orgId,
      preferred_username: org.userName,
      nickname: 'admin',
      name: 'Ada Admin',
      email: org.userName,
      email_verified: true,
      given_name: 'Ada',
      family_name: 'Admin',
      zoneinfo: 'Europe/Paris',
      locale: 'en_US',
      user_type: 'STANDARD',
      active: true,
      is_app_installed: true,
      urls: { rest: `${instanceUrl(org)}/services/data/v{version}/`, sobjects: `${instanceUrl(org)}/services/data/v{version}/sobjects/` },
      updated_at: '2024-05-01T10:00:00Z',
    });
  }

  function data(ctx: Ctx, org: FakeOrg, rest: string): void {
    const { res, url } = ctx;
    if (rest === '/services/data' || rest === '/services/data/') {
      const versions = [];
      for (let v = OLDEST_API_VERSION; v <= Number(LATEST_API_VERSION); v++) versions.push({ label: `v${v}`, url: `/services/data/v${v}.0`, version: `${v}.0` });
      return json(res, 200, versions);
    }
    const m = /^\/services\/data\/v(\d+)\.0(\/.*)$/.exec(rest);
    if (!m || Number(m[1]) < OLDEST_API_VERSION || Number(m[1]) > Number(LATEST_API_VERSION)) {
      return apiError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
    }
    const version = `v${m[1]}.0`;
    const path = (m[2] as string).replace(/\/$/, '');
    if (path === '/sobjects') return describeGlobal(res, version);
    const describe = /^\/sobjects\/([A-Za-z0-9_]+)\/describe$/.exec(path);
    if (describe) return describeObject(res, org, version, describe[1] as string);
    // query leaves out records in the recycle bin (IsDeleted); queryAll includes them.
    if (path === '/query') return query(ctx, org, version, url.searchParams.get('q') ?? '', false);
    if (path === '/queryAll') return query(ctx, org, version, url.searchParams.get('q') ?? '', true);
    // QueryAll's own nextRecordsUrl says "query" (Salesforce documents it so); /queryAll/<locator> answers the same.
    const more = /^\/(?:query|queryAll)\/(01g[A-Za-z0-9]+)-(\d+)$/.exec(path);
    if (more) return queryMore(ctx, org, version, more[1] as string, Number(more[2]));
    if (handleWrite(ctx, org, version, path)) return;
    return apiError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
  }

  function sobjectSummary(o: { name: string; label: string; labelPlural: string; keyPrefix: string; custom: boolean; queryable: boolean }, version: string) {
    return {
      activateable: false,
      createable: o.queryable,
      custom: o.custom,
      customSetting: false,
      deletable: o.queryable,
      deprecatedAndHidden: false,
      feedEnabled: !o.custom,
      hasSubtypes: false,
      isSubtype: false,
      keyPrefix: o.keyPrefix,
      label: o.label,
      labelPlural: o.labelPlural,
      layoutable: true,
      mergeable: false,
      mruEnabled: true,
      name: o.name,
      queryable: o.queryable,
      replicateable: true,
      retrieveable: true,
      searchable: true,
      triggerable: true,
      undeletable: true,
      updateable: o.queryable,
      urls: {
        sobject: `/services/data/${version}/sobjects/${o.name}`,
        describe: `/services/data/${version}/sobjects/${o.name}/describe`,
        rowTemplate: `/services/data/${version}/sobjects/${o.name}/{ID}`,
      },
    };
  }

  function describeGlobal(res: ServerResponse, version: string): void {
    json(res, 200, { encoding: 'UTF-8', maxBatchSize: 200, sobjects: [...OBJECTS, ...LISTED_ONLY].map((o) => sobjectSummary(o, version)) });
  }

  function describeObject(res: ServerResponse, org: FakeOrg, version: string, name: string): void {
    const o = findObject(name);
    if (!o) return apiError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
    json(res, 200, { ...sobjectSummary(o, version), childRelationships: [], recordTypeInfos: [], fields: org.describedFields(o) });
  }

  function shape(record: FakeRecord, fields: readonly DescribeField[], objectName: string, version: string): Record<string, unknown> {
    const out: Record<string, unknown> = { attributes: { type: objectName, url: `/services/data/${version}/sobjects/${objectName}/${String(record.Id)}` } };
    for (const f of fields) {
      if (f.type === 'address') {
        const prefix = f.name.slice(0, -'Address'.length);
        const part = (s: string) => record[`${prefix}${s}`] ?? null;
        const parts = { street: part('Street'), city: part('City'), state: part('State'), postalCode: part('PostalCode'), country: part('Country') };
        out[f.name] = Object.values(parts).every((v) => v === null)
          ? null
          : { ...parts, geocodeAccuracy: part('GeocodeAccuracy'), latitude: part('Latitude'), longitude: part('Longitude') };
      } else {
        out[f.name] = record[f.name] ?? null;
      }
    }
    return out;
  }

  function page(ctx: Ctx, org: FakeOrg, version: string, cursorId: string, offset: number): void {
    const cursor = org.cursors.get(cursorId);
    if (!cursor || offset > cursor.records.length) return apiError(ctx.res, 400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    const end = Math.min(offset + org.pageSize, cursor.records.length);
    const fields = cursor.fields.map((n) => cursor.object.fields.find((f) => f.name === n) as DescribeField);
    const done = end >= cursor.records.length;
    json(ctx.res, 200, {
      totalSize: cursor.records.length,
      done,
      ...(done ? {} : { nextRecordsUrl: `/services/data/${version}/query/${cursorId}-${end}` }),
      records: cursor.records.slice(offset, end).map((r) => shape(r, fields, cursor.object.name, version)),
    });
  }

  function query(ctx: Ctx, org: FakeOrg, version: string, soql: string, all: boolean): void {
    org.stats.queries.push(soql);
    let parsed;
    try {
      parsed = parseSoql(soql);
    } catch (e) {
      if (e instanceof SoqlError) return apiError(ctx.res, 400, e.errorCode, e.message);
      throw e;
    }
    // An indexed condition narrows the records first, as Salesforce's query optimizer does; the query runs over them as over all.
    const stored = indexedCandidates(parsed, org.recordIndex(parsed.object.name)) ?? org.records.get(parsed.object.name) ?? [];
    const hits = runQuery(parsed, all ? stored : stored.filter((r) => r.IsDeleted !== true));
    if (parsed.count) return json(ctx.res, 200, { totalSize: hits.length, done: true, records: [] });
    const cursorId = org.newCursor(hits, parsed.object, parsed.fields.map((f) => f.name));
    page(ctx, org, version, cursorId, 0);
  }

  function queryMore(ctx: Ctx, org: FakeOrg, version: string, cursorId: string, offset: number): void {
    if (org.faults.dropPages > 0 && org.faults.dropPagesAfter > 0) org.faults.dropPagesAfter--;
    else if (org.faults.dropPages > 0) {
      org.faults.dropPages--;
      // Half a response, then the connection goes away: what a dropped network looks like to the client.
      ctx.res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8', 'content-length': '100000' });
      ctx.res.write('{"totalSize":');
      setTimeout(() => ctx.res.destroy(), 5);
      return;
    }
    page(ctx, org, version, cursorId, offset);
  }

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
