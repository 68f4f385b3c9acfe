import { type JSX, lazy, Match, Switch } from 'solid-js';
import { location } from '../navigation.tsx';
import { FirstRunPage, ForgotPasswordPage, ResetPasswordPage, SignInPage } from './AuthForms.tsx';
import { session } from './session.ts';

const InvitePage = lazy(() => import('./InvitePage.tsx'));
const OutboxPage = lazy(() => import('./OutboxPage.tsx'));

/**
 * What a visitor may see before the app: the first-run screen while nobody has an account, sign-in otherwise,
 * and the pages a mail links to. Everything else (`children`) needs a session with a workspace.
 */
export function AuthGate(props: { children: JSX.Element }) {
  const path = () => location().pathname;
  const inviteId = () => /^\/invite\/([^/]+)$/.exec(path())?.[1];
  return (
    <Switch fallback={props.children}>
      <Match when={!session() && !session.error}>
        <p class="muted page-loading">Loading…</p>
      </Match>
      <Match when={path() === '/outbox' && session()?.outbox}>
        <OutboxPage />
      </Match>
      <Match when={session()?.setupNeeded}>
        <FirstRunPage />
      </Match>
      <Match when={inviteId()} keyed>
        {(id) => <InvitePage id={decodeURIComponent(id)} />}
      </Match>
      <Match when={path() === '/reset-password'}>
        <ResetPasswordPage />
      </Match>
      <Match when={!session()?.user && path() === '/forgot-password'}>
        <ForgotPasswordPage />
      </Match>
      <Match when={!session()?.user}>
        <SignInPage />
      </Match>
      <Match when={!session()?.workspace}>
        <section class="page narrow">
          <h1>No workspace yet</h1>
          <p>Your account is not a member of any workspace. Ask an admin of your team to invite you; the link in the invitation mail adds you.</p>
        </section>
      </Match>
    </Switch>
  );
}
