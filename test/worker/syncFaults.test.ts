import { env, introspectWorkflow } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import type { Audience } from '../../shared/schema/audiences.ts';
import { storePages } from '../../worker/sync/storePages.ts';
import { connect, createOrg } from './connectors/fakeSalesforce.ts';
import { ok } from './support/api.ts';
import { dynamicsSync } from './sync/dynamicsSync.ts';
import { contacts, createSync, memberEmails, runNow, settled } from './sync/syncHelpers.ts';

/**
 * Runs that meet trouble mid-way, against the fake CRMs' fault controls: the run must end with exact counts and no
 * member twice, whatever was retried.
 */

const ALL_NEW = (n: number) => ({ received: n, inserted: n, updated: 0, duplicates: 0, rejected: 0, skipped: 0 });

async function expectExactAudience(audienceId: string, n: number): Promise<void> {
  const emails = await memberEmails(audienceId);
  expect(emails).toEqual(Array.from({ length: n }, (_, i) => `person${i + 1}@example.com`).sort());
  expect(new Set(emails).size).toBe(n);
  expect((await ok<Audience>('GET', `/api/audiences/${audienceId}`)).memberCount).toBe(n);
}

const isPageAfterFirst = (url: string) => url.includes('/contacts?') && url.includes('skiptoken');

describe('a Dynamics 365 run that meets trouble mid-way', () => {
  it('waits out a 429 with Retry-After on a later page, retries that page and goes on', async () => {
    const { fake, sync } = await dynamicsSync(inject('dynamicsUrl'), 5, 2);
    await fake.control({ fail: { status: 429, retryAfter: 1, match: 'skiptoken', count: 1 } });
    const run = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(run).toMatchObject({ status: 'succeeded', pulled: 5 });
    expect(run.counts).toEqual(ALL_NEW(5));
    await expectExactAudience(sync.audienceId, 5);

    const pages = (await fake.log()).requests.filter((r) => r.url.includes('/contacts?'));
    // First page, the refused second page, the same second page again, the third page.
    expect(pages.map((r) => r.status)).toEqual([200, 429, 200, 200]);
    const [, refused, retried] = pages as [unknown, (typeof pages)[number], (typeof pages)[number]];
    expect(retried.url).toBe(refused.url);
    // Retry-After: 1 was honoured (the connector's own backoff alone would come back within half a second).
    expect(retried.at - refused.at).toBeGreaterThanOrEqual(1000);
  });

  it('retries a page the environment answers 503 for', async () => {
    const { fake, sync } = await dynamicsSync(inject('dynamicsUrl'), 5, 2);
    await fake.control({ fail: { status: 503, match: 'skiptoken', count: 2 } });
    const run = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(run).toMatchObject({ status: 'succeeded', pulled: 5 });
    expect(run.counts).toEqual(ALL_NEW(5));
    await expectExactAudience(sync.audienceId, 5);
    const later = (await fake.log()).requests.filter((r) => isPageAfterFirst(r.url));
    expect(later.map((r) => r.status)).toEqual([503, 503, 200, 200]);
    expect(later[2]?.url).toBe(later[0]?.url);
  });

  it('renews an access token that expires mid-pull once, and goes on', async () => {
    const { fake, sync } = await dynamicsSync(inject('dynamicsUrl'), 5, 2);
    await fake.control({ expireAccessTokensOn: 'skiptoken' });
    const run = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(run).toMatchObject({ status: 'succeeded', pulled: 5 });
    expect(run.counts).toEqual(ALL_NEW(5));
    await expectExactAudience(sync.audienceId, 5);
    const log = await fake.log();
    // One new token (client credentials: an app registration), asked for after the one refusal.
    expect(log.tokenRequests.map((t) => t.grant_type)).toEqual(['client_credentials']);
    expect(log.requests.filter((r) => r.status === 401)).toHaveLength(1);
    const later = log.requests.filter((r) => isPageAfterFirst(r.url));
    expect(later.map((r) => r.status)).toEqual([401, 200, 200]);
  });
});

describe('a run whose Worker is restarted mid-run', () => {
  it('resumes after a page was stored but its step never reported back, storing nothing twice', async () => {
    await using introspector = await introspectWorkflow(env.SYNC_RUNS);
    // The first pages step "dies": its first attempt does not come back to the engine, which retries the step
    // (after its 10-second delay). In that gap the attempt that died stores one page, as a Worker that crashed
    // after the page's transaction committed and before the step returned would have left it.
    await introspector.modifyAll(async (m) => {
      await m.mockStepError({ name: 'pages 0' }, new Error('the Worker running this step was restarted'), 1);
    });
    const org = await createOrg({ records: { Contact: contacts(5) }, pageSize: 2 });
    const sync = await createSync(await connect(org));
    const { run } = await runNow(sync.id);

    const lost = await storePages(env, 'default', run.id, { maxRecords: 1, maxMs: 60_000 });
    expect(lost).toEqual({ done: false, nextSeq: 1, pages: 1, pulled: 2 });

    const done = await settled(sync.id, run.id);
    expect(done).toMatchObject({ status: 'succeeded', pulled: 5 });
    expect(done.counts).toEqual(ALL_NEW(5));
    await expectExactAudience(sync.audienceId, 5);
    const batches = await env.DB.prepare('SELECT seq FROM import_batches WHERE import_id = ? ORDER BY seq').bind(run.importId).all<{ seq: number }>();
    expect(batches.results.map((b) => b.seq)).toEqual([0, 1, 2]);
    // The retried step went on at the page after the stored one: one query, each later page fetched once.
    const stats = await org.stats();
    expect(stats.queries.filter((q) => q.includes('FROM Contact'))).toHaveLength(1);
  });
});
