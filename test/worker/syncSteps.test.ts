import { env, introspectWorkflow } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Audience } from '../../shared/schema/audiences.ts';
import { storePages } from '../../worker/sync/storePages.ts';
import { connect, createOrg } from './connectors/fakeSalesforce.ts';
import { ok } from './support/api.ts';
import { contacts, createSync, memberEmails, runNow, settled } from './sync/syncHelpers.ts';

// The workspace the test requests act in (test/worker/support/api.ts).
const WORKSPACE = 'default';

type RunState = { nextSeq: number; received: number; inserted: number; pulled: number; batches: number[]; cursors: number[] };

async function runState(runId: string): Promise<RunState> {
  const run = await env.DB.prepare(
    'SELECT i.id AS import_id, i.next_seq, i.received, i.inserted, r.pulled FROM sync_runs r JOIN imports i ON i.id = r.import_id WHERE r.id = ?',
  )
    .bind(runId)
    .first<{ import_id: string; next_seq: number; received: number; inserted: number; pulled: number }>();
  if (!run) throw new Error(`no run ${runId}`);
  const batches = await env.DB.prepare('SELECT seq FROM import_batches WHERE import_id = ? ORDER BY seq').bind(run.import_id).all<{ seq: number }>();
  const cursors = await env.DB.prepare('SELECT seq FROM sync_run_cursors WHERE run_id = ? ORDER BY seq').bind(runId).all<{ seq: number }>();
  return {
    nextSeq: run.next_seq,
    received: run.received,
    inserted: run.inserted,
    pulled: run.pulled,
    batches: batches.results.map((b) => b.seq),
    cursors: cursors.results.map((c) => c.seq),
  };
}

/**
 * A run whose Workflow does nothing (its steps answered by mocks), so the test plays the engine: it calls the
 * step's body, storePages, itself, and sees D1 between two steps.
 */
async function heldRun(records: number, pageSize: number) {
  const introspector = await introspectWorkflow(env.SYNC_RUNS);
  await introspector.modifyAll(async (m) => {
    await m.mockStepResult({ name: 'pages 0' }, { done: true, nextSeq: 0, pages: 0, pulled: 0 });
    await m.mockStepResult({ name: 'finish' }, 'held by the test');
  });
  const org = await createOrg({ records: { Contact: contacts(records) }, pageSize });
  const sync = await createSync(await connect(org));
  const { run } = await runNow(sync.id);
  return { org, sync, runId: run.id, introspector };
}

describe('a step of a sync run that stores several pages', () => {
  it('interrupted after page k was stored, resumes at page k+1 and counts every record exactly once', async () => {
    const { org, sync, runId, introspector } = await heldRun(9, 2);
    try {
      // Pages 0–2 are stored; the pull of page 3, in flight while page 2 is stored, loses its connection.
      await org.faults({ dropPages: 1, dropPagesAfter: 2 });
      await expect(storePages(env, WORKSPACE, runId)).rejects.toMatchObject({ code: 'crm_unavailable' });
      expect(await runState(runId)).toEqual({ nextSeq: 3, received: 6, inserted: 6, pulled: 6, batches: [0, 1, 2], cursors: [1, 2, 3] });
      expect(await memberEmails(sync.audienceId)).toHaveLength(6);

      // The retried step goes on at page 3 with the cursor page 2's transaction saved, not from the start.
      expect(await storePages(env, WORKSPACE, runId)).toEqual({ done: true, nextSeq: 5, pages: 2, pulled: 3 });
      expect(await runState(runId)).toEqual({ nextSeq: 5, received: 9, inserted: 9, pulled: 9, batches: [0, 1, 2, 3, 4], cursors: [1, 2, 3, 4] });
      expect((await org.stats()).queries.filter((q) => q.includes('FROM Contact'))).toHaveLength(1);

      // A step run again after the last page (its result lost with its Worker) has nothing left to do.
      expect(await storePages(env, WORKSPACE, runId)).toEqual({ done: true, nextSeq: 5, pages: 0, pulled: 0 });
      expect(await runState(runId)).toMatchObject({ received: 9, pulled: 9 });
      expect(await memberEmails(sync.audienceId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `person${n}@example.com`));
      expect((await ok<Audience>('GET', `/api/audiences/${sync.audienceId}`)).memberCount).toBe(9);
    } finally {
      await introspector.dispose();
    }
  });

  it('stops at its budget of records, and the next step continues where it stopped', async () => {
    const { runId, introspector } = await heldRun(7, 2);
    try {
      expect(await storePages(env, WORKSPACE, runId, { maxRecords: 6, maxMs: 60_000 })).toEqual({ done: false, nextSeq: 3, pages: 3, pulled: 6 });
      // No page beyond the budget was stored (its pull was never started).
      expect(await runState(runId)).toMatchObject({ nextSeq: 3, pulled: 6, batches: [0, 1, 2] });
      expect(await storePages(env, WORKSPACE, runId, { maxRecords: 6, maxMs: 60_000 })).toEqual({ done: true, nextSeq: 4, pages: 1, pulled: 1 });
      expect(await runState(runId)).toMatchObject({ received: 7, inserted: 7, pulled: 7 });
    } finally {
      await introspector.dispose();
    }
  });

  it('run twice at once (a step the engine thought lost), stores each page once and counts it once', async () => {
    const { sync, runId, introspector } = await heldRun(10, 2);
    try {
      await Promise.all([storePages(env, WORKSPACE, runId), storePages(env, WORKSPACE, runId)]);
      // A copy that met a page stored by the other ends its step; the next step finishes the run.
      while (!(await storePages(env, WORKSPACE, runId)).done);
      expect(await runState(runId)).toMatchObject({ nextSeq: 5, received: 10, inserted: 10, pulled: 10, batches: [0, 1, 2, 3, 4] });
      expect(await memberEmails(sync.audienceId)).toHaveLength(10);
    } finally {
      await introspector.dispose();
    }
  });
});

describe('a sync run through the Workflow engine', () => {
  it('resumes a step that failed after storing some of its pages, with exact counts', async () => {
    await using introspector = await introspectWorkflow(env.SYNC_RUNS);
    await introspector.modifyAll(async (m) => {
      await m.disableRetryDelays();
    });
    const org = await createOrg({ records: { Contact: contacts(9) }, pageSize: 2 });
    const sync = await createSync(await connect(org));
    await org.faults({ dropPages: 1, dropPagesAfter: 2 });
    const run = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(run).toMatchObject({ status: 'succeeded', pulled: 9 });
    expect(run.counts).toEqual({ received: 9, inserted: 9, updated: 0, duplicates: 0, rejected: 0, skipped: 0 });
    expect(await runState(run.id)).toMatchObject({ batches: [0, 1, 2, 3, 4] });
    expect((await org.stats()).queries.filter((q) => q.includes('FROM Contact'))).toHaveLength(1);
  });
});
