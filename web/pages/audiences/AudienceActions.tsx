import { createSignal, Show } from 'solid-js';
import type { Audience } from '../../../shared/schema/audiences.ts';
import { audiencesApi } from '../../api/audiences.ts';
import { ConfirmNotice } from '../ConfirmNotice.tsx';
import { ErrorNotice } from '../ErrorNotice.tsx';
import { formatDate, plural } from '../formatting.ts';
import { Link, navigate } from '../navigation.tsx';
import { createBusyAction } from '../busyAction.ts';

/** The audience's title line: rename in place, import more, the two exports, delete (confirmed with the member count). */
export function AudienceActions(props: { audience: Audience; onRenamed: (a: Audience) => void }) {
  const [editing, setEditing] = createSignal(false);
  const [name, setName] = createSignal('');
  const [confirmDelete, setConfirmDelete] = createSignal(false);
  const { busy, error, act } = createBusyAction();


  return (
    <>
      <header class="card-head">
        <Show
          when={editing()}
          fallback={
            <div>
              <div class="title-line">
                <h1>{props.audience.name}</h1>
                <button
                  type="button"
                  class="link small"
                  onClick={() => {
                    setName(props.audience.name);
                    setEditing(true);
                  }}
                >
                  Rename
                </button>
              </div>
              <p class="muted">
                {plural(props.audience.memberCount, 'member')} · updated {formatDate(props.audience.updatedAt)}
              </p>
              <p class="small audience-privacy" data-testid="audience-privacy">
                <Show
                  when={props.audience.privacyMode}
                  fallback={
                    <>
                      <span class="badge">Standard mode</span> Sensitive columns are hashed and encrypted by the server when they arrive.
                    </>
                  }
                >
                  <span class="badge lock">Privacy mode</span> Sensitive columns are hashed and encrypted in the browser that imports them: their
                  plain values never reach the server.
                </Show>
              </p>
            </div>
          }
        >
          <form
            class="rename"
            onSubmit={(e) => {
              e.preventDefault();
              void act(async () => {
                props.onRenamed(await audiencesApi.rename(props.audience.id, name()));
                setEditing(false);
              });
            }}
          >
            <label>
              <span class="visually-hidden">Audience name</span>
              <input value={name()} maxLength={200} required onInput={(e) => setName(e.currentTarget.value)} aria-label="Audience name" />
            </label>
            <button type="submit" class="primary" disabled={busy() || name().trim() === ''}>
              Save name
            </button>
            <button type="button" class="link" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </form>
        </Show>
        <div class="actions">
          <a class="button" href={audiencesApi.exportUrl(props.audience.id, 'csv')} download="" title="Plain values; sensitive fields as SHA-256">
            Export CSV
          </a>
          <a class="button" href={audiencesApi.exportUrl(props.audience.id, 'customer_match')} download="" title="Google Ads Customer Match upload file, hashed">
            Export for Google Customer Match
          </a>
          <Link class="button primary" href={`/import?audience=${encodeURIComponent(props.audience.id)}`}>
            Import more contacts
          </Link>
          <button type="button" class="danger" onClick={() => setConfirmDelete(true)}>
            Delete audience
          </button>
        </div>
      </header>
      <Show when={confirmDelete()}>
        <ConfirmNotice
          label="Confirm delete"
          testId="delete-confirm"
          tone="error"
          confirmLabel={`Delete ${plural(props.audience.memberCount, 'member')}`}
          busy={busy()}
          onConfirm={() =>
            void act(async () => {
              await audiencesApi.remove(props.audience.id);
              navigate('/audiences');
            })
          }
          onKeep={() => setConfirmDelete(false)}
        >
          Delete <strong>{props.audience.name}</strong> and its {plural(props.audience.memberCount, 'member')}? Its import history, reports and
          error lists go too. This cannot be undone.
        </ConfirmNotice>
      </Show>
      <Show when={error()}>{(e) => <ErrorNotice error={e()} />}</Show>
    </>
  );
}
