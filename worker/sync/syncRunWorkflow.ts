import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from 'cloudflare:workers';
import { NonRetryableError } from 'cloudflare:workflows';
import { CrmError } from '../connectors/connector.ts';
import { DomainError } from '../domainError.ts';
import { finishRun } from './finishRun.ts';
import { pullDeletions } from './pullDeletions.ts';
import { reconcileStep } from './reconcile.ts';
import { runErrorOf, type RunError } from './runErrors.ts';
import type { SyncRunParams } from './startRun.ts';
import { storePages } from './storePages.ts';

// A step of pages is retried with backoff (the CRM's own 429/5xx retries happen inside the connector first); a
// Worker that dies mid-step is restarted by the engine at the step that did not finish, which goes on from the
// first page not stored.
const PAGES_STEP = { retries: { limit: 4, delay: '10 seconds', backoff: 'exponential' }, timeout: '10 minutes' } as const;
const FINISH_STEP = { retries: { limit: 5, delay: '5 seconds', backoff: 'exponential' }, timeout: '1 minute' } as const;

/** Failures a retry cannot fix: a login the CRM refuses, a mapping that no longer fits. */
function isFinal(e: unknown): boolean {
  if (e instanceof CrmError) return e.code === 'crm_auth_failed' || (e.code === 'crm_error' && e.status >= 400 && e.status < 500);
  return e instanceof DomainError;
}

/** The engine keeps only an error's message: the marketer's words are decided here, where the error's type is known. */
function rethrowWorded(e: unknown): never {
  const said = runErrorOf(e);
  if (isFinal(e)) throw new NonRetryableError(JSON.stringify(said));
  throw new Error(JSON.stringify(said));
}

/**
 * One run of a sync, executed by Cloudflare Workflows: each durable step pulls and stores a run of pages (the next
 * page pulled while the current one is stored, each page stored with its next cursor), so the run survives Worker
 * restarts and resumes at the first page not stored. Chosen over Queues
 * because a run is a sequence with one owner, not a fan-out: steps give per-page retries and resumption without a
 * consumer re-reading its own progress from messages.
 */
export class SyncRunWorkflow extends WorkflowEntrypoint<Env, SyncRunParams> {
  override async run(event: Readonly<WorkflowEvent<SyncRunParams>>, step: WorkflowStep): Promise<void> {
    const { workspaceId, runId } = event.payload;
    let failure: RunError | null = null;
    try {
      for (let n = 0; ; n++) {
        const outcome = await step.do(`pages ${n}`, PAGES_STEP, async () => {
          try {
            return await storePages(this.env, workspaceId, runId);
          } catch (e) {
            return rethrowWorded(e);
          }
        });
        if (outcome.done) break;
      }
      await step.do('deletions', PAGES_STEP, async () => {
        try {
          await pullDeletions(this.env, workspaceId, runId);
        } catch (e) {
          rethrowWorded(e);
        }
      });
      // Only after every page is stored: a sweep after a partial pull would take records not read yet for gone.
      for (let n = 0; ; n++) {
        const outcome = await step.do(`reconcile ${n}`, PAGES_STEP, async () => {
          try {
            return await reconcileStep(this.env, workspaceId, runId);
          } catch (e) {
            return rethrowWorded(e);
          }
        });
        if (outcome.done) break;
      }
    } catch (e) {
      failure = parseRunError(e);
    }
    await step.do('finish', FINISH_STEP, async () => {
      await finishRun(this.env.DB, workspaceId, runId, failure, new Date());
    });
  }
}

function parseRunError(e: unknown): RunError {
  const text = e instanceof Error ? e.message : String(e);
  try {
    const parsed = JSON.parse(text.slice(text.indexOf('{'))) as Partial<RunError>;
    if (typeof parsed.code === 'string' && typeof parsed.message === 'string') return { code: parsed.code, message: parsed.message };
  } catch {
    // Not one of ours: an engine failure (step timeout) with its own words.
  }
  return runErrorOf(e);
}
