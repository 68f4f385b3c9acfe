import { createSignal, Show } from 'solid-js';
import { salesforceLoginOrigin } from '../../../shared/crm/salesforceLoginHost.ts';
import type { SalesforceLoginHost } from '../../../shared/schema/connections.ts';
import { ErrorNotice } from '../ErrorNotice.tsx';
import { CrmLogo } from './CrmLogo.tsx';
import { startSalesforceLogin } from './signIn.ts';

type HostChoice = 'production' | 'sandbox' | 'mydomain';

export function ConnectSalesforce() {
  const [choice, setChoice] = createSignal<HostChoice>('production');
  const [myDomain, setMyDomain] = createSignal('');
  const [touched, setTouched] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);
  const domainOrigin = () => salesforceLoginOrigin(myDomain());
  const domainProblem = () =>
    choice() === 'mydomain' && touched() && domainOrigin() === null
      ? 'Enter your Salesforce My Domain address, for example https://acme.my.salesforce.com.'
      : null;

  async function connect(e: SubmitEvent) {
    e.preventDefault();
    setTouched(true);
    const host = choice() === 'mydomain' ? domainOrigin() : choice();
    if (!host) return;
    setBusy(true);
    setError(null);
    try {
      await startSalesforceLogin(host as SalesforceLoginHost);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <form class="card connect-card" onSubmit={connect} aria-labelledby="connect-sf-heading" data-testid="connect-salesforce">
      <div class="connect-head">
        <CrmLogo kind="salesforce" />
        <div>
          <h3 id="connect-sf-heading">Connect Salesforce</h3>
          <p class="muted small">You log in at Salesforce and allow access to its data with your own permissions; we never see your password.</p>
        </div>
      </div>
      <fieldset disabled={busy()}>
        <legend>Where do you log in?</legend>
        <label class="choice">
          <input type="radio" name="sf-host" checked={choice() === 'production'} onChange={() => setChoice('production')} />
          <span>
            <strong>Production</strong> <span class="muted small">login.salesforce.com</span>
          </span>
        </label>
        <label class="choice">
          <input type="radio" name="sf-host" checked={choice() === 'sandbox'} onChange={() => setChoice('sandbox')} />
          <span>
            <strong>Sandbox</strong> <span class="muted small">test.salesforce.com</span>
          </span>
        </label>
        <label class="choice">
          <input type="radio" name="sf-host" checked={choice() === 'mydomain'} onChange={() => setChoice('mydomain')} />
          <span>
            <strong>My Domain</strong> <span class="muted small">your company’s own login address</span>
          </span>
        </label>
        <Show when={choice() === 'mydomain'}>
          <div class="field indent">
            <input
              type="text"
              inputmode="url"
              aria-label="My Domain address"
              placeholder="https://acme.my.salesforce.com"
              value={myDomain()}
              aria-invalid={domainProblem() !== null}
              aria-describedby="sf-domain-problem"
              onInput={(e) => setMyDomain(e.currentTarget.value)}
              onBlur={() => setTouched(true)}
            />
            <Show when={domainProblem()}>
              {(problem) => (
                <span id="sf-domain-problem" class="field-error">
                  {problem()}
                </span>
              )}
            </Show>
          </div>
        </Show>
      </fieldset>
      <Show when={error()}>
        <ErrorNotice error={error()} />
      </Show>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy()}>
          {busy() ? 'Opening Salesforce…' : 'Connect Salesforce'}
        </button>
      </div>
    </form>
  );
}
