/**
 * The fake Salesforce's control API, used only by tests (from Node or from inside workerd, hence no Node imports
 * here). Each test creates its own org, so test files running side by side never share tokens, data or faults.
 */

export type FakeRecord = Record<string, string | number | boolean | null>;

export type CreateOrgRequest = {
  /** The connected app the org trusts; token requests with other credentials fail with invalid_client. */
  clientId: string;
  clientSecret: string;
  orgName?: string;
  /** Generated records per object (deterministic for a given org). */
  contacts?: number;
  leads?: number;
  accounts?: number;
  /** Records added after the generated ones; Id is filled in when missing. */
  records?: Partial<Record<'Contact' | 'Lead' | 'Account' | 'Invoice__c', FakeRecord[]>>;
  /** Records per query page; Salesforce's default (and our connector's) is 2,000. */
  pageSize?: number;
};

export type CreateOrgResponse = {
  orgId: string;
  userId: string;
  userName: string;
  /** Where authorize / token / refresh go (login.salesforce.com in production). */
  loginUrl: string;
  /** Where the REST API answers, as the token response's instance_url says. */
  instanceUrl: string;
};

export type FaultRequest = {
  /** Every access token issued so far stops working (401 INVALID_SESSION_ID); refresh still works. */
  expireSessions?: boolean;
  /** After this many more REST API requests, every access token issued so far stops working (a session expiring mid-pull). */
  expireSessionsAfter?: number;
  /** Refresh tokens are revoked (invalid_grant) and access tokens expire with them. */
  revokeRefreshTokens?: boolean;
  /**
   * The next `count` REST API requests fail with this status: 503 SERVER_UNAVAILABLE, 403 REQUEST_LIMIT_EXCEEDED,
   * 500 UNKNOWN_EXCEPTION, or 401 INVALID_SESSION_ID whatever the token (a session Salesforce keeps refusing).
   */
  fail?: { status: 401 | 403 | 500 | 503; count: number };
  /** The next `count` "query more" requests (page 2 onwards of a query) lose their connection mid-response. */
  dropPages?: number;
  /** With dropPages: this many "query more" requests are answered first (a pull interrupted after a given page). */
  dropPagesAfter?: number;
  /** The next `count` REST API requests are answered only after `ms` milliseconds. */
  delay?: { ms: number; count: number };
};

/** Changes made "in Salesforce" while tests run: what incremental syncs must pick up. */
export type RecordChanges = {
  object: 'Contact' | 'Lead' | 'Account' | 'Invoice__c';
  /** Merged into the record with the same Id, or added; SystemModstamp and LastModifiedDate become now. */
  upsert?: FakeRecord[];
  /** Ids moved to the recycle bin: IsDeleted = true; query no longer returns them, queryAll does. */
  delete?: string[];
  /**
   * Ids deleted for good (a hard delete, or the recycle bin emptied): neither query nor queryAll returns them, as
   * Salesforce documents it; nor does the getDeleted resource, whose delete log is purged with the bin.
   */
  purge?: string[];
};

/**
 * A value added to a pick list "in Salesforce Setup": describes of this org list it from now on. `active: false`
 * deactivates an existing value instead (describes list it with active false; records keep it).
 */
export type PicklistValueAdded = { object: 'Contact' | 'Lead' | 'Account' | 'Invoice__c'; field: string; value: string; label: string; active?: boolean };

/**
 * An admin changed a field since the org was made (POST /__control/orgs/:n/fields): `required` — describe says
 * nillable false, creates without it fail; `externalId` — describe says externalId true, records upsert by it.
 */
export type FieldChanged = { object: 'Contact' | 'Lead' | 'Account' | 'Invoice__c'; field: string; required?: boolean; externalId?: boolean };

export type OrgStats = {
  tokenGrants: { authorization_code: number; refresh_token: number };
  /** REST API requests (`/services/data/…`, userinfo) received, including failed ones. */
  apiRequests: number;
  /** Every SOQL statement received by /query, in order. */
  queries: string[];
  /** Every token ever issued, so a test can look for them where they must not be (e.g. plain in D1). */
  issuedAccessTokens: string[];
  issuedRefreshTokens: string[];
  /** Tokens revoked through /services/oauth2/revoke. */
  revokedTokens: number;
};

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the fake Salesforce (globalSetup.ts); tests create their own org under it. */
    fakeSalesforceUrl: string;
  }
}
