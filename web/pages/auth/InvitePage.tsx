import { createResource, createSignal, Show } from 'solid-js';
import { authApi } from '../../api/auth.ts';
import { ApiError } from '../../api/apiError.ts';
import { Link, navigate } from '../navigation.tsx';
import { SignInPage, SingleSignOnButtons } from './AuthForms.tsx';
import { refreshSession, ROLE_LABELS, session } from './session.ts';

/** The link of an invitation mail: create the account (or sign in), then take the seat. */
export default function InvitePage(props: { id: string }) {
  const [invitation] = createResource(() => props.id, (id) => authApi.invitation(id));
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [haveAccount, setHaveAccount] = createSignal(false);

  const join = async (run: () => Promise<unknown>) => {
    setError('');
    setBusy(true);
    try {
      await run();
      await refreshSession();
      // A seat needs a confirmed address: the confirmation link brings the person back to this page.
      if (!session()?.user?.emailVerified) return;
      await authApi.acceptInvitation(props.id);
      await refreshSession();
      navigate('/import', { replace: true });
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Something went wrong; try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Show when={invitation()} fallback={<p class="muted page-loading">{invitation.error ? 'This invitation does not exist.' : 'Loading…'}</p>}>
      {(inv) => (
        <Show
          when={inv().status === 'pending' && !inv().expired}
          fallback={
            <section class="page narrow auth-page">
              <div class="card auth-card">
                <h1>This invitation can no longer be used</h1>
                <p>It was {inv().expired ? 'valid for 7 days' : inv().status}. Ask an admin of {inv().workspaceName} for a new one.</p>
              </div>
            </section>
          }
        >
          <Show
            when={!session()?.user || session()?.user?.emailVerified}
            fallback={
              <section class="page narrow auth-page">
                <div class="card auth-card">
                  <h1>Confirm your email address</h1>
                  <p>
                    We sent a link to <strong>{session()?.user?.email}</strong>. Open it to confirm the address: it brings you back here to join{' '}
                    {inv().workspaceName}.
                  </p>
                  <Show when={session()?.outbox}>
                    <p class="small muted">
                      This server keeps mails locally: <Link href="/outbox">open the outbox</Link>.
                    </p>
                  </Show>
                </div>
              </section>
            }
          >
          <Show
            when={!session()?.user}
            fallback={
              <section class="page narrow auth-page">
                <div class="card auth-card">
                  <h1>Join {inv().workspaceName}</h1>
                  <p>
                    You are invited as <strong>{ROLE_LABELS[inv().role]}</strong> ({inv().email}).
                  </p>
                  <Show when={error()}>
                    <p class="notice error" role="alert">{error()}</p>
                  </Show>
                  <button type="button" class="primary large" disabled={busy()} onClick={() => join(async () => undefined)}>
                    Join the workspace
                  </button>
                </div>
              </section>
            }
          >
            <Show when={!haveAccount()} fallback={<SignInPage />}>
              <section class="page narrow auth-page">
                <form
                  class="card auth-card"
                  onSubmit={(event) => {
                    event.preventDefault();
                    const data = new FormData(event.currentTarget);
                    void join(() => authApi.signUp(String(data.get('name') ?? ''), inv().email, String(data.get('password') ?? ''), `/invite/${props.id}`));
                  }}
                >
                  <h1>Join {inv().workspaceName}</h1>
                  <p class="muted">
                    You are invited as <strong>{ROLE_LABELS[inv().role]}</strong>. Create your account to accept.
                  </p>
                  <SingleSignOnButtons returnTo="/import" />
                  <label class="field">
                    <span>Email</span>
                    <input name="email" type="email" value={inv().email} readOnly />
                  </label>
                  <label class="field">
                    <span>Your name</span>
                    <input name="name" type="text" autocomplete="name" required />
                  </label>
                  <label class="field">
                    <span>Password</span>
                    <input name="password" type="password" autocomplete="new-password" required />
                    <span class="hint">At least 10 characters.</span>
                  </label>
                  <Show when={error()}>
                    <p class="notice error" role="alert">{error()}</p>
                  </Show>
                  <button type="submit" class="primary large" disabled={busy()}>
                    Create account and join
                  </button>
                  <p class="small muted auth-footer">
                    <button type="button" class="link" onClick={() => setHaveAccount(true)}>
                      I already have an account
                    </button>
                  </p>
                </form>
              </section>
            </Show>
          </Show>
          </Show>
        </Show>
      )}
    </Show>
  );
}
