import { Hono } from 'hono';
import { z } from 'zod';
import {
  AuthorizeSalesforceBody,
  CrmPullBody,
  CrmSelection,
  PREVIEW_ROWS,
  SaveCrmImportConfigBody,
  type AuthorizeResponse,
  type CrmPreview,
} from '../../shared/schema/connections.ts';
import type { CrmConnection, CrmField, CrmImportConfig, CrmObject, CrmRecordPage } from '../../shared/schema/crm.ts';
import { CrmError } from '../connectors/connector.ts';
import { crmCall } from '../connectors/crmErrorResponse.ts';
import { openConnector, type OpenedConnector } from '../connectors/openConnector.ts';
import { salesforceSettings } from '../connectors/salesforce/index.ts';
import { SalesforceConnector } from '../connectors/salesforce/salesforceConnector.ts';
import { authorizeUrl, createPkce, exchangeCode, randomToken, resolveLoginUrl } from '../connectors/salesforce/salesforceOAuth.ts';
import { CrmConnections } from '../connectors/store/crmConnections.ts';
import { CrmImportConfigs } from '../connectors/store/crmImportConfigs.ts';
import { OAuthStates } from '../connectors/store/oauthStates.ts';
import { tokenCipher } from '../connectors/tokenCipher.ts';
import { ApiError } from '../http/apiError.ts';
import type { AppEnv } from '../http/appEnv.ts';
import { jsonBody, paramsOf, queryOf } from '../http/validate.ts';

const ConnectionParams = z.object({ id: z.string().min(1).max(64) });
const ObjectParams = ConnectionParams.extend({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,127}$/, 'not an object name'),
});
const CallbackQuery = z.object({
  state: z.string().max(200).optional(),
  code: z.string().max(2000).optional(),
  error: z.string().max(200).optional(),
});

/** Where the browser lands after a login round trip; the SPA reads `connected` or `error`. */
const SPA_CONNECTIONS_PAGE = '/connections';

function notFound(id: string): ApiError {
  return new ApiError(404, 'not_found', `no connection ${id}`);
}

async function opened(env: AppEnv['Bindings'], workspaceId: string, id: string): Promise<OpenedConnector> {
  const o = await crmCall(() => openConnector(env, workspaceId, id));
  if (!o) throw notFound(id);
  return o;
}

/**
 * /api/connections: CRM connections of the workspace, the Salesforce login round trip, and reading a connected
 * CRM (objects, fields, preview, page-by-page pull) through the Connector interface, whatever the CRM.
 */
export const connectionsRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const list: CrmConnection[] = await connections(c.env, c.var.workspaceId).list();
    return c.json(list);
  })

  .post('/salesforce/authorize', jsonBody(AuthorizeSalesforceBody), async (c) => {
    const body = c.req.valid('json');
    const settings = await crmCall(async () => salesforceSettings(c.env));
    const workspaceId = c.var.workspaceId;
    if (body.connectionId) {
      const existing = await new CrmConnections(c.env.DB, workspaceId, settings.tokenCipher).get(body.connectionId);
      if (!existing || existing.kind !== 'salesforce') throw notFound(body.connectionId);
    }
    const loginUrl = await crmCall(async () => resolveLoginUrl(body.loginHost, settings.loginUrls));
    const redirectUri = new URL('/api/connections/salesforce/callback', c.req.url).toString();
    const state = randomToken(32);
    const pkce = await createPkce();
    await new OAuthStates(c.env.DB, workspaceId, settings.tokenCipher).create(state, {
      kind: 'salesforce',
      loginUrl,
      redirectUri,
      codeVerifier: pkce.verifier,
      connectionId: body.connectionId ?? null,
    });
    const answer: AuthorizeResponse = { authorizeUrl: authorizeUrl({ app: settings.app, loginUrl, redirectUri, state, codeChallenge: pkce.challenge }) };
    return c.json(answer);
  })

  .get('/salesforce/callback', queryOf(CallbackQuery), async (c) => {
    const q = c.req.valid('query');
    const back = (params: Record<string, string>) => c.redirect(`${SPA_CONNECTIONS_PAGE}?${new URLSearchParams(params)}`, 302);
    if (!q.state) return back({ error: 'invalid_state' });
    let settings: ReturnType<typeof salesforceSettings>;
    try {
      settings = salesforceSettings(c.env);
    } catch (e) {
      if (e instanceof CrmError) return back({ error: e.code });
      throw e;
    }
    const workspaceId = c.var.workspaceId;
    const pending = await new OAuthStates(c.env.DB, workspaceId, settings.tokenCipher).consume(q.state, 'salesforce');
    // Unknown, replayed, expired, or started by another workspace: nothing to complete.
    if (!pending) return back({ error: 'login_expired' });
    if (q.error || !q.code) return back({ error: q.error === 'access_denied' ? 'access_denied' : 'login_failed' });
    const store = new CrmConnections(c.env.DB, workspaceId, settings.tokenCipher);
    try {
      const session = await exchangeCode({ app: settings.app, loginUrl: pending.loginUrl, redirectUri: pending.redirectUri, code: q.code, codeVerifier: pending.codeVerifier });
      const who = await new SalesforceConnector(session, settings.app).identity();
      let existingId = await store.findByIdentity('salesforce', who.orgId, who.userId);
      if (pending.connectionId) {
        // Reconnecting must bring back the same org and user; another login would silently swap the data source.
        if (existingId !== pending.connectionId) return back({ error: 'different_account' });
        existingId = pending.connectionId;
      }
      const id = await store.save({ kind: 'salesforce', ...session, ...who }, existingId);
      return back({ connected: id });
    } catch (e) {
      if (e instanceof CrmError) return back({ error: e.code });
      throw e;
    }
  })

  .get('/:id', paramsOf(ConnectionParams), async (c) => {
    const { id } = c.req.valid('param');
    const connection = (await connections(c.env, c.var.workspaceId).list()).find((x) => x.id === id);
    if (!connection) throw notFound(id);
    return c.json(connection);
  })

  .delete('/:id', paramsOf(ConnectionParams), async (c) => {
    const { id } = c.req.valid('param');
    const removed = await connections(c.env, c.var.workspaceId).delete(id);
    if (!removed) throw notFound(id);
    return c.body(null, 204);
  })

  .get('/:id/objects', paramsOf(ConnectionParams), async (c) => {
    const { connector } = await opened(c.env, c.var.workspaceId, c.req.valid('param').id);
    const objects: CrmObject[] = await crmCall(() => connector.listObjects());
    return c.json(objects);
  })

  .get('/:id/objects/:name/fields', paramsOf(ObjectParams), async (c) => {
    const { id, name } = c.req.valid('param');
    const { connector } = await opened(c.env, c.var.workspaceId, id);
    const fields: CrmField[] = await crmCall(() => connector.describe(name));
    return c.json(fields);
  })

  .post('/:id/objects/:name/preview', paramsOf(ObjectParams), jsonBody(CrmSelection), async (c) => {
    const { id, name } = c.req.valid('param');
    const { attributes, filters } = c.req.valid('json');
    const { connector } = await opened(c.env, c.var.workspaceId, id);
    // One after the other: a selection the CRM refuses then costs no count query.
    const first = await crmCall(() =>
      connector.firstRecords ? connector.firstRecords(name, attributes, filters, PREVIEW_ROWS) : connector.page(name, attributes, filters, null),
    );
    const total = await crmCall(() => connector.count(name, filters));
    const preview: CrmPreview = { records: first.records.slice(0, PREVIEW_ROWS), total };
    return c.json(preview);
  })

  .post('/:id/objects/:name/pull', paramsOf(ObjectParams), jsonBody(CrmPullBody), async (c) => {
    const { id, name } = c.req.valid('param');
    const { attributes, filters, cursor } = c.req.valid('json');
    const { connector } = await opened(c.env, c.var.workspaceId, id);
    const page: CrmRecordPage = await crmCall(() => connector.page(name, attributes, filters, cursor));
    if (page.nextCursor === null) {
      await connections(c.env, c.var.workspaceId).markImported(id);
    }
    return c.json(page);
  })

  .get('/:id/configs', paramsOf(ConnectionParams), async (c) => {
    const { id } = c.req.valid('param');
    await requireConnection(c.env, c.var.workspaceId, id);
    const configs: CrmImportConfig[] = await new CrmImportConfigs(c.env.DB, c.var.workspaceId).list(id);
    return c.json(configs);
  })

  .get('/:id/configs/:name', paramsOf(ObjectParams), async (c) => {
    const { id, name } = c.req.valid('param');
    await requireConnection(c.env, c.var.workspaceId, id);
    const config = await new CrmImportConfigs(c.env.DB, c.var.workspaceId).get(id, name);
    if (!config) throw new ApiError(404, 'not_found', `no saved import of ${name} for this connection`);
    return c.json(config);
  })

  .put('/:id/configs/:name', paramsOf(ObjectParams), jsonBody(SaveCrmImportConfigBody), async (c) => {
    const { id, name } = c.req.valid('param');
    await requireConnection(c.env, c.var.workspaceId, id);
    const config: CrmImportConfig = await new CrmImportConfigs(c.env.DB, c.var.workspaceId).put(id, name, c.req.valid('json'));
    return c.json(config);
  });

function connections(env: AppEnv['Bindings'], workspaceId: string): CrmConnections {
  return new CrmConnections(env.DB, workspaceId, tokenCipher(env));
}

async function requireConnection(env: AppEnv['Bindings'], workspaceId: string, id: string): Promise<void> {
  const row = await env.DB.prepare('SELECT 1 AS ok FROM crm_connections WHERE workspace_id = ? AND id = ?').bind(workspaceId, id).first();
  if (!row) throw notFound(id);
}

