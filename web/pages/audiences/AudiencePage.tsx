import { createMemo, createResource, createSignal, For, Show } from 'solid-js';
import type { Member } from '../../../shared/schema/audiences.ts';
import { audiencesApi } from '../../api/audiences.ts';
import { api } from '../../api/client.ts';
import { ErrorNotice } from '../ErrorNotice.tsx';
import { formatCount } from '../formatting.ts';
import { Link } from '../navigation.tsx';
import { AudienceActions } from './AudienceActions.tsx';
import { ImportHistory } from './ImportHistory.tsx';
import { PushToCrm } from './PushToCrm.tsx';
import { type AppliedSearch, scopeLabel, scopeOfSearch } from './pushScope.ts';
import { identifierDigest } from '../../../shared/privacy/identifierDigest.ts';
import type { PushScope } from '../../../shared/schema/crmExport.ts';

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
  const [audience, { refetch: refetchAudience, mutate: setAudience }] = createResource(() => props.id, (id) => api.getAudience(id));
  const [fields] = createResource(() => api.listFields().catch(() => []));
  // Cursor pagination: remember the cursors that led to each page so "Previous" needs no offset support.
  const [cursors, setCursors] = createSignal<(string | null)[]>([null]);
  const cursor = () => cursors()[cursors().length - 1] ?? null;
  // Applied search: the typed identifier and/or one field filter (set on submit, not on every key).
  const [search, setSearch] = createSignal<AppliedSearch>({});
  /** Why the typed identifier was not searched for (a private audience's value that is not valid): nothing was sent. */
  const [searchProblem, setSearchProblem] = createSignal<string | null>(null);
  const [typedIdentifier, setTypedIdentifier] = createSignal('');
  const [filterField, setFilterField] = createSignal('');
  const [filterValue, setFilterValue] = createSignal('');
  const [page, { refetch }] = createResource(
    () => ({ id: props.id, cursor: cursor(), search: search() }),
    ({ id, cursor, search }) => audiencesApi.members(id, { cursor, limit: PAGE_SIZE, ...search }),
  );
  const [memberError, setMemberError] = createSignal<unknown>(null);
  // Deleting a member asks once, in its own row: the first click arms, the second deletes.
  const [armed, setArmed] = createSignal<string | null>(null);
  // "Sync to CRM": the members it writes (what the search shows, or one member); null while the dialog is closed.
  const [pushScope, setPushScope] = createSignal<PushScope | null>(null);
  const changed = () => {
    void refetchAudience();
    setCursors([null]);
    void refetch();
  };
  async function removeMember(m: Member) {
    setMemberError(null);
    try {
      setAudience(await audiencesApi.removeMember(props.id, m.id));
      void refetch();
    } catch (e) {
      setMemberError(e);
    }
  }
  const order = createMemo(() => (fields() ?? []).map((f) => f.key));
  const label = (key: string) => fields()?.find((f) => f.key === key)?.label ?? key;
  // `latest` keeps the current page on screen while the next one loads, instead of suspending the whole view.
  const members = () => page.latest?.members ?? [];
  // The identifier is one of the member's fields: show it once, in the identifier column named after that field.
  const identifierKey = createMemo(() => page.latest?.identifierField ?? null);
  /** How a typed identifier is read; `byDigest`: a private audience's sensitive identifier, hashed here, never sent. */
  const identifierSearch = () => page.latest?.identifierSearch ?? null;
  const byDigest = () => identifierSearch()?.byDigest === true;
  const pushScopeOfSearch = () => scopeOfSearch(search(), members());
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
      <Show when={audience()}>{(a) => <AudienceActions audience={a()} onRenamed={(next) => setAudience(next)} />}</Show>
      <ImportHistory audienceId={props.id} onChanged={changed} />
      <Show when={pushScope()}>
        {(scope) => <PushToCrm audienceId={props.id} scope={scope()} scopeLabel={scopeLabel(scope(), label)} onClose={() => setPushScope(null)} />}
      </Show>
      <Show when={page.error}>
        <ErrorNotice error={page.error} retry={refetch} />
      </Show>
      <div class="card">
        <div class="card-head">
          <h2>Members</h2>
          <button type="button" disabled={pushScopeOfSearch() === null} onClick={() => setPushScope(pushScopeOfSearch())}>
            {page.latest?.filtered ? 'Sync these members to CRM…' : 'Sync to CRM…'}
          </button>
          <Show when={columns().some((c) => c.sensitive) || identifierSearch()?.sensitive}>
            <span class="muted small">
              <span class="badge lock">sensitive</span> values are stored hashed and encrypted: they are never shown, only masked.
            </span>
          </Show>
        </div>
        <form
          class="member-search"
          role="search"
          onSubmit={async (e) => {
            e.preventDefault();
            setSearchProblem(null);
            const identifier = typedIdentifier().trim();
            const field = filterField();
            const filter = field && filterValue().trim() ? { field, value: filterValue().trim() } : {};
            const rule = identifierSearch();
            // A private audience without an import yet has nothing to find, and how it will key identifiers is not
            // known: what was typed stays here.
            if (identifier && !rule && audience()?.privacyMode) return setSearchProblem('This audience has no members yet: nothing was searched.');
            if (identifier && rule?.byDigest) {
              // Private: the value is normalised and hashed here exactly as when it was sealed; only the digest leaves.
              const digest = await identifierDigest(identifier, rule);
              if (!digest.ok) return setSearchProblem(`${digest.message} Nothing was searched.`);
              setCursors([null]);
              return setSearch({ identifierDigest: digest.digest, ...filter });
            }
            setCursors([null]);
            setSearch({ ...(identifier ? { identifier } : {}), ...filter });
          }}
        >
          <label>
            <span class="small muted">Find by identifier</span>
            <input
              type="search"
              value={typedIdentifier()}
              onInput={(e) => setTypedIdentifier(e.currentTarget.value)}
              placeholder="e.g. ada@example.com"
              aria-describedby={byDigest() ? 'identifier-private' : undefined}
            />
          </label>
          <label>
            <span class="small muted">Filter on</span>
            <select value={filterField()} onChange={(e) => setFilterField(e.currentTarget.value)}>
              <option value="">— no filter —</option>
              <For each={columns().filter((c) => !c.sensitive)}>{(c) => <option value={c.key}>{label(c.key)}</option>}</For>
            </select>
          </label>
          <label>
            <span class="small muted">equal to</span>
            <input type="text" value={filterValue()} disabled={!filterField()} onInput={(e) => setFilterValue(e.currentTarget.value)} />
          </label>
          {/* Until the first page says how identifiers are read, a typed one could go out in plain: wait for it. */}
          <button type="submit" disabled={page.latest === undefined}>
            Search
          </button>
          <Show when={page.latest?.filtered}>
            <button
              type="button"
              class="link"
              onClick={() => {
                setTypedIdentifier('');
                setFilterValue('');
                setFilterField('');
                setCursors([null]);
                setSearchProblem(null);
                setSearch({});
              }}
            >
              Show all
            </button>
          </Show>
        </form>
        <Show when={byDigest()}>
          <p class="small muted member-search-note" id="identifier-private" data-testid="identifier-private">
            <span class="badge lock">private</span> The identifier you type is hashed in this browser: only its hash is sent to find the member.
          </p>
        </Show>
        <Show when={searchProblem()}>
          {(problem) => (
            <p class="notice error small" role="alert" data-testid="search-problem">
              {problem()}
            </p>
          )}
        </Show>
        <Show when={memberError()}>{(e) => <ErrorNotice error={e()} />}</Show>
        <Show when={page.latest} fallback={<p class="muted">{page.error ? '' : 'Loading members…'}</p>}>
          {(p) => (
            <Show
              when={p().members.length > 0}
              fallback={<p class="empty">{p().filtered ? 'No member matches this search.' : 'This audience has no members yet.'}</p>}
            >
              <div class="table-wrap">
                <table class="data" aria-label="Members">
                  <thead>
                    <tr>
                      <th scope="col" class="num">
                        #
                      </th>
                      <th scope="col">
                        {identifierKey() ? label(identifierKey() as string) : 'Identifier'} <span class="badge">identifier</span>
                        <Show when={identifierSearch()?.sensitive}>
                          {' '}
                          <span class="badge lock">sensitive</span>
                        </Show>
                      </th>
                      <For each={columns()}>
                        {(c) => (
                          <th scope="col">
                            {label(c.key)} <Show when={c.sensitive}><span class="badge lock">sensitive</span></Show>
                          </th>
                        )}
                      </For>
                      <th scope="col">
                        <span class="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={p().members}>
                      {(m, i) => (
                        <tr>
                          <td class="num muted">{formatCount(firstRow() + i())}</td>
                          <td class={identifierSearch()?.sensitive ? 'masked' : undefined} title={identifierSearch()?.sensitive ? 'Sensitive: stored hashed and encrypted' : undefined}>
                            {m.identifier}
                          </td>
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
                          <td class="row-actions">
                            <button type="button" class="link small" aria-label={`Sync member ${firstRow() + i()} to CRM`} onClick={() => setPushScope({ kind: 'member', memberId: Number(m.id) })}>
                              Sync to CRM
                            </button>{' '}
                            <Show
                              when={armed() === m.id}
                              fallback={
                                <button type="button" class="link danger small" aria-label={`Delete member ${firstRow() + i()}`} onClick={() => setArmed(m.id)}>
                                  Delete
                                </button>
                              }
                            >
                              <button type="button" class="danger small" onClick={() => void removeMember(m)}>
                                Delete this member
                              </button>{' '}
                              <button type="button" class="link small" onClick={() => setArmed(null)}>
                                Keep
                              </button>
                            </Show>
                          </td>
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
                  {formatCount(firstRow())}–{formatCount(firstRow() + p().members.length - 1)}
                  {p().filtered ? ' matching' : ` of ${formatCount(p().total)}`}
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
