import { createResource, For, Show } from 'solid-js';
import { crmName } from '../crm/crmNames.ts';
import { KeepInSync } from '../crm/KeepInSync.tsx';
import { api } from '../../api/client.ts';
import { ErrorNotice } from '../ErrorNotice.tsx';
import { formatCount, formatDate, plural } from '../formatting.ts';
import { Link } from '../navigation.tsx';
import { normalizationNote } from '../../../shared/normalize/normalizeValue.ts';
import { RowPlace } from '../../../shared/report/rowPlace.ts';

export default function ReportPage(props: { id: string }) {
  const [report, { refetch }] = createResource(() => props.id, (id) => api.getReport(id));
  const [fields] = createResource(() => api.listFields().catch(() => []));
  const fieldTypes = () => {
    const list = fields();
    return list ? new Map(list.map((f) => [f.key, f.type])) : undefined;
  };
  const [audience] = createResource(
    () => report()?.import.audienceId,
    (id) => api.getAudience(id).catch(() => undefined),
  );
  return (
    <section class="page">
      <Show when={report.error}>
        <ErrorNotice error={report.error} retry={refetch} />
      </Show>
      <Show when={report()}>
        {(r) => {
          const summary = () => r().import;
          const counts = () => summary().counts;
          // What typed columns underwent (normalizationNote): the report says which values are not as written.
          const storedForms = () =>
            summary().mapping.columns.flatMap((c) => {
              const type = c.target ? fieldTypes()?.get(c.target) : undefined;
              const note = type ? normalizationNote(type) : null;
              return note ? [{ column: c.column, note }] : [];
            });
          const audienceHref = () => `/audiences/${encodeURIComponent(summary().audienceId)}`;
          return (
            <>
              <header class="card-head">
                <div>
                  <h1>Import report</h1>
                  <p class="muted">
                    {(() => { const source = summary().source; return source.kind === 'csv' ? source.fileName : `${crmName(source.kind)} ${source.object}`; })()} into{' '}
                    <Link href={audienceHref()}>{audience()?.name ?? 'the audience'}</Link>
                    {' · '}
                    {summary().finishedAt ? `finished ${formatDate(summary().finishedAt as string)}` : 'not finished'}
                  </p>
                </div>
                <div class="actions">
                  <a class="button" href={api.reportCsvUrl(summary().id)} download="">
                    Download report CSV
                  </a>
                  <Link class="button primary" href={audienceHref()}>
                    Open audience
                  </Link>
                </div>
              </header>
              <KeepInSync summary={summary()} />
              <Show when={summary().status !== 'completed'}>
                <div class="notice warn" role="status">
                  <div class="notice-body">
                    This import is still open: {plural(counts().received, 'row')} received so far. Go back to{' '}
                    <Link href="/import">Import</Link> and select the same file to resume it.
                  </div>
                </div>
              </Show>
              <Show when={summary().notices.length > 0}>
                <div class="notice info" role="status" data-testid="import-notices">
                  <div class="notice-body">
                    <strong>Aligned to the audience:</strong>
                    <ul>
                      <For each={summary().notices}>{(notice) => <li>{notice}</li>}</For>
                    </ul>
                  </div>
                </div>
              </Show>
              <Show when={storedForms().length > 0}>
                <p class="muted small" data-testid="normalized-columns">
                  Text is stored as written (ends trimmed). Normalized:{' '}
                  {storedForms()
                    .map((f) => `${f.column} (${f.note})`)
                    .join('; ')}
                  .
                </p>
              </Show>
              <dl class="stats" aria-label="Import counts">
                <Stat label="Rows received" value={counts().received} />
                <Stat label="Inserted" value={counts().inserted} tone="ok" />
                <Stat label="Updated" value={counts().updated} />
                <Stat label="Duplicates merged" value={counts().duplicates} />
                <Stat label="Rejected" value={counts().rejected} tone={counts().rejected > 0 ? 'danger' : undefined} />
                <Stat label="Skipped (blank)" value={counts().skipped} />
              </dl>
              <div class="card">
                <div class="card-head">
                  <h2>Rejected rows</h2>
                  <Show when={r().totalErrors > r().errors.length}>
                    <span class="muted small">
                      Showing {formatCount(r().errors.length)} of {formatCount(r().totalErrors)}: the CSV download has them all.
                    </span>
                  </Show>
                </div>
                <Show when={r().errors.length > 0} fallback={<p class="muted">No row was rejected.</p>}>
                  <div class="table-wrap">
                    <table class="data" aria-label="Rejected rows">
                      <thead>
                        <tr>
                          <th scope="col" class="num" title="The row number the grid shows, and the line of the file it starts on">
                            Row (line)
                          </th>
                          <th scope="col">Column</th>
                          <th scope="col">Reason</th>
                          <th scope="col">Value</th>
                        </tr>
                      </thead>
                      <tbody>
                        <For each={r().errors}>
                          {(e) => (
                            <tr>
                              <td class="num" title={RowPlace(e.row, e.line)}>
                                {e.row}
                                <Show when={e.line !== undefined}>
                                  <span class="muted small row-line"> line {e.line}</span>
                                </Show>
                              </td>
                              <td>{e.column ?? <span class="muted">whole row</span>}</td>
                              <td>{e.message}</td>
                              <td class={e.value && /^[•*]+/.test(e.value) ? 'masked' : undefined}>{e.value ?? ''}</td>
                            </tr>
                          )}
                        </For>
                      </tbody>
                    </table>
                  </div>
                </Show>
              </div>
            </>
          );
        }}
      </Show>
    </section>
  );
}

function Stat(props: { label: string; value: number; tone?: 'ok' | 'danger' | undefined }) {
  return (
    <div class={`stat${props.tone ? ` ${props.tone}` : ''}`}>
      <dt>{props.label}</dt>
      <dd>{formatCount(props.value)}</dd>
    </div>
  );
}
