import { createSignal, Show } from 'solid-js';
import type { CrmConnection } from '../../../shared/schema/crm.ts';
import { reconnect } from '../connections/signIn.ts';
import { ErrorNotice } from '../ErrorNotice.tsx';
import { crmProblem } from './crmErrorMessage.ts';
import { crmName } from './crmNames.ts';

/** A failed read of the CRM in its words, with what can be done about it: Reconnect, or try again. */
export function CrmProblemNotice(props: {
  error: unknown;
  connection: CrmConnection;
  retry?: () => void;
  /** How to sign in again; by default a plain reconnect that lands on Integrated systems. */
  reconnect?: () => Promise<void>;
  testId?: string;
}) {
  const problem = () => crmProblem(props.error, crmName(props.connection.kind));
  const [leaving, setLeaving] = createSignal<unknown>(null);
  return (
    <>
      <div class={`notice ${problem().retryable ? 'warn' : 'error'}`} role="alert" data-testid={props.testId}>
        <div class="notice-body">{problem().message}</div>
        <div class="notice-actions">
          <Show when={problem().reconnect}>
            <button type="button" class="primary" onClick={() => (props.reconnect ?? (() => reconnect(props.connection)))().catch(setLeaving)}>
              Reconnect
            </button>
          </Show>
          <Show when={problem().retryable && props.retry}>
            {(retry) => (
              <button type="button" onClick={() => retry()()}>
                Try again
              </button>
            )}
          </Show>
        </div>
      </div>
      <Show when={leaving()}>
        <ErrorNotice error={leaving()} />
      </Show>
    </>
  );
}
