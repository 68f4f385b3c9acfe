import { For, Show } from 'solid-js';
import { authApi } from '../../api/auth.ts';
import { Link, location, navigate } from '../navigation.tsx';
import { refreshSession, ROLE_LABELS, session } from './session.ts';

/** The header's right side: workspace switcher, members, the signed-in person and signing out. */
export function AccountMenu() {
  const signOut = async (everywhere: boolean) => {
    await (everywhere ? authApi.signOutEverywhere() : authApi.signOut());
    await refreshSession();
    navigate('/sign-in', { replace: true });
  };
  return (
    <Show when={session()?.user}>
      {(user) => (
        <div class="account-menu">
          <Show when={(session()?.workspaces.length ?? 0) > 1} fallback={<span class="workspace-name" title={session()?.workspace?.name}>{session()?.workspace?.name}</span>}>
            <label class="visually-hidden" for="workspace-switcher">Workspace</label>
            <select
              id="workspace-switcher"
              value={session()?.workspace?.id}
              title={session()?.workspace?.name}
              onChange={async (e) => {
                await authApi.switchWorkspace(e.currentTarget.value);
                // Every page's data belongs to the workspace: start over from a clean page.
                window.location.assign('/import');
              }}
            >
              <For each={session()?.workspaces}>{(w) => <option value={w.id}>{w.name}</option>}</For>
            </select>
          </Show>
          <Link href="/members" aria-current={location().pathname === '/members' ? 'page' : undefined}>
            Team
          </Link>
          <Link href="/settings" aria-current={location().pathname === '/settings' ? 'page' : undefined}>
            Settings
          </Link>
          <Show when={session()?.workspace?.role !== 'viewer'}>
            <Link href="/history" aria-current={location().pathname === '/history' ? 'page' : undefined}>
              History
            </Link>
          </Show>
          <details class="user-menu">
            <summary title={user().email}>
              {user().name}
              <Show when={session()?.workspace}>{(w) => <span class="role-badge">{ROLE_LABELS[w().role]}</span>}</Show>
            </summary>
            <div class="user-menu-body">
              <p class="small muted">{user().email}{user().emailVerified ? '' : ' (not confirmed yet)'}</p>
              <button type="button" class="link" onClick={() => signOut(false)}>Sign out</button>
              <button type="button" class="link" onClick={() => signOut(true)}>Sign out everywhere</button>
            </div>
          </details>
        </div>
      )}
    </Show>
  );
}
