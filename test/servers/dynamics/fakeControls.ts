// Test-side handles on the fake Dataverse's /_fake/ controls (plain fetch: usable from workerd and Node alike).

export type FakeRequestLog = {
  /** `at`: when the request arrived (ms since the epoch), so a test can see how long a client waited before retrying. */
  requests: { method: string; url: string; prefer: string | null; status: number; at: number }[];
  tokenRequests: { grant_type: string; scope: string | null }[];
};

export type FakeControl = {
  fail?: { status: 429 | 500 | 502 | 503 | 504; count?: number; retryAfter?: number; match?: string };
  dropPage?: { page: number; times?: number };
  expireAccessTokens?: boolean;
  /** The first Web API request of the tenant whose URL contains this text finds its access tokens expired (mid-pull). */
  expireAccessTokensOn?: string;
  revokeRefreshTokens?: boolean;
  clearLog?: boolean;
  clearFaults?: boolean;
  /** This tenant sees these contacts instead of the generated ones. */
  seedContacts?: Record<string, unknown>[];
  aggregateLimit?: number;
  /** Interactive sign-ins from now on are made as this user (index into tables.ts USERS; 0 = the admin). */
  signInAs?: number;
  /**
   * Contacts written "in Dynamics 365" (after seedContacts): merged by contactid or created, modifiedon now, a new
   * row version each; deleted ones come back from change tracking as $deletedEntity.
   */
  changeContacts?: { upsert?: Record<string, unknown>[]; delete?: string[] };
  /** Pages of at most this many records, whatever the client asks. */
  maxPageSize?: number;
  /** Every delta token issued so far is expired (ExpiredVersionStamp), as after the organization's retention period. */
  expireDeltaTokens?: boolean;
  /** The seeded contact table's ChangeTrackingEnabled (true by default): false, and deletions are seen by nothing. */
  contactChangeTracking?: boolean;
  /** An option removed from a choice column of the seeded contact table "in the maker portal": records keep the number. */
  removeContactOption?: { attribute: string; value: number };
};

export function fakeDataverse(url: string, tenant: string) {
  const q = `tenant=${encodeURIComponent(tenant)}`;
  return {
    async control(body: FakeControl): Promise<void> {
      const res = await fetch(`${url}/_fake/control?${q}`, { method: 'POST', body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`fake control failed: ${res.status}`);
    },
    async log(): Promise<FakeRequestLog> {
      return (await (await fetch(`${url}/_fake/log?${q}`)).json()) as FakeRequestLog;
    },
    async issuedTokens(): Promise<string[]> {
      return ((await (await fetch(`${url}/_fake/tokens?${q}`)).json()) as { tokens: string[] }).tokens;
    },
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the fake Dataverse and identity platform (globalSetup.ts). */
    dynamicsUrl: string;
  }
}
