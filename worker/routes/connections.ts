import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import {
  CrmPullBody,
  CrmSelection,
  PREVIEW_ROWS,
  SaveCrmImportConfigBody,
  type AuthorizeResponse,
  type CrmPreview,
  type ReconnectResponse,
} from '../../shared/schema/connections.ts';
import type { CrmConnection, CrmField, CrmImportConfig, CrmObject, CrmRecordPage } from '../../shared/schema/crm.ts';
import { CrmError, CrmNotConfiguredError } from '../connectors/connector.ts';
import { createPkce, randomToken, sha256Base64Url } from '../connectors/oauth/pkce.ts';
import { openConnector, type OpenedConnector } from '../connectors/openConnector.ts';
import type { CrmProvider, SignedInTokens, SignInTarget } from '../connectors/provider.ts';
import { providerOf } from '../connectors/registry.ts';
import { CrmConnections, toPublic, type StoredConnection } from '../connectors/store/crmConnections.ts';
import { ChangeHistoryQuery, type ChangeImpact } from '../../shared/schema/history.ts';
import { listChanges } from '../history/changeHistory.ts';
import { audiencesFedBy, changeImpact, syncsUsing } from '../history/impact.ts';
import { changeBy, changeStatement, recordChange } from '../history/recordChange.ts';
import { CrmImportConfigs } from '../connectors/store/crmImportConfigs.ts';
import { OAUTH_STATE_TTL_MS, OAuthStates } from '../connectors/store/oauthStates.ts';
import { tokenCipher } from '../connectors/tokenCipher.ts';
import { DomainError, validationFailed } from '../domainError.ts';
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
/** Any sign-in body may name the connection it renews; the rest is the CRM's own (provider.signIn.body). */
const ReconnectField = z.object({ connectionId: z.string().max(64).optional() });

/** Where the browser lands after a sign-in round trip; the SPA reads `connected` or `error` (web/pages/connections/callbackMessage.ts). */
const SPA_CONNECTIONS_PAGE = '/connections';

type Ctx = Context<AppEnv>;

function notFound(id: string): DomainError {
  return new DomainError('not_found', `no connection ${id}`);
}

function connections(c: Ctx): CrmConnections {
  return new CrmConnections(c.env.DB, c.var.workspaceId, tokenCipher(c.env));
}

function providerFor(crm: string): CrmProvider {
  const provider = providerOf(crm);
  if (!provider) throw new DomainError('not_found', `no CRM called ${crm}`);
  return provider;
}

/** The provider's settings, or the same "not set up on this server" answer for every CRM. */
function settingsOf(provider: CrmProvider, env: Env): unknown {
  const settings = provider.settings(env);
  if (settings === null) throw new CrmNotConfiguredError(provider.name, provider.requiredSettings);
  return settings;
}

async function bodyOf<S extends z.ZodType>(c: Ctx, schema: S): Promise<z.output<S>> {
  if (!/^application\/([\w.-]+\+)?json\b/i.test(c.req.header('content-type') ?? '')) {
    throw new DomainError('validation_failed', 'send a JSON body with content-type: application/json', [{ path: [], message: 'expected a JSON body' }]);
  }
  const raw: unknown = await c.req.json().catch(() => undefined);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw validationFailed(parsed.error.issues);
  return parsed.data;
}

/** The connection a sign-in renews: of this workspace and of this CRM, or 404. */
async function reconnecting(c: Ctx, provider: CrmProvider, id: string | undefined): Promise<StoredConnection | null> {
  if (id === undefined) return null;
  const existing = await connections(c).get(id);
  if (!existing || existing.kind !== provider.kind) throw notFound(id);
  return existing;
}

/** The cookie that binds a pending sign-in to this browser; named after the state so two tabs can sign in at once. */
const nonceCookie = (state: string) => `crm_signin_${state.slice(0, 16)}`;
const callbackPath = (provider: CrmProvider) => `/api/connections/${provider.kind}/callback`;

/**
 * Starts an interactive sign-in: state, PKCE verifier (sealed) and the target kept server-side, a nonce in an
 * HttpOnly SameSite=Lax cookie (Lax: the CRM's redirect back is a top-level GET from another site), and the
 * browser sent to the CRM.
 */
async function startSignIn(c: Ctx, provider: CrmProvider, settings: unknown, target: SignInTarget, connectionId: string | null): Promise<AuthorizeResponse> {
  const redirectUri = new URL(callbackPath(provider), c.req.url).toString();
  const state = randomToken(32);
  const nonce = randomToken(32);
  const pkce = await createPkce();
  await new OAuthStates(c.env.DB, c.var.workspaceId, tokenCipher(c.env)).create(
    state,
    { kind: provider.kind, loginUrl: target.loginUrl, instanceUrl: target.instanceUrl, redirectUri, codeVerifier: pkce.verifier, connectionId },
    await sha256Base64Url(nonce),
  );
  setCookie(c, nonceCookie(state), nonce, {
    path: callbackPath(provider),
    httpOnly: true,
    sameSite: 'Lax',
    secure: new URL(c.req.url).protocol === 'https:',
    maxAge: OAUTH_STATE_TTL_MS / 1000,
  });
  return { authorizeUrl: provider.signIn.authorizeUrl(settings, target, { redirectUri, state, codeChallenge: pkce.challenge }) };
}

/**
 * Stores fresh tokens as a connection: the one this org and user already have, or a new one. Renewing a
 * connection must bring back the same org and user; another account would silently swap the data source.
 */
async function completeSignIn(
  c: Ctx,
  provider: CrmProvider,
  settings: unknown,
  tokens: SignedInTokens,
  renewing: string | null,
): Promise<{ id: string } | { differentAccount: true }> {
  const identity = await provider.identify(settings, tokens);
  const store = connections(c);
  const existing = await store.findByIdentity(provider.kind, identity.orgId, identity.userId);
  if (renewing !== null && existing !== renewing) return { differentAccount: true };
  const before = existing === null ? null : await store.get(existing);
  const id = await store.save(provider.kind, { ...tokens, ...identity });
  const after = await store.get(id);
  // After the save, not in its batch: the upsert's RETURNING says which connection it was. A lost entry here costs
  // a line of history, never the sign-in the user just completed.
  if (after) await recordChange(c.env.DB, await changeBy(c, { subject: integrationSubject(after), action: before ? 'reconnected' : 'connected', before: before && integrationState(before), after: integrationState(after) }));
  return { id };
}

/** How the history names an integration: "Salesforce · Acme Corp". */
function integrationSubject(s: StoredConnection) {
  const name = providerOf(s.kind)?.name ?? s.kind;
  return { kind: 'integration' as const, id: s.id, label: `${name} · ${s.orgName ?? new URL(s.instanceUrl).host}`, connectionId: s.id };
}

/** An integration's settings as its history shows them: never a token. */
function integrationState(s: StoredConnection) {
  return {
    status: s.disabledAt ? 'disabled' : 'enabled',
    access: s.accessRemovedAt ? 'removed' : s.status === 'needs_reauth' ? 'needs a new login' : 'granted',
    account: s.userName,
    address: s.instanceUrl,
  };
}

async function storedConnection(c: Ctx, id: string): Promise<StoredConnection> {
  const stored = await connections(c).get(id);
  if (!stored) throw notFound(id);
  return stored;
}

/** Turns an integration off or on, with its history entry in the same transaction; answers the connection as it is then. */
async function setDisabled(c: Ctx, id: string, disabled: boolean): Promise<CrmConnection> {
  const store = connections(c);
  const before = await storedConnection(c, id);
  if (!disabled && before.accessRemovedAt) {
    throw new DomainError('conflict', 'This integration’s access was removed: reconnect it (sign in again) to use it again.', { connectionId: id, accessRemoved: true });
  }
  if (Boolean(before.disabledAt) === disabled) return toPublic(before);
  const at = new Date().toISOString();
  const after: StoredConnection = { ...before, disabledAt: disabled ? at : null };
  const change = await changeBy(c, { subject: integrationSubject(before), action: disabled ? 'disabled' : 'enabled', before: integrationState(before), after: integrationState(after) });
  await c.env.DB.batch([store.setDisabled(id, disabled, at), changeStatement(c.env.DB, change, at)]);
  return connectedAnswer(c, id);
}

/** A saved table config as its history shows it. */
const configState = (cfg: Pick<CrmImportConfig, 'attributes' | 'filters' | 'templateId'>) => ({ attributes: cfg.attributes, filters: cfg.filters, templateId: cfg.templateId });

/** CRM attribute → its label, for matching imports (whose columns are labels); empty when the CRM cannot say now. */
async function attributeLabels(c: Ctx, id: string, object: string): Promise<Map<string, string>> {
  try {
    const { connector } = await opened(c, id);
    return new Map((await connector.describe(object)).map((f) => [f.name, f.label]));
  } catch {
    // A disabled connection or a refused login still gets its preview, matched on API names only.
    return new Map();
  }
}

function differentAccount(provider: CrmProvider): CrmError {
  return new CrmError('crm_auth_failed', `That sign-in is a different ${provider.name} user or organization than this connection uses`, 'different_account', null, 409);
}

async function connectedAnswer(c: Ctx, id: string): Promise<CrmConnection> {
  const stored = await connections(c).get(id);
  if (!stored) throw notFound(id);
  return toPublic(stored);
}

async function opened(c: Ctx, id: string): Promise<OpenedConnector> {
  const o = await openConnector(c.env, c.var.workspaceId, id);
  if (!o) throw notFound(id);
  return o;
}

async function requireConnection(c: Ctx, id: string): Promise<void> {
  const row = await c.env.DB.prepare('SELECT 1 AS ok FROM crm_connections WHERE workspace_id = ? AND id = ?').bind(c.var.workspaceId, id).first();
  if (!row) throw notFound(id);
}

/**
 * /api/connections: the workspace's CRM connections, one sign-in lifecycle for every CRM (/:crm/authorize →
 * /:crm/callback, /:crm/app, /:id/reconnect), and reading a connected CRM (objects, fields, preview, page-by-page
 * pull) through the Connector interface, whatever the CRM.
 */
export const connectionsRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const list: CrmConnection[] = await connections(c).list();
    return c.json(list);
  })

  /** Starts an interactive sign-in (a new connection, or `connectionId` to renew one); the answer says where to send the browser. */
  .post('/:crm/authorize', async (c) => {
    const provider = providerFor(c.req.param('crm'));
    const settings = settingsOf(provider, c.env);
    const { connectionId } = await bodyOf(c, ReconnectField);
    const body = await bodyOf(c, provider.signIn.body);
    const existing = await reconnecting(c, provider, connectionId);
    const target = await provider.signIn.target(settings, body, existing);
    return c.json(await startSignIn(c, provider, settings, target, existing?.id ?? null));
  })

  /**
   * The CRM sends the browser back here. Whatever happens, the browser lands back in the app with a code the SPA
   * words for people (`?connected=<id>` or `?error=<code>`), never on a JSON error page.
   */
  .get('/:crm/callback', async (c) => {
    const back = (params: Record<string, string>) => c.redirect(`${SPA_CONNECTIONS_PAGE}?${new URLSearchParams(params)}`, 302);
    const provider = providerOf(c.req.param('crm'));
    const q = CallbackQuery.safeParse(c.req.query());
    if (!provider || !q.success || !q.data.state) return back({ error: 'invalid_state' });
    const { state, code, error } = q.data;
    const settings = provider.settings(c.env);
    if (settings === null) return back({ error: 'crm_not_configured' });
    const nonce = getCookie(c, nonceCookie(state));
    deleteCookie(c, nonceCookie(state), { path: callbackPath(provider) });
    const pending = await new OAuthStates(c.env.DB, c.var.workspaceId, tokenCipher(c.env)).consume(state, provider.kind, nonce ? await sha256Base64Url(nonce) : null);
    // Unknown, replayed, expired, started by another workspace or in another browser: nothing to complete.
    if (!pending) return back({ error: 'login_expired' });
    if (error || !code) return back({ error: error === 'access_denied' ? 'access_denied' : 'login_failed' });
    try {
      const tokens = await provider.signIn.exchangeCode(settings, pending, { redirectUri: pending.redirectUri, code, codeVerifier: pending.codeVerifier });
      const done = await completeSignIn(c, provider, settings, tokens, pending.connectionId);
      return 'id' in done ? back({ connected: done.id }) : back({ error: 'different_account' });
    } catch (e) {
      if (e instanceof CrmError) return back({ error: e.code });
      console.error('sign-in callback failed', e);
      return back({ error: 'login_failed' });
    }
  })

  /** Connects as the CRM's app registration (client credentials), where it has one: no browser round trip. */
  .post('/:crm/app', async (c) => {
    const provider = providerFor(c.req.param('crm'));
    const app = provider.appSignIn;
    if (!app) throw new DomainError('not_found', `${provider.name} has no app sign-in`);
    const settings = settingsOf(provider, c.env);
    const { connectionId } = await bodyOf(c, ReconnectField);
    const body = await bodyOf(c, app.body);
    const existing = await reconnecting(c, provider, connectionId);
    const target = await app.target(settings, body, existing);
    const done = await completeSignIn(c, provider, settings, await app.requestTokens(settings, target), existing?.id ?? null);
    if (!('id' in done)) throw differentAccount(provider);
    return c.json(await connectedAnswer(c, done.id), existing ? 200 : 201);
  })

  /**
   * A new sign-in for a stored connection, with what it was made with: an app registration re-validates its
   * credentials at once (answer: the connection), a person's sign-in starts again at the same login host or
   * environment (answer: where to send the browser). Either way it must come back as the same account.
   */
  .post('/:id/reconnect', paramsOf(ConnectionParams), async (c) => {
    const { id } = c.req.valid('param');
    const existing = await connections(c).get(id);
    if (!existing) throw notFound(id);
    const provider = providerFor(existing.kind);
    const settings = settingsOf(provider, c.env);
    const app = provider.appSignIn;
    if (existing.authFlow === 'client_credentials' && app) {
      const target = await app.target(settings, null, existing);
      const done = await completeSignIn(c, provider, settings, await app.requestTokens(settings, target), id);
      if (!('id' in done)) throw differentAccount(provider);
      const answer: ReconnectResponse = { connection: await connectedAnswer(c, id) };
      return c.json(answer);
    }
    const target = await provider.signIn.target(settings, null, existing);
    const answer: ReconnectResponse = await startSignIn(c, provider, settings, target, id);
    return c.json(answer);
  })

  .get('/:id', paramsOf(ConnectionParams), async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await connectedAnswer(c, id));
  })

  /** An integration is never deleted: it is disabled (no pulls, no sync runs) and enabled again, its configs and history kept. */
  .post('/:id/disable', paramsOf(ConnectionParams), async (c) => c.json(await setDisabled(c, c.req.valid('param').id, true)))
  .post('/:id/enable', paramsOf(ConnectionParams), async (c) => c.json(await setDisabled(c, c.req.valid('param').id, false)))

  /**
   * "Remove access": the CRM is asked to revoke the grant (where it can: provider.revokeAccess), then the stored
   * tokens are forgotten and the integration left disabled, with its configs, syncs and history. When the CRM
   * cannot be reached nothing changes here, so the grant is never believed gone while it still works.
   */
  .post('/:id/remove-access', paramsOf(ConnectionParams), async (c) => {
    const { id } = c.req.valid('param');
    const store = connections(c);
    const before = await storedConnection(c, id);
    if (before.accessRemovedAt) return c.json(toPublic(before));
    const provider = providerFor(before.kind);
    if (provider.revokeAccess) {
      await provider.revokeAccess(settingsOf(provider, c.env), before, {
        accessToken: before.accessTokenSealed ? store.unseal(before.accessTokenSealed) : null,
        refreshToken: before.refreshTokenSealed ? store.unseal(before.refreshTokenSealed) : null,
      });
    }
    const at = new Date().toISOString();
    const after: StoredConnection = { ...before, disabledAt: before.disabledAt ?? at, accessRemovedAt: at };
    const change = await changeBy(c, { subject: integrationSubject(before), action: 'access_removed', before: integrationState(before), after: integrationState(after) });
    await c.env.DB.batch([store.removeAccess(id, at), changeStatement(c.env.DB, change, at)]);
    return c.json(await connectedAnswer(c, id));
  })

  /** Everything changed about this integration: itself, its tables, its syncs (newest first). */
  .get('/:id/history', paramsOf(ConnectionParams), queryOf(ChangeHistoryQuery), async (c) => {
    const { id } = c.req.valid('param');
    await requireConnection(c, id);
    return c.json(await listChanges(c.env.DB, c.var.workspaceId, { ...c.req.valid('query'), connectionId: id }));
  })

  .get('/:id/objects', paramsOf(ConnectionParams), async (c) => {
    const { connector } = await opened(c, c.req.valid('param').id);
    const objects: CrmObject[] = await connector.listObjects();
    return c.json(objects);
  })

  .get('/:id/objects/:name/fields', paramsOf(ObjectParams), async (c) => {
    const { id, name } = c.req.valid('param');
    const { connector } = await opened(c, id);
    const fields: CrmField[] = await connector.describe(name);
    return c.json(fields);
  })

  .post('/:id/objects/:name/preview', paramsOf(ObjectParams), jsonBody(CrmSelection), async (c) => {
    const { id, name } = c.req.valid('param');
    const { attributes, filters } = c.req.valid('json');
    const { connector } = await opened(c, id);
    // One after the other: a selection the CRM refuses then costs no count query.
    const first = await (connector.firstRecords ? connector.firstRecords(name, attributes, filters, PREVIEW_ROWS) : connector.page(name, attributes, filters, null));
    const total = await connector.count(name, filters);
    const preview: CrmPreview = { records: first.records.slice(0, PREVIEW_ROWS), total };
    return c.json(preview);
  })

  .post('/:id/objects/:name/pull', paramsOf(ObjectParams), jsonBody(CrmPullBody), async (c) => {
    const { id, name } = c.req.valid('param');
    const { attributes, filters, cursor } = c.req.valid('json');
    const { connector } = await opened(c, id);
    const page: CrmRecordPage = await connector.page(name, attributes, filters, cursor);
    if (page.nextCursor === null) await connections(c).markImported(id);
    return c.json(page);
  })

  .get('/:id/configs', paramsOf(ConnectionParams), async (c) => {
    const { id } = c.req.valid('param');
    await requireConnection(c, id);
    const configs: CrmImportConfig[] = await new CrmImportConfigs(c.env.DB, c.var.workspaceId).list(id);
    return c.json(configs);
  })

  .get('/:id/configs/:name', paramsOf(ObjectParams), async (c) => {
    const { id, name } = c.req.valid('param');
    await requireConnection(c, id);
    const config = await new CrmImportConfigs(c.env.DB, c.var.workspaceId).get(id, name);
    if (!config) throw new DomainError('not_found', `no saved import of ${name} for this connection`);
    return c.json(config);
  })

  /**
   * Saves the table's attributes and filters, with its history entry (before → after) in the same transaction.
   * Saving what is already saved changes nothing and writes no entry.
   */
  .put('/:id/configs/:name', paramsOf(ObjectParams), jsonBody(SaveCrmImportConfigBody), async (c) => {
    const { id, name } = c.req.valid('param');
    const connection = await storedConnection(c, id);
    const store = new CrmImportConfigs(c.env.DB, c.var.workspaceId);
    const before = await store.get(id, name);
    const body = c.req.valid('json');
    const wanted = configState(body);
    if (before && JSON.stringify(configState(before)) === JSON.stringify(wanted)) return c.json(before);
    const at = new Date().toISOString();
    const change = await changeBy(c, {
      subject: { kind: 'table_config', id: `${id}:${name}`, label: `${name} of ${integrationSubject(connection).label}`, connectionId: id },
      action: before ? 'updated' : 'created',
      before: before && configState(before),
      after: wanted,
    });
    const [saved] = await c.env.DB.batch([store.putStatement(id, name, body, at), changeStatement(c.env.DB, change, at)]);
    const config: CrmImportConfig = store.fromSaved(saved);
    return c.json(config);
  })

  /**
   * What saving these settings for the table would touch, before it is saved: the audiences filled from it (with
   * their members), the syncs and export mappings using it, and what becomes of the values of attributes no longer
   * imported (they stay on the members but are no longer updated).
   */
  .post('/:id/configs/:name/impact', paramsOf(ObjectParams), jsonBody(SaveCrmImportConfigBody), async (c) => {
    const { id, name } = c.req.valid('param');
    const connection = await storedConnection(c, id);
    const db = c.env.DB;
    const ws = c.var.workspaceId;
    const before = await new CrmImportConfigs(db, ws).get(id, name);
    const proposed = configState(c.req.valid('json'));
    const table = { connectionId: id, object: name };
    const impact: ChangeImpact = await changeImpact(db, ws, {
      subject: { kind: 'table_config', id: `${id}:${name}`, label: `${name} of ${integrationSubject(connection).label}`, connectionId: id },
      object: name,
      before: before && configState(before),
      after: proposed,
      attributesBefore: before?.attributes ?? [],
      attributesAfter: proposed.attributes,
      audiences: await audiencesFedBy(db, ws, table),
      syncs: await syncsUsing(db, ws, table),
      labels: before ? await attributeLabels(c, id, name) : new Map(),
    });
    return c.json(impact);
  });
