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
import { request, type RequestOptions } from './request.ts';

const ConnectionList = z.array(CrmConnection);
const ObjectList = z.array(CrmObject);
const FieldList = z.array(CrmField);
const ConfigList = z.array(CrmImportConfig);
/** DELETE answers 204 without a body. */
const NoContent = z.undefined();

type CallOptions = Pick<RequestOptions, 'signal' | 'onRetry' | 'retry'>;
const seg = encodeURIComponent;
const base = (id: string) => `/api/connections/${seg(id)}`;
const objectPath = (id: string, object: string) => `${base(id)}/objects/${seg(object)}`;

/** /api/connections: CRM connections, their sign-in round trips, and reading records through them. */
export const connectionsApi = {
  list: (o: CallOptions = {}) => request(ConnectionList, '/api/connections', { ...o, idempotent: true }),
  get: (id: string, o: CallOptions = {}) => request(CrmConnection, base(id), { ...o, idempotent: true }),
  remove: (id: string, o: CallOptions = {}) => request(NoContent, base(id), { ...o, method: 'DELETE', idempotent: true }),

  /** Where to send the browser to log in at Salesforce; it comes back to /connections?connected=… or ?error=…. */
  authorizeSalesforce: (body: AuthorizeSalesforceBody, o: CallOptions = {}) =>
    request(AuthorizeResponse, '/api/connections/salesforce/authorize', { ...o, method: 'POST', body }),
  authorizeDynamics: (body: AuthorizeDynamicsBody, o: CallOptions = {}) =>
    request(AuthorizeResponse, '/api/connections/dynamics/authorize', { ...o, method: 'POST', body }),
  /** App registration (client credentials): no browser round trip, the answer is the new connection. */
  connectDynamicsApp: (body: ConnectDynamicsAppBody, o: CallOptions = {}) =>
    request(CrmConnection, '/api/connections/dynamics/app', { ...o, method: 'POST', body }),

  /**
   * A new sign-in for a stored connection with what it was made with: `{ authorizeUrl }` (send the browser there; it
   * comes back as for authorize, to the same connection or `?error=different_account`) or, for an app registration,
   * `{ connection }` re-validated at once. Use this for every "Reconnect" button, whatever the CRM.
   */
  reconnect: (id: string, o: CallOptions = {}) => request(ReconnectResponse, `${base(id)}/reconnect`, { ...o, method: 'POST' }),

  objects: (id: string, o: CallOptions = {}) => request(ObjectList, `${base(id)}/objects`, { ...o, idempotent: true }),
  fields: (id: string, object: string, o: CallOptions = {}) => request(FieldList, `${objectPath(id, object)}/fields`, { ...o, idempotent: true }),
  // Preview and pull are POSTs only to carry the selection: they read and change nothing, so a retry is safe.
  preview: (id: string, object: string, body: CrmSelection, o: CallOptions = {}) =>
    request(CrmPreview, `${objectPath(id, object)}/preview`, { ...o, method: 'POST', body, idempotent: true }),
  /** One page; a failed page is asked for again with the same cursor, which is how a pull resumes without duplicates. */
  pull: (id: string, object: string, body: CrmPullBody, o: CallOptions = {}) =>
    request(CrmRecordPage, `${objectPath(id, object)}/pull`, { ...o, method: 'POST', body, idempotent: true, timeoutMs: 180_000 }),

  configs: (id: string, o: CallOptions = {}) => request(ConfigList, `${base(id)}/configs`, { ...o, idempotent: true }),
  saveConfig: (id: string, object: string, body: SaveCrmImportConfigBody, o: CallOptions = {}) =>
    request(CrmImportConfig, `${base(id)}/configs/${seg(object)}`, { ...o, method: 'PUT', body, idempotent: true }),
};
