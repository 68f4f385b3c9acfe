import { describe, expect, it } from 'vitest';
import { crmFailure } from './connectorContract.ts';
import { connectionStore, connectorFor, createOrg, reopen } from './fakeSalesforce.ts';

const failure = crmFailure;

describe('retries', () => {
  it('retries 503 with backoff and succeeds when Salesforce recovers', async () => {
    const org = await createOrg({ contacts: 5 });
    const connector = await connectorFor(org);
    await org.faults({ fail: { status: 503, count: 2 } });
    const before = (await org.stats()).apiRequests;
    expect(await connector.count('Contact', [])).toBe(5);
    // describe + count, the describe tried three times.
    expect((await org.stats()).apiRequests - before).toBe(4);
  });

  it('gives up after the configured retries with crm_unavailable, keeping Salesforce’s code and message', async () => {
    const org = await createOrg();
    const connector = await connectorFor(org, { retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    await org.faults({ fail: { status: 503, count: 10 } });
    const before = (await org.stats()).apiRequests;
    const e = await failure(connector.listObjects());
    expect(e.code).toBe('crm_unavailable');
    expect(e.vendorCode).toBe('SERVER_UNAVAILABLE');
    expect(e.vendorMessage).toBe('Server temporarily unavailable, please try again later.');
    expect(e.message).toContain('Server temporarily unavailable');
    expect((await org.stats()).apiRequests - before).toBe(3);
  });

  it('treats REQUEST_LIMIT_EXCEEDED as retryable, then as crm_rate_limited', async () => {
    const org = await createOrg({ contacts: 2 });
    const recovering = await connectorFor(org);
    await org.faults({ fail: { status: 403, count: 1 } });
    expect(await recovering.listObjects()).not.toHaveLength(0);

    const exhausted = await connectorFor(org, { retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    await org.faults({ fail: { status: 403, count: 5 } });
    const e = await failure(exhausted.listObjects());
    expect(e).toMatchObject({ code: 'crm_rate_limited', vendorCode: 'REQUEST_LIMIT_EXCEEDED', status: 429 });
    expect(e.message).toContain('TotalRequests Limit exceeded.');
  });

  it('does not retry what retrying cannot fix (a malformed request)', async () => {
    const org = await createOrg();
    const connector = await connectorFor(org);
    const before = (await org.stats()).apiRequests;
    const e = await failure(connector.describe('No_Such_Object__c'));
    expect(e).toMatchObject({ code: 'crm_error', vendorCode: 'NOT_FOUND', status: 404 });
    expect((await org.stats()).apiRequests - before).toBe(1);
  });

  it('turns a request that outlives the timeout into crm_unavailable, and the next call works', async () => {
    const org = await createOrg({ contacts: 3 });
    const connector = await connectorFor(org, { timeoutMs: 150 });
    await org.faults({ delay: { ms: 1_000, count: 1 } });
    const e = await failure(connector.count('Contact', []));
    expect(e).toMatchObject({ code: 'crm_unavailable', status: 504 });
    expect(await connector.count('Contact', [])).toBe(3);
  });
});

describe('session refresh', () => {
  it('refreshes once for calls running side by side, and stores the new session sealed', async () => {
    const org = await createOrg({ contacts: 4 });
    const connector = await connectorFor(org);
    await org.faults({ expireSessions: true });
    const [objects, fields, count] = await Promise.all([connector.listObjects(), connector.describe('Contact'), connector.count('Lead', [])]);
    expect(objects.length).toBeGreaterThan(0);
    expect(fields.length).toBeGreaterThan(0);
    expect(count).toBe(0);
    const stats = await org.stats();
    expect(stats.tokenGrants.refresh_token).toBe(1);
    const stored = await connectionStore().get(connector.connectionId);
    expect(stored && connectionStore().unseal(stored.accessTokenSealed)).toBe(stats.issuedAccessTokens.at(-1));
    expect(stored?.instanceUrl).toBe(org.instanceUrl);
    expect(stored?.status).toBe('connected');
  });

  it('refreshes only once per call: a session Salesforce keeps refusing fails with crm_auth_failed', async () => {
    const org = await createOrg();
    const connector = await connectorFor(org);
    await org.faults({ fail: { status: 401, count: 5 } });
    const before = await org.stats();
    const e = await failure(connector.listObjects());
    expect(e).toMatchObject({ code: 'crm_auth_failed', vendorCode: 'INVALID_SESSION_ID' });
    const after = await org.stats();
    expect(after.tokenGrants.refresh_token - before.tokenGrants.refresh_token).toBe(1);
    expect(after.apiRequests - before.apiRequests).toBe(2);
  });

  it('marks a connection whose refresh token was revoked needs_reauth and fails with a clear crm_auth_failed', async () => {
    const org = await createOrg();
    const connector = await connectorFor(org);
    await org.faults({ revokeRefreshTokens: true });
    const e = await failure(connector.listObjects());
    expect(e).toMatchObject({ code: 'crm_auth_failed', vendorCode: 'invalid_grant', vendorMessage: 'expired access/refresh token' });
    expect(e.message).toMatch(/Reconnect Salesforce/);
    expect((await connectionStore().get(connector.connectionId))?.status).toBe('needs_reauth');
    // Marked once: the next call is refused without asking Salesforce again.
    const before = await org.stats();
    expect(await failure(connector.count('Contact', []))).toMatchObject({ code: 'crm_auth_failed' });
    const after = await org.stats();
    expect(after.apiRequests - before.apiRequests).toBe(0);
    expect(after.tokenGrants.refresh_token - before.tokenGrants.refresh_token).toBe(0);
  });

  it('renews exactly once when the session expires mid-pull, and the pull continues where it was', async () => {
    const org = await createOrg({ contacts: 10, pageSize: 4 });
    const connector = await connectorFor(org);
    const fields = ['Id', 'Email'];
    const first = await connector.page('Contact', fields, [], null);
    expect(first.records).toHaveLength(4);
    await org.faults({ expireSessions: true });
    const before = await org.stats();
    const second = await connector.page('Contact', fields, [], first.nextCursor);
    // The next request of the pull opens a new connector from the store: it uses the renewed token as it is.
    const nextRequest = await reopen(org, connector.connectionId);
    const third = await nextRequest.page('Contact', fields, [], second.nextCursor);
    const after = await org.stats();
    expect(after.tokenGrants.refresh_token - before.tokenGrants.refresh_token).toBe(1);
    expect(third.nextCursor).toBeNull();
    const ids = [...first.records, ...second.records, ...third.records].map((r) => r.Id);
    expect(ids).toHaveLength(10);
    expect(new Set(ids).size).toBe(10);
  });
});
