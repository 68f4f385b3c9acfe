import { createSignal, onCleanup } from 'solid-js';
import type { CrmFilter } from '../../../shared/schema/crm.ts';
import { connectionsApi } from '../../api/connections.ts';
import { type PulledColumn, recordRow } from './crmColumns.ts';
import { type CrmProblem, crmProblem } from './crmErrorMessage.ts';
import { createStallClock } from './stallClock.ts';

export type PreviewState =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ready'; headers: string[]; rows: string[][]; total: number; selectionKey: string }
  | { status: 'failed'; problem: CrmProblem };

/**
 * The first records of a selection and how many it matches. An answer for a selection the user has changed since
 * is dropped; a CRM slow to answer is shown as waited for, and can be given up on.
 */
export function createCrmPreview(options: { connectionId: string; crm: string; currentKey: () => string; onLoginRefused: () => void }) {
  const [preview, setPreview] = createSignal<PreviewState>({ status: 'idle' });
  const silence = createStallClock();
  let loading: AbortController | null = null;
  onCleanup(() => loading?.abort());

  async function load(request: { object: string; attributes: string[]; filters: CrmFilter[]; key: string; columns: PulledColumn[] }) {
    loading?.abort();
    const abort = new AbortController();
    loading = abort;
    setPreview({ status: 'loading' });
    silence.start();
    try {
      const answer = await connectionsApi.preview(
        options.connectionId,
        request.object,
        { attributes: request.attributes, filters: request.filters },
        { signal: abort.signal },
      );
      if (abort.signal.aborted || options.currentKey() !== request.key) return;
      setPreview({
        status: 'ready',
        headers: request.columns.map((c) => c.header),
        rows: answer.records.map((r) => recordRow(r, request.columns)),
        total: answer.total,
        selectionKey: request.key,
      });
    } catch (error) {
      if (abort.signal.aborted || options.currentKey() !== request.key) return;
      const problem = crmProblem(error, options.crm);
      if (problem.reconnect) options.onLoginRefused();
      setPreview({ status: 'failed', problem });
    } finally {
      if (loading === abort) {
        loading = null;
        silence.stop();
      }
    }
  }

  return {
    preview,
    load,
    reset: () => {
      loading?.abort();
      setPreview({ status: 'idle' });
    },
    waited: () => (preview().status === 'loading' ? silence.waited() : null),
  };
}
