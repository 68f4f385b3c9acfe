import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from 'cloudflare:workers';
import { NonRetryableError } from 'cloudflare:workflows';
import { CrmError } from '../connectors/connector.ts';
import { DomainError } from '../domainError.ts';
import { pushErrorOf, type PushError } from './pushErrors.ts';
import { pushNextBatch } from './pushBatch.ts';
import { finishPush } from './pushStore.ts';

// As a sync run's page: the connector retries 429/5xx itself first; a Worker that dies mid-step is restarted by the
// engine at the step that did not finish, which reads where the push is from D1. A step may wait up to 10 minutes
// for a Salesforce Bulk API 2.0 job (the writer's poll time), plus its lookups and the D1 commit.
const BATCH_STEP = { retries: { limit: 4, delay: '10 seconds', backoff: 'exponential' }, timeout: '15 minutes' } as const;
const FINISH_STEP = { retries: { limit: 5, delay: '5 seconds', backoff: 'exponential' }, timeout: '1 minute' } as const;

/** What the engine is handed: enough to find everything else in D1. */
export type PushRunParams = { workspaceId: string; pushId: string };

/** Failures a retry cannot fix: a login the CRM refuses, a request it rejects, settings that no longer fit. */
function isFinal(e: unknown): boolean {
  if (e instanceof CrmError) return e.code === 'crm_auth_failed' || (e.code === 'crm_error' && e.status >= 400 && e.status < 500);
  return e instanceof DomainError;
}

/**
 * One "Sync to CRM" run on Cloudflare Workflows, the engine scheduled syncs run on: each batch of members is a
 * durable step (plan, write to the CRM, record links and report), so the push survives restarts and resumes at the
 * first batch not written.
 */
export class PushRunWorkflow extends WorkflowEntrypoint<Env, PushRunParams> {
  override async run(event: Readonly<WorkflowEvent<PushRunParams>>, step: WorkflowStep): Promise<void> {
    const { workspaceId, pushId } = event.payload;
    let failure: PushError | null = null;
    try {
      for (let batch = 0; ; batch++) {
        const outcome = await step.do(`batch ${batch}`, BATCH_STEP, async () => {
          try {
            return await pushNextBatch(this.env, workspaceId, pushId);
          } catch (e) {
            // The engine keeps only an error's message: the words are decided here, where the error's type is known.
            const said = pushErrorOf(e);
            if (isFinal(e)) throw new NonRetryableError(JSON.stringify(said));
            throw new Error(JSON.stringify(said));
          }
        });
        if (outcome.done) break;
      }
    } catch (e) {
      failure = parsePushError(e);
    }
    await step.do('finish', FINISH_STEP, async () => {
      await finishPush(this.env.DB, workspaceId, pushId, failure, new Date().toISOString());
    });
  }
}

function parsePushError(e: unknown): PushError {
  const text = e instanceof Error ? e.message : String(e);
  try {
    const parsed = JSON.parse(text.slice(text.indexOf('{'))) as Partial<PushError>;
    if (typeof parsed.code === 'string' && typeof parsed.message === 'string') return { code: parsed.code, message: parsed.message };
  } catch {
    // Not one of ours: an engine failure (step timeout) with its own words.
  }
  return pushErrorOf(e);
}
