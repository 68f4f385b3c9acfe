import { createSignal, onCleanup } from 'solid-js';
import type { CrmFilter } from '../../../shared/schema/crm.ts';
import type { ApiError } from '../../api/apiError.ts';
import { connectionsApi } from '../../api/connections.ts';
import type { RetryPolicy } from '../../api/retryPolicy.ts';
import type { PulledColumn } from './crmColumns.ts';
import { type CrmProblem, crmProblem } from './crmErrorMessage.ts';
import { type PulledSoFar, type PullProgress, RecordPull } from './recordPull.ts';
import { createStallClock } from './stallClock.ts';

export type PullState =
  | { status: 'idle' }
  | { status: 'pulling'; progress: PullProgress; retrying: string | null; retries: number }
  /** Retries ran out on a problem that may pass: the records so far are kept, Retry continues at the failed page. */
  | { status: 'stopped'; progress: PullProgress; problem: CrmProblem; retries: number }
  | { status: 'failed'; progress: PullProgress; problem: CrmProblem }
  | { status: 'done'; progress: PullProgress; retries: number };

/**
 * A page is retried this many times before the user is asked: the Worker's connector already retried the CRM
 * itself, so what reaches here is a CRM (or network) that stayed down for a while.
 */
export const PULL_RETRY: RetryPolicy = { retries: 3, baseDelayMs: 1_000, maxDelayMs: 15_000 };

/** What to pull: the selection as sent to the CRM, and `key`, which tells whether a stopped pull still matches the page. */
export interface PullRequest {
  object: string;
  attributes: string[];
  filters: CrmFilter[];
  key: string;
  columns: PulledColumn[];
  /** The preview's count, when it was for this selection. */
  total: number | null;
}

export interface PullJob extends Omit<PullRequest, 'columns' | 'total'> {
  pull: RecordPull;
  abort: AbortController;
}

/**
 * The pull of a CRM selection page by page, its progress as a signal, retries said in the CRM's words, a stopped
 * pull continued at the page that failed, one started from a paused import's rows, and how long the CRM has been
 * silent. `onPulled` gets the finished job; `onLoginRefused` hears that only a new sign-in helps.
 */
export function createCrmPull(options: {
  connectionId: string;
  crm: string;
  retry?: RetryPolicy;
  onPulled: (job: PullJob) => void;
  onLoginRefused: () => void;
}) {
  const { crm } = options;
  const policy = options.retry ?? PULL_RETRY;
  const [pull, setPull] = createSignal<PullState>({ status: 'idle' });
  const silence = createStallClock();
  let running: PullJob | null = null;
  onCleanup(() => running?.abort.abort());

  const busy = () => pull().status === 'pulling';

  function newJob(request: PullRequest, saved: PulledSoFar | null): PullJob {
    running?.abort.abort();
    const pull = saved ? RecordPull.resume(request.columns, saved) : new RecordPull(request.columns, request.total);
    const { columns: _c, total: _t, ...selection } = request;
    running = { ...selection, pull, abort: new AbortController() };
    return running;
  }

  async function drive(job: PullJob, retriesBefore: number) {
    let retries = retriesBefore;
    setPull({ status: 'pulling', progress: job.pull.progress, retrying: null, retries });
    silence.start();
    try {
      await job.pull.run(
        (cursor, signal) =>
          connectionsApi.pull(
            options.connectionId,
            job.object,
            { attributes: job.attributes, filters: job.filters, cursor },
            {
              signal,
              retry: policy,
              onRetry: (error: ApiError, attempt: number, delay: number) => {
                retries++;
                const said = crmProblem(error, crm).message;
                const retrying = `${said} We’ll retry in ${Math.max(1, Math.round(delay / 1000))} s (attempt ${attempt} of ${policy.retries})…`;
                setPull({ status: 'pulling', progress: job.pull.progress, retrying, retries });
                silence.start();
              },
            },
          ),
        {
          signal: job.abort.signal,
          onProgress: (progress) => {
            setPull({ status: 'pulling', progress, retrying: null, retries });
            silence.start();
          },
        },
      );
    } catch (error) {
      if (job.abort.signal.aborted || running !== job) return;
      silence.stop();
      const problem = crmProblem(error, crm);
      if (problem.reconnect) options.onLoginRefused();
      setPull(problem.retryable ? { status: 'stopped', progress: job.pull.progress, problem, retries } : { status: 'failed', progress: job.pull.progress, problem });
      return;
    }
    silence.stop();
    if (running !== job) return;
    setPull({ status: 'done', progress: job.pull.progress, retries });
    options.onPulled(job);
  }

  return {
    pull,
    busy,
    /** Starts pulling `request`, or continues the stopped pull while it still reads what the page shows. */
    run(request: PullRequest) {
      if (busy()) return Promise.resolve();
      const current = pull();
      const continuing = running !== null && current.status === 'stopped' && running.key === request.key;
      const job = continuing && running ? running : newJob(request, null);
      return drive(job, continuing && current.status === 'stopped' ? current.retries : 0);
    },
    /** Continues a paused import's pull: its rows first, then the page it had not pulled. */
    resume(request: PullRequest, saved: PulledSoFar) {
      return drive(newJob(request, saved), 0);
    },
    cancel() {
      running?.abort.abort();
      running = null;
      silence.stop();
      setPull({ status: 'idle' });
    },
    /** The pull on the page, unless it is finished: what a paused import keeps. */
    unfinished(): { key: string; headers: string[]; pulled: PulledSoFar } | null {
      if (!running || running.pull.done) return null;
      return { key: running.key, headers: [...running.pull.store.headers], pulled: running.pull.pulledSoFar() };
    },
    /** Seconds the CRM has said nothing while pulling, once that is worth saying. */
    waited: () => (busy() ? silence.waited() : null),
  };
}

export type CrmPull = ReturnType<typeof createCrmPull>;
