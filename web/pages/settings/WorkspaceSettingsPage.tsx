import { createResource, createSignal, For, Show } from 'solid-js';
import type { PrivacyDefault } from '../../../shared/schema/workspaceSettings.ts';
import { workspaceSettingsApi } from '../../api/workspaceSettings.ts';
import { canManage, session } from '../auth/session.ts';
import { createBusyAction } from '../busyAction.ts';
import { ErrorNotice } from '../ErrorNotice.tsx';
import { formatDate } from '../formatting.ts';

const PRIVACY_OPTIONS: { value: PrivacyDefault; title: string; help: string }[] = [
  {
    value: 'off',
    title: 'Standard mode by default',
    help: 'New audiences start in standard mode: sensitive columns are hashed and encrypted by the server. Whoever imports may turn privacy mode on.',
  },
  {
    value: 'on',
    title: 'Private by default',
    help: 'New audiences start in privacy mode: sensitive columns are hashed and encrypted in the browser, their plain values never reach the server. Whoever imports may turn it off for one import.',
  },
  {
    value: 'required',
    title: 'Private, required',
    help: 'Every new audience made from a file is private; nobody can turn it off. The server refuses a file import that would create (or first fill) an audience in standard mode.',
  },
];

/** The workspace's own settings: everyone sees them, admins and the key contact change them. */
export default function WorkspaceSettingsPage() {
  const [settings, { mutate, refetch }] = createResource(() => workspaceSettingsApi.get());
  const [picked, setPicked] = createSignal<PrivacyDefault | null>(null);
  const [saved, setSaved] = createSignal(false);
  const { busy, error, act } = createBusyAction();
  const current = () => picked() ?? settings()?.privacyDefault ?? 'off';
  const changed = () => settings() !== undefined && current() !== settings()?.privacyDefault;

  return (
    <section class="page narrow">
      <header class="card-head">
        <div>
          <h1>Workspace settings</h1>
          <p class="muted">How {session()?.workspace?.name ?? 'this workspace'} treats the contacts imported into it.</p>
        </div>
      </header>
      <Show when={settings.error}>
        <ErrorNotice error={settings.error} retry={refetch} />
      </Show>
      <form
        class="card settings-form"
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          void act(async () => {
            mutate(await workspaceSettingsApi.save({ privacyDefault: current() }));
            setPicked(null);
            setSaved(true);
          });
        }}
      >
        <fieldset class="privacy-default" disabled={!canManage() || busy() || !settings()} data-testid="privacy-default">
          <legend>Privacy mode for new CSV audiences</legend>
          <p class="small muted">
            Applies to audiences created from a file from now on. Audiences that already have members keep their mode.
          </p>
          <For each={PRIVACY_OPTIONS}>
            {(option) => (
              <label class="choice">
                <input
                  type="radio"
                  name="privacy-default"
                  value={option.value}
                  checked={current() === option.value}
                  onChange={() => {
                    setSaved(false);
                    setPicked(option.value);
                  }}
                />
                <span>
                  <strong>{option.title}</strong>
                  <br />
                  <span class="muted small">{option.help}</span>
                </span>
              </label>
            )}
          </For>
          <p class="small" data-testid="privacy-default-crm">
            <span class="badge">CRM sources</span> Audiences filled from Salesforce or Dynamics 365 stay in standard mode whatever this says: the
            server pulls their records from the CRM itself, so it sees their values (still stored only hashed and encrypted).
          </p>
        </fieldset>
        <Show when={error()}>{(e) => <ErrorNotice error={e()} />}</Show>
        <div class="form-actions">
          <Show
            when={canManage()}
            fallback={<p class="muted small" data-testid="settings-read-only">Only admins and the key contact can change these settings.</p>}
          >
            <button type="submit" class="primary" disabled={busy() || !changed()}>
              Save settings
            </button>
            <Show when={saved()}>
              <span class="small" role="status">
                Saved. It applies to the next import.
              </span>
            </Show>
          </Show>
          <Show when={settings()?.updatedAt}>
            {(at) => (
              <p class="muted small" data-testid="settings-last-change">
                Last changed {formatDate(at())} by {settings()?.updatedBy}.
              </p>
            )}
          </Show>
        </div>
      </form>
    </section>
  );
}
