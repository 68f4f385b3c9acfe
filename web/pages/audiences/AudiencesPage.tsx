import { createResource, For, Show } from 'solid-js';
import { api } from '../../api/client.ts';
import { ErrorNotice } from '../ErrorNotice.tsx';
import { formatCount, formatDate } from '../formatting.ts';
import { Link } from '../navigation.tsx';

export default function AudiencesPage() {
  const [audiences, { refetch }] = createResource(() => api.listAudiences());
  return (
    <section class="page">
      <header class="card-head">
        <div>
          <h1>Audiences</h1>
          <p class="muted">Contact lists imported into the platform. Open one to see its members.</p>
        </div>
        <Link class="button primary" href="/import">
          Import contacts
        </Link>
      </header>
      <Show when={audiences.error}>
        <ErrorNotice error={audiences.error} retry={refetch} />
      </Show>
      <Show when={audiences()} fallback={<Show when={!audiences.error}><p class="muted">Loading audiences…</p></Show>}>
        {(list) => (
          <Show
            when={list().length > 0}
            fallback={
              <div class="card empty">
                <h2>No audiences yet</h2>
                <p>Import a CSV file to create your first audience.</p>
                <Link class="button primary" href="/import">
                  Import contacts
                </Link>
              </div>
            }
          >
            <div class="card" style={{ padding: 0 }}>
              <table class="data" aria-label="Audiences">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col" class="num">
                      Members
                    </th>
                    <th scope="col">Last updated</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={list()}>
                    {(audience) => (
                      <tr>
                        <td>
                          <Link href={`/audiences/${encodeURIComponent(audience.id)}`}>{audience.name}</Link>
                          <Show when={audience.privacyMode}>
                            {' '}
                            <span class="badge lock" title="Privacy mode: sensitive values are hashed and encrypted in the browser that imports them">
                              private
                            </span>
                          </Show>
                        </td>
                        <td class="num">{formatCount(audience.memberCount)}</td>
                        <td class="muted">{formatDate(audience.updatedAt)}</td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </div>
          </Show>
        )}
      </Show>
    </section>
  );
}
