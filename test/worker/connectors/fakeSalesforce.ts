import { env } from 'cloudflare:test';
import { inject } from 'vitest';
import type { CreateOrgRequest, CreateOrgResponse, FaultRequest, OrgStats } from '../../servers/salesforce/controlTypes.ts';
import app from '../../../worker/app.ts';
import { requestAsAdmin } from '../support/api.ts';
import { CookieJar } from './cookieJar.ts';
import type { SalesforceConnector, SalesforceConnectorOptions } from '../../../worker/connectors/salesforce/salesforceConnector.ts';
import { salesforceConnectorFor, salesforceSettings } from '../../../worker/connectors/salesforce/index.ts';
import { CrmConnections } from '../../../worker/connectors/store/crmConnections.ts';
import { tokenCipher } from '../../../worker/connectors/tokenCipher.ts';

/** Test-side handle on one org of the fake Salesforce (test/servers/salesforce), reached over real HTTP from workerd. */
export type FakeOrgHandle = CreateOrgResponse & {
  faults(f: FaultRequest): Promise<void>;
  stats(): Promise<OrgStats>;
  /** The Worker's bindings with this org as the "production" login host. */
  env: Env;
  /** The user's browser: its sign-in cookies go back with the callback. */
  browser: CookieJar;
};

const base = () => inject('fakeSalesforceUrl');

export const app_ = app;

export async function createOrg(request: Partial<CreateOrgRequest> = {}): Promise<FakeOrgHandle> {
  const res = await fetch(`${base()}/__control/orgs`, {
    method: 'POST',
    body: JSON.stringify({ clientId: env.SALESFORCE_CLIENT_ID, clientSecret: env.SALESFORCE_CLIENT_SECRET, ...request }),
  });
  if (res.status !== 201) throw new Error(`fake Salesforce refused the org: ${res.status} ${await res.text()}`);
  const org = (await res.json()) as CreateOrgResponse;
  const control = `${base()}/__control/orgs/${org.loginUrl.split('/orgs/')[1]?.split('/')[0]}`;
  return {
    ...org,
    async faults(f) {
      const r = await fetch(`${control}/faults`, { method: 'POST', body: JSON.stringify(f) });
      if (!r.ok) throw new Error(`faults refused: ${r.status}`);
    },
    async stats() {
      return (await (await fetch(`${control}/stats`)).json()) as OrgStats;
    },
    env: { ...env, SALESFORCE_LOGIN_URL: org.loginUrl } as Env,
    browser: new CookieJar(),
  };
}

/** A request to the Worker's app with the org's bindings; a POST says JSON even without a body, as the SPA's do. */
export function call(org: FakeOrgHandle, path: string, init: RequestInit & { json?: unknown } = {}, bindings: Env = org.env): Promise<Response> {
  const { json, ...rest } = init;
  const request: RequestInit =
    json === undefined
      ? rest.method === 'POST'
        ? { ...rest, headers: { 'content-type': 'application/json', ...rest.headers } }
        : rest
      : { ...rest, method: rest.method ?? 'POST', body: JSON.stringify(json), headers: { 'content-type': 'application/json', ...rest.headers } };
  return Promise.resolve(requestAsAdmin(path, org.browser.send(request), bindings)).then((res) => org.browser.take(res));
}

/** The user "logs in" at the fake: the authorize URL answers with a redirect to our callback, code and state included. */
export async function approveAtSalesforce(authorizeUrl: string): Promise<string> {
  const res = await fetch(authorizeUrl, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`authorize did not redirect: ${res.status} ${await res.text()}`);
  const url = new URL(location);
  return `${url.pathname}${url.search}`;
}

/** Connects the org through the Worker's routes (authorize → login → callback) and returns the connection id. */
export async function connect(org: FakeOrgHandle, body: Record<string, unknown> = { loginHost: 'production' }): Promise<string> {
  const res = await call(org, '/api/connections/salesforce/authorize', { json: body });
  if (res.status !== 200) throw new Error(`authorize failed: ${res.status} ${await res.text()}`);
  const { authorizeUrl } = (await res.json()) as { authorizeUrl: string };
  const back = await call(org, await approveAtSalesforce(authorizeUrl));
  const landing = new URL(back.headers.get('location') ?? '', 'http://spa');
  const id = landing.searchParams.get('connected');
  if (!id) throw new Error(`callback did not connect: ${back.status} ${landing}`);
  return id;
}

/** Retries that do not make tests wait: the backoff is configuration. */
export const FAST_RETRY = { retries: 3, baseDelayMs: 1, maxDelayMs: 4 };

/** The connection's store, as the Worker's routes keep it (workspace "default"). */
export function connectionStore(): CrmConnections {
  return new CrmConnections(env.DB, 'default', tokenCipher(env));
}

/**
 * The connector of a connection made through the Worker's routes, opened the way openConnector does (tokens stored
 * sealed, renewed by StoredTokens), with test-sized retries and timeouts.
 */
export async function connectorFor(
  org: FakeOrgHandle,
  options: Pick<SalesforceConnectorOptions, 'retry' | 'timeoutMs' | 'sleep'> = {},
): Promise<SalesforceConnector & { connectionId: string }> {
  return reopen(org, await connect(org), options);
}

/** The connector of a stored connection as the next request opens it: from the store as it is now, no new sign-in. */
export async function reopen(
  org: FakeOrgHandle,
  connectionId: string,
  options: Pick<SalesforceConnectorOptions, 'retry' | 'timeoutMs' | 'sleep'> = {},
): Promise<SalesforceConnector & { connectionId: string }> {
  const connection = await connectionStore().get(connectionId);
  const settings = salesforceSettings(org.env);
  if (!connection || !settings) throw new Error('the connection was not stored');
  const connector = salesforceConnectorFor(settings, connection, connectionStore(), { retry: FAST_RETRY, ...options });
  return Object.assign(connector, { connectionId });
}
