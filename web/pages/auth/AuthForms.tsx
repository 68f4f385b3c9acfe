import { createSignal, For, type JSX, Show } from 'solid-js';
import { authApi } from '../../api/auth.ts';
import { ApiError } from '../../api/apiError.ts';
import { Link, location, navigate } from '../navigation.tsx';
import { refreshSession, session } from './session.ts';
import { afterSignIn, SSO_LABELS, signInProblem } from './signInProblems.ts';

const messageOf = (error: unknown) => (error instanceof ApiError ? error.message : 'Something went wrong; try again.');

/** A form that shows its own error and disables itself while the call runs. */
function AuthCard(props: { title: string; intro?: JSX.Element; submit: string; onSubmit: (data: FormData) => Promise<void>; children: JSX.Element; footer?: JSX.Element }) {
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  return (
    <section class="page narrow auth-page">
      <form
        class="card auth-card"
        onSubmit={async (event) => {
          event.preventDefault();
          setError('');
          setBusy(true);
          try {
            await props.onSubmit(new FormData(event.currentTarget));
          } catch (e) {
            setError(messageOf(e));
          } finally {
            setBusy(false);
          }
        }}
      >
        <h1>{props.title}</h1>
        <Show when={props.intro}>
          <div class="muted auth-intro">{props.intro}</div>
        </Show>
        {props.children}
        <Show when={error()}>
          <p class="notice error" role="alert">
            {error()}
          </p>
        </Show>
        <button type="submit" class="primary large" disabled={busy()}>
          {busy() ? 'Please wait…' : props.submit}
        </button>
        <Show when={props.footer}>
          <p class="small muted auth-footer">{props.footer}</p>
        </Show>
      </form>
    </section>
  );
}

function Input(props: { label: string; name: string; type?: string; autocomplete?: string; value?: string; hint?: string; readOnly?: boolean }) {
  return (
    <label class="field">
      <span>{props.label}</span>
      <input name={props.name} type={props.type ?? 'text'} autocomplete={props.autocomplete} value={props.value ?? ''} readOnly={props.readOnly} required />
      <Show when={props.hint}>
        <span class="hint">{props.hint}</span>
      </Show>
    </label>
  );
}

const text = (data: FormData, name: string) => String(data.get(name) ?? '');

/** Shown only while nobody has an account: the newcomer's first screen after `npm start`. */
export function FirstRunPage() {
  return (
    <AuthCard
      title="Set up Audience import"
      intro="Nobody uses this server yet. Name your workspace and create the account that administers it; you can invite your colleagues next."
      submit="Create workspace and sign in"
      onSubmit={async (data) => {
        await authApi.firstRun({ workspaceName: text(data, 'workspaceName'), name: text(data, 'name'), email: text(data, 'email'), password: text(data, 'password') });
        await refreshSession();
        navigate('/import', { replace: true });
      }}
    >
      <Input label="Workspace name" name="workspaceName" value="Marketing" />
      <Input label="Your name" name="name" autocomplete="name" />
      <Input label="Email" name="email" type="email" autocomplete="email" />
      <Input label="Password" name="password" type="password" autocomplete="new-password" hint="At least 10 characters." />
    </AuthCard>
  );
}

/** "Sign in with Microsoft / Salesforce": one button per identity provider this server is set up for. */
export function SingleSignOnButtons(props: { returnTo: string }) {
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  return (
    <Show when={(session()?.singleSignOn ?? []).length > 0}>
      <div class="sso-buttons">
        <For each={session()?.singleSignOn ?? []}>
          {(provider) => (
            <button
              type="button"
              class={`sso-button sso-${provider}`}
              disabled={busy()}
              onClick={async () => {
                setError('');
                setBusy(true);
                try {
                  window.location.assign(await authApi.singleSignOn(provider, props.returnTo));
                } catch (e) {
                  setError(messageOf(e));
                  setBusy(false);
                }
              }}
            >
              Sign in with {SSO_LABELS[provider]}
            </button>
          )}
        </For>
        <Show when={error()}>
          <p class="notice error" role="alert">
            {error()}
          </p>
        </Show>
        <p class="sso-divider small muted">or with your email and password</p>
      </div>
    </Show>
  );
}

export function SignInPage() {
  const params = () => new URLSearchParams(location().search);
  // Back where the sign-in interrupted (a CRM's redirect back), or into the app.
  const next = () => afterSignIn(params().get('next'));
  const problem = () => signInProblem(params().get('error'), params().get('email'));
  return (
    <AuthCard
      title="Sign in"
      submit="Sign in"
      intro={
        <>
          <Show when={problem()}>
            <span class="notice error sso-problem" role="alert">
              {problem()}
            </span>
          </Show>
          <SingleSignOnButtons returnTo={next() ?? '/import'} />
        </>
      }
      onSubmit={async (data) => {
        await authApi.signIn(text(data, 'email'), text(data, 'password'));
        const target = next();
        // An API path (a CRM callback) is a page load, not a screen of this SPA.
        if (target?.startsWith('/api/')) return window.location.assign(target);
        await refreshSession();
        if (location().pathname === '/sign-in') navigate(target ?? '/import', { replace: true });
      }}
      footer={
        <>
          <Link href="/forgot-password">Forgot your password?</Link>
          <Show when={session()?.outbox}>
            {' · '}
            <Link href="/outbox">Local outbox</Link>
          </Show>
        </>
      }
    >
      <Input label="Email" name="email" type="email" autocomplete="username" />
      <Input label="Password" name="password" type="password" autocomplete="current-password" />
    </AuthCard>
  );
}

export function ForgotPasswordPage() {
  const [sent, setSent] = createSignal(false);
  return (
    <Show
      when={!sent()}
      fallback={
        <section class="page narrow auth-page">
          <div class="card auth-card">
            <h1>Check your mail</h1>
            <p>If an account uses that address, a link to choose a new password is on its way.</p>
            <Show when={session()?.outbox}>
              <p>
                This server keeps mails locally: <Link href="/outbox">open the outbox</Link>.
              </p>
            </Show>
          </div>
        </section>
      }
    >
      <AuthCard
        title="Reset your password"
        submit="Send the link"
        onSubmit={async (data) => {
          await authApi.requestPasswordReset(text(data, 'email'));
          setSent(true);
        }}
        footer={<Link href="/sign-in">Back to sign in</Link>}
      >
        <Input label="Email" name="email" type="email" autocomplete="email" />
      </AuthCard>
    </Show>
  );
}

export function ResetPasswordPage() {
  const token = () => new URLSearchParams(location().search).get('token') ?? '';
  return (
    <AuthCard
      title="Choose a new password"
      intro="Every other session of this account is signed out."
      submit="Save password"
      onSubmit={async (data) => {
        await authApi.resetPassword(token(), text(data, 'password'));
        navigate('/sign-in', { replace: true });
      }}
    >
      <Input label="New password" name="password" type="password" autocomplete="new-password" hint="At least 10 characters." />
    </AuthCard>
  );
}
