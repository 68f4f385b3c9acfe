import { createResource, createSignal, For, Show } from 'solid-js';
import type { CreatedToken, InviteBody, Member } from '../../../shared/schema/auth.ts';
import { authApi } from '../../api/auth.ts';
import { ApiError } from '../../api/apiError.ts';
import { canManage, ROLE_LABELS, session } from '../auth/session.ts';
import { formatDate } from '../formatting.ts';
import { ConfirmNotice } from '../ConfirmNotice.tsx';

type AssignableRole = InviteBody['role'];
const ROLE_HELP: Record<string, string> = {
  admin: 'Everything, including integrations, members and API tokens.',
  keyContact: 'An admin, and the one person the workspace is accountable through.',
  marketer: 'Imports files, runs existing integrations into audiences, manages audiences.',
  viewer: 'Reads audiences, imports and reports.',
};

/** Members, invitations and API tokens of the current workspace. Only admins and the key contact change them. */
export default function MembersPage() {
  const [members, { mutate: setMembers, refetch: refetchMembers }] = createResource(() => authApi.members());
  const [invitations, { refetch: refetchInvitations }] = createResource(canManage, () => authApi.invitations());
  const [tokens, { refetch: refetchTokens }] = createResource(canManage, () => authApi.tokens());
  const [error, setError] = createSignal('');
  const [notice, setNotice] = createSignal('');
  const [created, setCreated] = createSignal<CreatedToken | null>(null);

  const run = async (action: () => Promise<unknown>, done?: string) => {
    setError('');
    setNotice('');
    try {
      await action();
      if (done) setNotice(done);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Something went wrong; try again.');
    }
  };
  const me = () => session()?.user?.id;
  const workspaceName = () => session()?.workspace?.name ?? 'this workspace';
  // Removing someone or handing on the key contact is asked in the page, next to the table, before it is done.
  const [pending, setPending] = createSignal<{ kind: 'remove' | 'keyContact'; member: Member } | null>(null);
  const [busy, setBusy] = createSignal(false);
  const confirmPending = async (p: { kind: 'remove' | 'keyContact'; member: Member }) => {
    setBusy(true);
    try {
      if (p.kind === 'remove') {
        await run(async () => {
          await authApi.removeMember(p.member.id);
          await refetchMembers();
        }, `${p.member.name} was removed.`);
      } else {
        await run(async () => setMembers(await authApi.handOverKeyContact(p.member.id)), `${p.member.name} is now the key contact.`);
      }
    } finally {
      setBusy(false);
      setPending(null);
    }
  };

  return (
    <section class="page">
      <header class="card-head">
        <div>
          <h1>Team</h1>
          <p class="muted">Who works in {workspaceName()}, and with what rights.</p>
        </div>
      </header>
      <Show when={error()}>
        <p class="notice error" role="alert">{error()}</p>
      </Show>
      <Show when={notice()}>
        <p class="notice ok" role="status">{notice()}</p>
      </Show>

      <div class="card" style={{ padding: 0 }}>
        <table class="data" aria-label="Team">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Member since</th>
              <Show when={canManage()}>
                <th scope="col"><span class="visually-hidden">Actions</span></th>
              </Show>
            </tr>
          </thead>
          <tbody>
            <For each={members() ?? []}>
              {(member: Member) => (
                <tr>
                  <td>{member.name}{member.userId === me() ? ' (you)' : ''}</td>
                  <td>{member.email}</td>
                  <td>
                    <Show when={canManage() && member.role !== 'keyContact'} fallback={<span title={ROLE_HELP[member.role]}>{ROLE_LABELS[member.role]}</span>}>
                      <select
                        aria-label={`Role of ${member.name}`}
                        value={member.role}
                        onChange={(e) => run(async () => setMembers(await authApi.changeRole(member.id, e.currentTarget.value as AssignableRole)), `${member.name} is now ${ROLE_LABELS[e.currentTarget.value as AssignableRole]}.`)}
                      >
                        <option value="admin">Admin</option>
                        <option value="marketer">Marketer</option>
                        <option value="viewer">Viewer</option>
                      </select>
                    </Show>
                  </td>
                  <td class="muted">{formatDate(member.createdAt)}</td>
                  <Show when={canManage()}>
                    <td class="actions">
                      <Show when={member.role !== 'keyContact'}>
                        <button type="button" class="link" onClick={() => setPending({ kind: 'keyContact', member })}>
                          Make key contact
                        </button>
                        {' · '}
                        <button type="button" class="link" onClick={() => setPending({ kind: 'remove', member })}>
                          Remove
                        </button>
                      </Show>
                    </td>
                  </Show>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
      <Show when={pending()}>
        {(p) => (
          <ConfirmNotice
            label={p().kind === 'remove' ? `Remove ${p().member.name}` : `Make ${p().member.name} the key contact`}
            testId="team-confirm"
            tone={p().kind === 'remove' ? 'error' : 'warn'}
            confirmLabel={p().kind === 'remove' ? `Remove ${p().member.name}` : `Make ${p().member.name} the key contact`}
            busy={busy()}
            onKeep={() => setPending(null)}
            onConfirm={() => void confirmPending(p())}
          >
            <Show
              when={p().kind === 'remove'}
              fallback={
                <p>
                  <strong>{p().member.name}</strong> becomes the one person {workspaceName()} is accountable through. You stay an admin; only the
                  key contact can hand the role on again.
                </p>
              }
            >
              <p>
                <strong>{p().member.name}</strong> ({p().member.email}) loses access to {workspaceName()} at once: their sessions and their place in
                the team end. Their imports and audiences stay. They can come back only through a new invitation.
              </p>
            </Show>
          </ConfirmNotice>
        )}
      </Show>

      <Show when={canManage()}>
        <form
          class="card invite-form"
          onSubmit={(event) => {
            event.preventDefault();
            const form = event.currentTarget;
            const data = new FormData(form);
            const email = String(data.get('email') ?? '');
            void run(async () => {
              await authApi.invite({ email, role: String(data.get('role')) as AssignableRole });
              form.reset();
              await refetchInvitations();
            }, `Invitation sent to ${email}.`);
          }}
        >
          <h2>Invite a colleague</h2>
          <div class="inline-fields">
            <label class="field">
              <span>Email</span>
              <input name="email" type="email" required />
            </label>
            <label class="field">
              <span>Role</span>
              {/* The default is the option marked selected, which form.reset() returns to as well. */}
              <select name="role">
                <option value="admin">Admin</option>
                <option value="marketer" selected>Marketer</option>
                <option value="viewer">Viewer</option>
              </select>
            </label>
            <button type="submit" class="primary">Send invitation</button>
          </div>
          <ul class="small muted role-help">
            <For each={Object.entries(ROLE_HELP)}>{([role, help]) => <li><strong>{ROLE_LABELS[role as AssignableRole]}</strong>: {help}</li>}</For>
          </ul>
          <Show when={invitations()?.length}>
            <h3>Pending invitations</h3>
            <ul class="plain-list">
              <For each={invitations()}>
                {(inv) => (
                  <li>
                    {inv.email} as {ROLE_LABELS[inv.role]} · until {formatDate(inv.expiresAt)}{' '}
                    <button type="button" class="link" onClick={() => run(async () => { await authApi.cancelInvitation(inv.id); await refetchInvitations(); })}>
                      Cancel
                    </button>
                  </li>
                )}
              </For>
            </ul>
          </Show>
        </form>

        <section class="card">
          <h2>API tokens</h2>
          <p class="muted">For scripts and the platform's other services: send <code>Authorization: Bearer &lt;token&gt;</code>. A token acts for this workspace with the role you give it.</p>
          <Show when={created()}>
            {(token) => (
              <div class="notice warn" role="status">
                <p>Copy the token now: it is not shown again.</p>
                <p><code class="token">{token().token}</code></p>
              </div>
            )}
          </Show>
          <form
            class="inline-fields"
            onSubmit={(event) => {
              event.preventDefault();
              const form = event.currentTarget;
              const data = new FormData(form);
              void run(async () => {
                setCreated(await authApi.createToken({ name: String(data.get('name') ?? ''), role: String(data.get('role')) as AssignableRole }));
                form.reset();
                await refetchTokens();
              });
            }}
          >
            <label class="field">
              <span>Name</span>
              <input name="name" type="text" required placeholder="e.g. nightly export" />
            </label>
            <label class="field">
              <span>Role</span>
              {/* The default is the option marked selected, which form.reset() returns to as well. */}
              <select name="role">
                <option value="admin">Admin</option>
                <option value="marketer">Marketer</option>
                <option value="viewer" selected>Viewer</option>
              </select>
            </label>
            <button type="submit" class="primary">Create token</button>
          </form>
          <Show when={tokens()?.length}>
            <table class="data" aria-label="API tokens">
              <thead>
                <tr><th scope="col">Name</th><th scope="col">Token</th><th scope="col">Role</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
              </thead>
              <tbody>
                <For each={tokens()}>
                  {(token) => (
                    <tr>
                      <td>{token.name}</td>
                      <td><code>{token.hint}</code></td>
                      <td>{ROLE_LABELS[token.role]}</td>
                      <td class="muted">{token.revokedAt ? `revoked ${formatDate(token.revokedAt)}` : token.lastUsedAt ? formatDate(token.lastUsedAt) : 'never'}</td>
                      <td class="actions">
                        <Show when={!token.revokedAt}>
                          <button type="button" class="link" onClick={() => run(async () => { await authApi.revokeToken(token.id); await refetchTokens(); }, `${token.name} was revoked.`)}>
                            Revoke
                          </button>
                        </Show>
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </Show>
        </section>
      </Show>
    </section>
  );
}
