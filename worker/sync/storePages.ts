import { openRun, type OpenRun } from './openRun.ts';
import { pullPage, type PulledPage } from './pullPage.ts';
import { storePulledPage } from './storePage.ts';
import { cursorFor } from './syncStore.ts';

/** Page `seq` of the run, by query or from the change feed (pullPage decides). */
function pullRunPage(run: OpenRun, seq: number, cursor: string | null): Promise<PulledPage> {
  const { workspaceId, runId, syncId, settings, stampField, changedSince } = run;
  return pullPage(run.env.DB, run.connector, { workspaceId, runId, syncId, settings, stampField, changedSince, seq, cursor });
}

/** The same, started now and awaited after the page before it is stored: a failure waits for that await. */
function pullRunPageAhead(run: OpenRun, seq: number, cursor: string): Promise<PulledPage> {
  const pending = pullRunPage(run, seq, cursor);
  pending.catch(() => {});
  return pending;
}

export type PagesOutcome = { done: boolean; nextSeq: number; pages: number; pulled: number };

/**
 * How much one step takes on: a step's work is done again when it fails, and a Workflow step has 30 s of CPU by
 * default (storing a record costs tens of µs) and ten minutes here; more records per step make fewer steps (10,000
 * per instance at most). Counted in records, not pages, since a page is 2,000 records in Salesforce and 5,000 in
 * Dataverse. A step stops asking for pages once either bound is reached.
 */
export type StepBudget = { maxRecords: number; maxMs: number };
export const STEP_BUDGET: StepBudget = { maxRecords: 50_000, maxMs: 60_000 };

/**
 * One step of a run: pulls and stores pages from where the run is, page N+1's pull in flight while page N is
 * stored (the CRM and D1 work side by side instead of in turn). Where the run is comes from D1 alone (the
 * import's next_seq and the cursor saved for that page), so a step that is retried, or a run resumed after its
 * Worker died, continues at the first page not yet stored; everything a page changes is written in its one
 * transaction (storePulledPage). A page already stored by another copy of the step ends this one: the next step
 * reads where the run is again.
 */
export async function storePages(env: Env, workspaceId: string, runId: string, budget: StepBudget = STEP_BUDGET): Promise<PagesOutcome> {
  const run = await openRun(env, workspaceId, runId);
  if (!run) return { done: true, nextSeq: 0, pages: 0, pulled: 0 };
  let seq = run.nextSeq;
  const cursor = await cursorFor(env.DB, runId, seq);
  if (cursor === undefined) return { done: true, nextSeq: seq, pages: 0, pulled: 0 };

  const startedAt = Date.now();
  const now = () => new Date().toISOString();
  let pending: Promise<PulledPage> | null = pullRunPage(run, seq, cursor);
  let pages = 0;
  let pulled = 0;
  while (pending) {
    const page: PulledPage = await pending;
    const within = pulled + page.records.length < budget.maxRecords && Date.now() - startedAt < budget.maxMs;
    pending = page.nextCursor !== null && within ? pullRunPageAhead(run, seq + 1, page.nextCursor) : null;
    const stored = await storePulledPage(run, seq, page, now);
    pages++;
    pulled += page.records.length;
    seq++;
    if (stored.replayed) return { done: false, nextSeq: seq, pages, pulled };
    run.received += stored.received;
    if (page.nextCursor === null) return { done: true, nextSeq: seq, pages, pulled };
  }
  return { done: false, nextSeq: seq, pages, pulled };
}
