import { createSignal, type JSX, Show } from 'solid-js';
import { authApi } from '../../api/auth.ts';
import { ApiError } from '../../api/apiError.ts';
import { Link, location, navigate } from '../navigation.tsx';
import { refreshSession, session } from './session.ts';

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
          <p class="muted">{props.intro}</p>
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

export function SignInPage() {
  return (
    <AuthCard
      title="Sign in"
      submit="Sign in"
      onSubmit={async (data) => {
        await authApi.signIn(text(data, 'email'), text(data, 'password'));
        await refreshSession();
        if (location().pathname === '/sign-in') navigate('/import', { replace: true });
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
