import { hc } from 'hono/client';
import { z } from 'zod';
import {
  type AuthorizeDynamicsBody,
  AuthorizeResponse,
  type AuthorizeSalesforceBody,
  type ConnectDynamicsAppBody,
  CrmPreview,
  type CrmPullBody,
  type CrmSelection,
  ReconnectResponse,
  type SaveCrmImportConfigBody,
} from '../../shared/schema/connections.ts';
import { CrmConnection, CrmField, CrmImportConfig, CrmObject, CrmRecordPage } from '../../shared/schema/crm.ts';
import { ChangeHistoryPage, ChangeImpact } from '../../shared/schema/history.ts';
import type { AppType } from '../../worker/app.ts';
import { type RequestOptions, type SendOptions, sendChecked } from './request.ts';

const ConnectionList = z.array(CrmConnection);
const ObjectList = z.array(CrmObject);
const FieldList = z.array(CrmField);
const ConfigList = z.array(CrmImportConfig);
/** The Worker's /api/connections routes as the compiler sees them (see client.ts); answers are parsed with the shared schemas. */
const routes = hc<AppType>('/').api.connections;

type CallOptions = Pick<RequestOptions, 'signal' | 'onRetry' | 'retry'>;
// hc puts path parameters into the URL as they are.
const seg = encodeURIComponent;
const connection = (id: string) => ({ param: { id: seg(id) } });
const object = (id: string, name: string) => ({ param: { id: seg(id), name: seg(name) } });
/**
 * The sign-in routes read a body whose schema depends on the CRM (`:crm`), so it is not part of their route type;
 * it goes in the request as the typed routes' bodies do.
 */
const withBody = (r: SendOptions, body: unknown) => ({ ...r, init: { ...r.init, body: JSON.stringify(body) } });

/** /api/connections: CRM connections, their sign-in round trips, and reading records through them. */
export const connectionsApi = {
  list: (o: CallOptions = {}) => sendChecked(ConnectionList, (r) => routes.$get(undefined, r), { ...o, idempotent: true }),
  get: (id: string, o: CallOptions = {}) => sendChecked(CrmConnection, (r) => routes[':id'].$get(connection(id), r), { ...o, idempotent: true }),
  /** Integrations are never deleted: disabled (no pulls, no sync runs), enabled again, or their access removed at the CRM. */
  disable: (id: string, o: CallOptions = {}) => sendChecked(CrmConnection, (r) => routes[':id'].disable.$post(connection(id), r), { ...o, idempotent: true }),
  enable: (id: string, o: CallOptions = {}) => sendChecked(CrmConnection, (r) => routes[':id'].enable.$post(connection(id), r), { ...o, idempotent: true }),
  removeAccess: (id: string, o: CallOptions = {}) =>
    sendChecked(CrmConnection, (r) => routes[':id']['remove-access'].$post(connection(id), r), { ...o, idempotent: true }),
  history: (id: string, query: { cursor?: string; limit?: number } = {}, o: CallOptions = {}) =>
    sendChecked(ChangeHistoryPage, (r) => routes[':id'].history.$get({ ...connection(id), query: { ...(query.cursor ? { cursor: query.cursor } : {}), ...(query.limit ? { limit: String(query.limit) } : {}) } }, r), {
      ...o,
      idempotent: true,
    }),

  /** Where to send the browser to log in at Salesforce; it comes back to /connections?connected=… or ?error=…. */
  authorizeSalesforce: (body: AuthorizeSalesforceBody, o: CallOptions = {}) =>
    sendChecked(AuthorizeResponse, (r) => routes[':crm'].authorize.$post({ param: { crm: 'salesforce' } }, withBody(r, body)), o),
  authorizeDynamics: (body: AuthorizeDynamicsBody, o: CallOptions = {}) =>
    sendChecked(AuthorizeResponse, (r) => routes[':crm'].authorize.$post({ param: { crm: 'dynamics' } }, withBody(r, body)), o),
  /** App registration (client credentials): no browser round trip, the answer is the new connection. */
  connectDynamicsApp: (body: ConnectDynamicsAppBody, o: CallOptions = {}) =>
    sendChecked(CrmConnection, (r) => routes[':crm'].app.$post({ param: { crm: 'dynamics' } }, withBody(r, body)), o),

  /**
   * A new sign-in for a stored connection with what it was made with: `{ authorizeUrl }` (send the browser there; it
   * comes back as for authorize, to the same connection or `?error=different_account`) or, for an app registration,
   * `{ connection }` re-validated at once. Use this for every "Reconnect" button, whatever the CRM.
   */
  reconnect: (id: string, o: CallOptions = {}) => sendChecked(ReconnectResponse, (r) => routes[':id'].reconnect.$post(connection(id), r), o),

  objects: (id: string, o: CallOptions = {}) => sendChecked(ObjectList, (r) => routes[':id'].objects.$get(connection(id), r), { ...o, idempotent: true }),
  fields: (id: string, name: string, o: CallOptions = {}) =>
    sendChecked(FieldList, (r) => routes[':id'].objects[':name'].fields.$get(object(id, name), r), { ...o, idempotent: true }),
  // Preview and pull are POSTs only to carry the selection: they read and change nothing, so a retry is safe.
  preview: (id: string, name: string, body: CrmSelection, o: CallOptions = {}) =>
    sendChecked(CrmPreview, (r) => routes[':id'].objects[':name'].preview.$post({ ...object(id, name), json: body }, r), { ...o, idempotent: true }),
  /** One page; a failed page is asked for again with the same cursor, which is how a pull resumes without duplicates. */
  pull: (id: string, name: string, body: CrmPullBody, o: CallOptions = {}) =>
    sendChecked(CrmRecordPage, (r) => routes[':id'].objects[':name'].pull.$post({ ...object(id, name), json: body }, r), {
      ...o,
      idempotent: true,
      timeoutMs: 180_000,
    }),

  configs: (id: string, o: CallOptions = {}) => sendChecked(ConfigList, (r) => routes[':id'].configs.$get(connection(id), r), { ...o, idempotent: true }),
  /** What saving these settings would touch (audiences, syncs, export mappings, removed attributes' values); changes nothing. */
  configImpact: (id: string, name: string, body: SaveCrmImportConfigBody, o: CallOptions = {}) =>
    sendChecked(ChangeImpact, (r) => routes[':id'].configs[':name'].impact.$post({ ...object(id, name), json: body }, r), { ...o, idempotent: true }),
  saveConfig: (id: string, name: string, body: SaveCrmImportConfigBody, o: CallOptions = {}) =>
    sendChecked(CrmImportConfig, (r) => routes[':id'].configs[':name'].$put({ ...object(id, name), json: body }, r), { ...o, idempotent: true }),
};
