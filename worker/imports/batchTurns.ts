import { importNextSeq } from '../store/imports.ts';

/*
 * Two batches of one import in flight: batch N+1 may arrive while N is still being applied. N+1 can only be applied
 * after N has committed (its dedupe reads what N wrote, and import_batches refuses a seq that is not the import's
 * next one), but it need not be refused: it does its own CPU work (validation, classification, keyed hashes) while N
 * writes, then waits for N before it reads the import's state.
 *
 * In this isolate the wait watches a set of the seqs being applied, on short timers of its own, rather than
 * awaiting N's promise: a promise made and settled by another request's context is one workerd may refuse to
 * resume this request from.
 *
 * The wait is only an optimisation; correctness stays with D1 (the seq check in insertBatchStatement and the
 * unique (import, seq) row), so exactly-once and idempotent replays are what they were. In this isolate N+1 waits
 * while N is being applied here. Across isolates (Cloudflare may route N and N+1 to different ones) it re-reads the
 * import's next seq a bounded number of times, then answers 409 batch_out_of_order as before, and the client resends
 * N+1 after N.
 */

/** The batches this isolate is applying, by import: how many requests apply each seq (a retry may overlap its original). */
const applying = new Map<string, Map<number, number>>();

/** Re-reads of next_seq while waiting for a batch applied elsewhere: 25, 50, 100, 200, 400, 400, … ms. */
const FIRST_POLL_MS = 25;
const MAX_POLL_MS = 400;
/** At most this long in all: N normally commits within a second; beyond that it is lost or far behind. */
const MAX_WAIT_MS = 4_000;
/** How often a batch looks whether the one before it, applied in this isolate, is done. */
const LOCAL_POLL_MS = 5;
/** A batch applied here ends with its request; this only bounds a wait on one that hangs. */
const MAX_LOCAL_WAIT_MS = 120_000;

const importKey = (workspaceId: string, importId: string) => `${workspaceId}\u0000${importId}`;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export type BatchTurn = {
  /**
   * Waits for the batch before this one to commit. Called with the import's next seq as last read: true when it
   * waited and the state should be read again, false when there is nothing (more) to wait for.
   */
  waitForPrevious(nextSeq: number): Promise<boolean>;
  /** This batch is done (applied, replayed or refused): a batch waiting for it reads the state again. */
  end(): void;
};

/** Registers batch `seq` of an import as being applied in this isolate, until `end()`. */
export function takeTurn(db: D1Database, workspaceId: string, importId: string, seq: number): BatchTurn {
  const key = importKey(workspaceId, importId);
  let bySeq = applying.get(key);
  if (!bySeq) applying.set(key, (bySeq = new Map()));
  bySeq.set(seq, (bySeq.get(seq) ?? 0) + 1);
  const appliedHere = (s: number) => (applying.get(key)?.get(s) ?? 0) > 0;
  /** Waits while batch `s` is being applied in this isolate; true when it was. */
  const whileAppliedHere = async (s: number): Promise<boolean> => {
    if (!appliedHere(s)) return false;
    for (let waited = 0; appliedHere(s) && waited < MAX_LOCAL_WAIT_MS; waited += LOCAL_POLL_MS) await sleep(LOCAL_POLL_MS);
    return true;
  };
  let ended = false;
  let waitedMs = 0;
  let pollMs = FIRST_POLL_MS;
  return {
    async waitForPrevious(nextSeq) {
      // Only the batch right before this one is waited for: anything further behind is the client's to resend.
      if (seq !== nextSeq + 1) return false;
      if (await whileAppliedHere(seq - 1)) return true;
      // Applied elsewhere (or not yet arrived): watch the import's next seq, cheaply, for a bounded time.
      while (waitedMs < MAX_WAIT_MS) {
        const ms = Math.min(pollMs, MAX_WAIT_MS - waitedMs);
        await sleep(ms);
        waitedMs += ms;
        pollMs = Math.min(pollMs * 2, MAX_POLL_MS);
        if (await whileAppliedHere(seq - 1)) return true;
        const current = await importNextSeq(db, workspaceId, importId);
        if (current === null || current !== nextSeq) return true;
      }
      return false;
    },
    end() {
      if (ended) return;
      ended = true;
      const current = applying.get(key);
      const count = current?.get(seq) ?? 0;
      if (count > 1) current?.set(seq, count - 1);
      else current?.delete(seq);
      if (current?.size === 0) applying.delete(key);
    },
  };
}
