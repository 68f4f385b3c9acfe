import { importNextSeq } from '../store/imports.ts';

/*
 * Two batches of one import in flight: batch N+1 may arrive while N is still being applied. N+1 can only be applied
 * after N has committed (its dedupe reads what N wrote, and import_batches refuses a seq that is not the import's
 * next one), but it need not be refused: it does its own CPU work (validation, classification, keyed hashes) while N
 * writes, then waits for N before it reads the import's state.
 *
 * The wait is only an optimisation; correctness stays with D1 (the seq check in insertBatchStatement and the
 * unique (import, seq) row), so exactly-once and idempotent replays are what they were. In this isolate N+1 waits
 * on N's own promise. Across isolates (Cloudflare may route N and N+1 to different ones) it re-reads the import's
 * next seq a bounded number of times, then answers 409 batch_out_of_order as before, and the client resends N+1
 * after N.
 */

/** The batches this isolate is applying, by import then seq: settled (whatever the outcome) when the batch is done. */
const applying = new Map<string, Map<number, Promise<void>>>();

/** Re-reads of next_seq while waiting for a batch applied elsewhere: 25, 50, 100, 200, 400, 400, … ms. */
const FIRST_POLL_MS = 25;
const MAX_POLL_MS = 400;
/** At most this long in all: N normally commits within a second; beyond that it is lost or far behind. */
const MAX_WAIT_MS = 4_000;

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
  let end!: () => void;
  const done = new Promise<void>((resolve) => (end = resolve));
  bySeq.set(seq, done);
  let waitedMs = 0;
  let pollMs = FIRST_POLL_MS;
  return {
    async waitForPrevious(nextSeq) {
      // Only the batch right before this one is waited for: anything further behind is the client's to resend.
      if (seq !== nextSeq + 1) return false;
      const previous = applying.get(key)?.get(seq - 1);
      if (previous) {
        await previous;
        return true;
      }
      // Applied elsewhere (or not yet arrived): watch the import's next seq, cheaply, for a bounded time.
      while (waitedMs < MAX_WAIT_MS) {
        const ms = Math.min(pollMs, MAX_WAIT_MS - waitedMs);
        await sleep(ms);
        waitedMs += ms;
        pollMs = Math.min(pollMs * 2, MAX_POLL_MS);
        const local = applying.get(key)?.get(seq - 1);
        if (local) {
          await local;
          return true;
        }
        const current = await importNextSeq(db, workspaceId, importId);
        if (current === null || current !== nextSeq) return true;
      }
      return false;
    },
    end() {
      end();
      const current = applying.get(key);
      if (current?.get(seq) === done) current.delete(seq);
      if (current?.size === 0) applying.delete(key);
    },
  };
}
