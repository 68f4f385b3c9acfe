import { createMemo, createResource, createSignal, For, Show } from 'solid-js';
import type { Member } from '../../../shared/schema/audiences.ts';
import { api } from '../../api/client.ts';
import { ErrorNotice } from '../ErrorNotice.tsx';
import { formatCount, formatDate, plural } from '../formatting.ts';
import { Link } from '../navigation.tsx';

const PAGE_SIZE = 50;

/** Field keys present on a page of members, in the platform's field order so columns don't jump between pages. */
function memberColumns(members: readonly Member[], order: readonly string[]): { key: string; sensitive: boolean }[] {
  const sensitive = new Set<string>();
  const plain = new Set<string>();
  for (const m of members) {
    for (const key of Object.keys(m.attributes)) plain.add(key);
    for (const key of Object.keys(m.sensitive)) sensitive.add(key);
  }
  const rank = (key: string) => {
    const at = order.indexOf(key);
    return at < 0 ? order.length : at;
  };
  return [...new Set([...plain, ...sensitive])]
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((key) => ({ key, sensitive: sensitive.has(key) && !plain.has(key) }));
}

export default function AudiencePage(props: { id: string }) {
  const [audience, { refetch: refetchAudience }] = createResource(() => props.id, (id) => api.getAudience(id));
  const [fields] = createResource(() => api.listFields().catch(() => []));
  // Cursor pagination: remember the cursors that led to each page so "Previous" needs no offset support.
  const [cursors, setCursors] = createSignal<(string | null)[]>([null]);
  const cursor = () => cursors()[cursors().length - 1] ?? null;
  const [page, { refetch }] = createResource(
    () => ({ id: props.id, cursor: cursor() }),
    ({ id, cursor }) => api.listMembers(id, { cursor, limit: PAGE_SIZE }),
  );
  const order = createMemo(() => (fields() ?? []).map((f) => f.key));
  const label = (key: string) => fields()?.find((f) => f.key === key)?.label ?? key;
  // `latest` keeps the current page on screen while the next one loads, instead of suspending the whole view.
  const members = () => page.latest?.members ?? [];
  // The identifier is one of the attributes (normalized): name that column after its field instead of showing it twice.
  const identifierKey = createMemo(() => {
    const list = members();
    if (list.length === 0) return null;
    const first = list[0] as Member;
    return Object.keys(first.attributes).find((key) => list.every((m) => m.attributes[key] === m.identifier)) ?? null;
  });
  const columns = createMemo(() => memberColumns(members(), order()).filter((c) => c.key !== identifierKey()));
  const firstRow = () => (cursors().length - 1) * PAGE_SIZE + 1;

  return (
    <section class="page">
      <p class="small">
        <Link href="/audiences">← All audiences</Link>
      </p>
      <Show when={audience.error}>
        <ErrorNotice error={audience.error} retry={refetchAudience} />
      </Show>
      <Show when={audience()}>
        {(a) => (
          <header class="card-head">
            <div>
              <h1>{a().name}</h1>
              <p class="muted">
                {plural(a().memberCount, 'member')} · updated {formatDate(a().updatedAt)}
              </p>
            </div>
            <Link class="button" href={`/import?audience=${encodeURIComponent(a().id)}`}>
              Import more contacts
            </Link>
          </header>
        )}
      </Show>
      <Show when={page.error}>
        <ErrorNotice error={page.error} retry={refetch} />
      </Show>
      <div class="card">
        <div class="card-head">
          <h2>Members</h2>
          <Show when={columns().some((c) => c.sensitive)}>
            <span class="muted small">
              <span class="badge lock">sensitive</span> values are stored hashed and encrypted: they are never shown, only masked.
            </span>
          </Show>
        </div>
        <Show when={page.latest} fallback={<p class="muted">{page.error ? '' : 'Loading members…'}</p>}>
          {(p) => (
            <Show when={p().members.length > 0} fallback={<p class="empty">This audience has no members yet.</p>}>
              <div class="table-wrap">
                <table class="data" aria-label="Members">
                  <thead>
                    <tr>
                      <th scope="col" class="num">
                        #
                      </th>
                      <th scope="col">
                        {identifierKey() ? label(identifierKey() as string) : 'Identifier'} <span class="badge">identifier</span>
                      </th>
                      <For each={columns()}>
                        {(c) => (
                          <th scope="col">
                            {label(c.key)} <Show when={c.sensitive}><span class="badge lock">sensitive</span></Show>
                          </th>
                        )}
                      </For>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={p().members}>
                      {(m, i) => (
                        <tr>
                          <td class="num muted">{formatCount(firstRow() + i())}</td>
                          <td>{m.identifier}</td>
                          <For each={columns()}>
                            {(c) => {
                              const masked = m.sensitive[c.key];
                              return masked !== undefined ? (
                                <td class="masked" title="Sensitive: stored hashed and encrypted">
                                  {masked}
                                </td>
                              ) : (
                                <td>{m.attributes[c.key] ?? ''}</td>
                              );
                            }}
                          </For>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </div>
              <nav class="pager" aria-label="Member pages">
                <button type="button" disabled={cursors().length <= 1 || page.loading} onClick={() => setCursors((c) => c.slice(0, -1))}>
                  ← Previous
                </button>
                <span class="muted small num">
                  {formatCount(firstRow())}–{formatCount(firstRow() + p().members.length - 1)} of {formatCount(p().total)}
                </span>
                <button
                  type="button"
                  disabled={!p().nextCursor || page.loading}
                  onClick={() => {
                    const next = p().nextCursor;
                    if (next) setCursors((c) => [...c, next]);
                  }}
                >
                  Next →
                </button>
              </nav>
            </Show>
          )}
        </Show>
      </div>
    </section>
  );
}
