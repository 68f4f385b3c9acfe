import { z } from 'zod';
import { isTenant } from '../crm/dynamicsEnvironment.ts';
import { salesforceLoginOrigin } from '../crm/salesforceLoginHost.ts';
import { CrmConnection, CrmFilter, CrmRecordPage } from './crm.ts';

/** Bodies and answers of /api/connections (see worker/routes/connections.ts); the CRM concepts are in crm.ts. */

/** 'production' (login.salesforce.com), 'sandbox' (test.salesforce.com) or the org's My Domain URL. */
export const SalesforceLoginHost = z.union([
  z.enum(['production', 'sandbox']),
  z
    .string()
    .max(300)
    .refine((v) => salesforceLoginOrigin(v) !== null, {
      message: 'use production, sandbox or your My Domain address, e.g. https://acme.my.salesforce.com',
    }),
]);
export type SalesforceLoginHost = z.infer<typeof SalesforceLoginHost>;

export const AuthorizeSalesforceBody = z.object({
  loginHost: SalesforceLoginHost,
  /** Re-authorize this connection (after `needs_reauth`) instead of adding one. */
  connectionId: z.string().max(64).optional(),
});
export type AuthorizeSalesforceBody = z.infer<typeof AuthorizeSalesforceBody>;

export const AuthorizeResponse = z.object({ authorizeUrl: z.string() });
export type AuthorizeResponse = z.infer<typeof AuthorizeResponse>;

/**
 * POST /api/connections/:id/reconnect: a person's sign-in starts again (send the browser to `authorizeUrl`), an
 * app registration is re-validated at once (`connection`, status connected again).
 */
export const ReconnectResponse = z.union([AuthorizeResponse, z.object({ connection: CrmConnection })]);
export type ReconnectResponse = z.infer<typeof ReconnectResponse>;

/** Which fields to read (API names, as `describe` lists them) and which records (ANDed filters). */
export const CrmSelection = z.object({
  attributes: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, 'not a field name')).min(1).max(500),
  filters: z.array(CrmFilter).max(20).default([]),
});
export type CrmSelection = z.infer<typeof CrmSelection>;

export const PREVIEW_ROWS = 20;

export const CrmPreview = z.object({
  records: CrmRecordPage.shape.records,
  /** Records the selection matches in the CRM, i.e. what a full pull brings. */
  total: z.number().int(),
});
export type CrmPreview = z.infer<typeof CrmPreview>;

export const CrmPullBody = CrmSelection.extend({
  /** null for the first page, then the previous page's nextCursor; a failed page is retried with the same cursor. */
  cursor: z.string().max(2000).nullable().default(null),
});
export type CrmPullBody = z.infer<typeof CrmPullBody>;

export const SaveCrmImportConfigBody = CrmSelection.extend({
  templateId: z.string().max(64).nullable().default(null),
});
export type SaveCrmImportConfigBody = z.infer<typeof SaveCrmImportConfigBody>;

/**
 * Dynamics 365: the environment (e.g. https://contoso.crm.dynamics.com; checked by the Worker against
 * shared/crm/dynamicsEnvironment.ts plus its configured extra origins) and the Microsoft Entra tenant.
 */
export const DynamicsEnvironmentUrl = z.string().trim().min(1).max(300);

/** Delegated sign-in of an admin (authorization code + PKCE): any work account (`organizations`) or one tenant. */
export const AuthorizeDynamicsBody = z.object({
  environmentUrl: DynamicsEnvironmentUrl,
  tenant: z
    .string()
    .trim()
    .default('organizations')
    .refine((t) => isTenant(t, { allowOrganizations: true }), { message: 'use organizations, a tenant id or a domain like contoso.onmicrosoft.com' }),
});
export type AuthorizeDynamicsBody = z.infer<typeof AuthorizeDynamicsBody>;

/** App registration (client credentials): needs the tenant the environment belongs to. */
export const ConnectDynamicsAppBody = z.object({
  environmentUrl: DynamicsEnvironmentUrl,
  tenant: z
    .string()
    .trim()
    .refine((t) => isTenant(t, { allowOrganizations: false }), { message: 'use the tenant id or a domain like contoso.onmicrosoft.com' }),
});
export type ConnectDynamicsAppBody = z.infer<typeof ConnectDynamicsAppBody>;
