import { env, introspectWorkflow } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import type { Audience } from '../../shared/schema/audiences.ts';
import { storeNextPage } from '../../worker/sync/storePage.ts';
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
    // The second page step "dies": its first attempt does not come back to the engine, which retries the step
    // (after its 10-second delay). In that gap the page is stored by the attempt that died, as a Worker that
    // crashed after the batch's transaction committed and before the step returned would have left it.
    await introspector.modifyAll(async (m) => {
      await m.mockStepError({ name: 'page 1' }, new Error('the Worker running this step was restarted'), 1);
    });
    const org = await createOrg({ records: { Contact: contacts(5) }, pageSize: 2 });
    const sync = await createSync(await connect(org));
    const { run } = await runNow(sync.id);

    await untilStored(run.importId, 1);
    const lost = await storeNextPage(env, 'default', run.id);
    expect(lost).toEqual({ done: false, seq: 1, pulled: 2 });

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

/** Waits until the run's import has stored `batches` pages (its next_seq), while the workflow runs beside the test. */
async function untilStored(importId: string, batches: number, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const row = await env.DB.prepare('SELECT next_seq FROM imports WHERE id = ?').bind(importId).first<{ next_seq: number }>();
    if ((row?.next_seq ?? 0) >= batches) return;
    if (Date.now() > until) throw new Error(`import ${importId} stored ${row?.next_seq ?? 0} pages, not ${batches}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

