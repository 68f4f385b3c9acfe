import { createSignal, Show } from 'solid-js';
import { isTenant } from '../../../shared/crm/dynamicsEnvironment.ts';
import type { CrmConnection } from '../../../shared/schema/crm.ts';
import { ApiError } from '../../api/apiError.ts';
import { connectionsApi } from '../../api/connections.ts';
import { ErrorNotice } from '../ErrorNotice.tsx';
import { CrmLogo } from './CrmLogo.tsx';
import { startDynamicsSignIn } from './signIn.ts';

type Method = 'admin' | 'app';

/** The Worker checks the environment address (against its own list of trusted hosts too): its words are shown by the field. */
function fieldProblem(error: unknown, field: string): string | null {
  if (!(error instanceof ApiError) || error.code !== 'validation_failed' || !Array.isArray(error.details)) return null;
  const issue = (error.details as { path?: unknown[]; message?: string }[]).find((d) => d.path?.[0] === field);
  return issue?.message ? issue.message.charAt(0).toUpperCase() + issue.message.slice(1) + '.' : null;
}

export function ConnectDynamics(props: { onConnected: (connection: CrmConnection) => void }) {
  const [method, setMethod] = createSignal<Method>('admin');
  const [environment, setEnvironment] = createSignal('');
  const [tenant, setTenant] = createSignal('');
  const [touched, setTouched] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);

  const environmentProblem = () =>
    (touched() && environment().trim() === '' ? 'Enter your Dynamics 365 address, for example https://contoso.crm.dynamics.com.' : null) ??
    fieldProblem(error(), 'environmentUrl');
  const tenantProblem = () => {
    const t = tenant().trim();
    if (touched() && method() === 'app' && t === '') return 'An app registration needs the tenant id (or its domain, like contoso.onmicrosoft.com).';
    if (t !== '' && !isTenant(t, { allowOrganizations: method() === 'admin' })) return 'Use the tenant id (a GUID) or a domain like contoso.onmicrosoft.com.';
    return fieldProblem(error(), 'tenant');
  };
  const otherError = () => (fieldProblem(error(), 'environmentUrl') || fieldProblem(error(), 'tenant') ? null : error());

  async function connect(e: SubmitEvent) {
    e.preventDefault();
    setTouched(true);
    setError(null);
    if (environmentProblem() || tenantProblem()) return;
    setBusy(true);
    try {
      if (method() === 'admin') {
        await startDynamicsSignIn(environment().trim(), tenant().trim());
        return;
      }
      const connection = await connectionsApi.connectDynamicsApp({ environmentUrl: environment().trim(), tenant: tenant().trim() });
      setEnvironment('');
      setTenant('');
      setTouched(false);
      props.onConnected(connection);
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  }

  return (
    <form class="card connect-card" onSubmit={connect} aria-labelledby="connect-d365-heading" data-testid="connect-dynamics">
      <div class="connect-head">
        <CrmLogo kind="dynamics" />
        <div>
          <h3 id="connect-d365-heading">Connect Dynamics 365</h3>
          <p class="muted small">Sign in with Microsoft as an administrator, or use an app registration your IT team set up.</p>
        </div>
      </div>
      <fieldset disabled={busy()}>
        <div class="field">
          <label for="d365-env">Environment address</label>
          <input
            id="d365-env"
            type="text"
            inputmode="url"
            placeholder="https://contoso.crm.dynamics.com"
            value={environment()}
            aria-invalid={environmentProblem() !== null}
            onInput={(e) => setEnvironment(e.currentTarget.value)}
          />
          <Show when={environmentProblem()}>{(p) => <span class="field-error">{p()}</span>}</Show>
        </div>
        <fieldset class="spaced">
        <legend>How do we sign in?</legend>
        <label class="choice">
          <input type="radio" name="d365-method" checked={method() === 'admin'} onChange={() => setMethod('admin')} />
          <span>
            <strong>Sign in as an administrator</strong>
            <br />
            <span class="muted small">Microsoft asks you to sign in and consent; the import reads what your account can read.</span>
          </span>
        </label>
        <label class="choice">
          <input type="radio" name="d365-method" checked={method() === 'app'} onChange={() => setMethod('app')} />
          <span>
            <strong>Use an app registration</strong>
            <br />
            <span class="muted small">No personal sign-in: our registered app reads the environment on its own. Needs the tenant id.</span>
          </span>
        </label>
        </fieldset>
        <div class="field">
          <label for="d365-tenant">
            Tenant {method() === 'admin' ? <span class="muted small">(optional)</span> : null}
          </label>
          <input
            id="d365-tenant"
            type="text"
            placeholder={method() === 'admin' ? 'Any work account' : '00000000-0000-0000-0000-000000000000'}
            value={tenant()}
            aria-invalid={tenantProblem() !== null}
            onInput={(e) => setTenant(e.currentTarget.value)}
          />
          <Show when={tenantProblem()}>{(p) => <span class="field-error">{p()}</span>}</Show>
        </div>
      </fieldset>
      <Show when={otherError()}>
        <ErrorNotice error={otherError()} />
      </Show>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy()}>
          {busy() ? (method() === 'admin' ? 'Opening Microsoft sign-in…' : 'Connecting…') : 'Connect Dynamics 365'}
        </button>
      </div>
    </form>
  );
}
