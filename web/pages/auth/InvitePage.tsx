import { createResource, createSignal, Show } from 'solid-js';
import { authApi } from '../../api/auth.ts';
import { ApiError } from '../../api/apiError.ts';
import { navigate } from '../navigation.tsx';
import { SignInPage } from './AuthForms.tsx';
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
                    void join(() => authApi.signUp(String(data.get('name') ?? ''), inv().email, String(data.get('password') ?? '')));
                  }}
                >
                  <h1>Join {inv().workspaceName}</h1>
                  <p class="muted">
                    You are invited as <strong>{ROLE_LABELS[inv().role]}</strong>. Create your account to accept.
                  </p>
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
      )}
    </Show>
  );
}
