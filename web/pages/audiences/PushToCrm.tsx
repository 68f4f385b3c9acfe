import { createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import type { FieldChange, PushScope } from '../../../shared/schema/crmExport.ts';
import type { PlannedRecordSample, Push, PushPreview, PushReport } from '../../../shared/schema/crmPush.ts';
import { connectionsApi } from '../../api/connections.ts';
import { pushesApi } from '../../api/pushes.ts';
import { ErrorNotice } from '../ErrorNotice.tsx';
import { formatCount, plural } from '../formatting.ts';
import { createBusyAction } from '../busyAction.ts';
import { changesText } from './pushText.ts';

const ACTION_WORDS = { create: 'Create', update: 'Update', skip: 'Unchanged', conflict: 'Conflict' } as const;
const OUTCOME_WORDS = { created: 'Created', updated: 'Updated', skipped: 'Unchanged', conflict: 'Conflict', failed: 'Failed' } as const;
const POLL_MS = 1_000;

/**
 * "Sync to CRM": pick the connection, read the Worker's preview (what would be created, updated, left alone or is
 * in conflict, with a sample of field changes), fill the export-time fields, then run the push on the server and
 * follow it to its report. Nothing is written to the CRM before "Sync … to CRM" is pressed.
 */
export function PushToCrm(props: { audienceId: string; scope: PushScope; scopeLabel: string; onClose: () => void }) {
  const [connections] = createResource(() => connectionsApi.list());
  const [connectionId, setConnectionId] = createSignal('');
  const [exportTimeValues, setExportTimeValues] = createSignal<Record<string, string>>({});
  const [preview, setPreview] = createSignal<PushPreview | null>(null);
  const [push, setPush] = createSignal<Push | null>(null);
  const [report, setReport] = createSignal<PushReport | null>(null);
  const { busy, error, setError, act } = createBusyAction();
  const chosen = () => connectionId() || connections()?.find((c) => c.status !== 'needs_reauth')?.id || '';
  const body = () => ({ connectionId: chosen(), audienceId: props.audienceId, scope: props.scope, exportTimeValues: exportTimeValues() });

  // Required export-time fields still empty as typed now (the preview's own list is from when it was made).
  const missingNow = (p: PushPreview) => p.exportTimeFields.filter((f) => f.required && !(exportTimeValues()[f.crmProperty] ?? '').trim()).map((f) => f.label);
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));


  async function follow(id: string) {
    try {
      const now = await pushesApi.get(id);
      setPush(now);
      if (now.status === 'running') {
        timer = setTimeout(() => void follow(id), POLL_MS);
        return;
      }
      setReport(await pushesApi.report(id));
    } catch (e) {
      setError(e);
    }
  }

  return (
    <section class="card push-dialog" role="dialog" aria-labelledby="push-title">
      <div class="card-head">
        <h2 id="push-title">Sync to CRM</h2>
        <button type="button" class="link" onClick={() => props.onClose()}>
          Close
        </button>
      </div>
      <p class="muted">Writes {props.scopeLabel} to the CRM, as the connection’s export settings say. You see what would change first.</p>
      <Show when={!push()}>
        <div class="push-form">
          <label>
            <span class="small muted">CRM connection</span>
            <select
              value={chosen()}
              onChange={(e) => {
                setConnectionId(e.currentTarget.value);
                setPreview(null);
              }}
            >
              <For each={connections() ?? []}>{(c) => <option value={c.id}>{`${c.kind === 'salesforce' ? 'Salesforce' : 'Dynamics 365'} — ${c.orgName ?? c.instanceUrl}`}</option>}</For>
            </select>
          </label>
          <Show when={preview()?.exportTimeFields.length}>
            <For each={preview()?.exportTimeFields ?? []}>
              {(f) => (
                <label>
                  <span class="small muted">
                    {f.label}
                    {f.required ? ' (required)' : ''}
                  </span>
                  <input
                    type="text"
                    value={exportTimeValues()[f.crmProperty] ?? ''}
                    aria-label={f.label}
                    onInput={(e) => setExportTimeValues({ ...exportTimeValues(), [f.crmProperty]: e.currentTarget.value })}
                  />
                </label>
              )}
            </For>
          </Show>
          <button type="button" disabled={busy() || !chosen()} onClick={() => void act(async () => void setPreview(await pushesApi.preview(body())))}>
            {preview() ? 'Update preview' : 'Preview'}
          </button>
        </div>
        <Show when={connections() && connections()?.length === 0}>
          <p class="notice">No CRM is connected yet: an admin connects one on the Integrated systems page.</p>
        </Show>
      </Show>
      <Show when={error()}>{(e) => <ErrorNotice error={e()} />}</Show>
      <Show when={!push() && preview()}>{(p) => <PreviewView preview={p()} />}</Show>
      <Show when={!push() && preview()}>
        {(p) => (
          <div class="actions">
            <Show when={missingNow(p()).length > 0}>
              <p class="notice warn">Fill in {missingNow(p()).join(', ')} to sync.</p>
            </Show>
            <Show when={p().requiredNotCovered.length > 0}>
              <div class="notice warn" role="alert">
                <p>The CRM now requires fields these settings leave empty, so it would refuse every new record:</p>
                <ul>
                  <For each={p().requiredNotCovered}>{(r) => <li>{r.message}</li>}</For>
                </ul>
                <p>An admin fixes this on the connection’s integration settings; then preview again.</p>
              </div>
            </Show>
            <button
              type="button"
              class="primary"
              disabled={busy() || p().members === 0 || missingNow(p()).length > 0 || p().requiredNotCovered.length > 0}
              onClick={() =>
                void act(async () => {
                  const started = await pushesApi.start(body());
                  setPush(started);
                  void follow(started.id);
                })
              }
            >
              Sync {plural(p().members, 'member')} to CRM
            </button>
          </div>
        )}
      </Show>
      <Show when={push()}>{(run) => <RunView push={run()} report={report()} labels={preview()?.fieldLabels ?? {}} />}</Show>
    </section>
  );
}

function PreviewView(props: { preview: PushPreview }) {
  type SampleRow = { s: PlannedRecordSample; c: FieldChange | null; first: boolean };
  const rows = (): SampleRow[] =>
    props.preview.sample.flatMap((s): SampleRow[] => (s.changes.length > 0 ? s.changes.map((c, i) => ({ s, c, first: i === 0 })) : [{ s, c: null, first: true }]));
  return (
    <div class="push-preview">
      <dl class="stats" aria-label="What the sync would do">
        <For each={(['create', 'update', 'skip', 'conflict'] as const).map((k) => [k, props.preview.counts[k]] as const)}>
          {([k, n]) => (
            <div class={`stat${k === 'conflict' && n > 0 ? ' danger' : ''}`}>
              <dt>{ACTION_WORDS[k]}</dt>
              <dd>{formatCount(n)}</dd>
            </div>
          )}
        </For>
      </dl>
      <Show when={props.preview.sample.length > 0} fallback={<p class="muted">Nothing would change in the CRM.</p>}>
        <h3>
          First {plural(props.preview.sample.length, 'record')} that would change ({props.preview.object})
        </h3>
        <div class="table-wrap">
          <table class="data" aria-label="Sample of changes">
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Action</th>
                <th scope="col">CRM field</th>
                <th scope="col">In the CRM now</th>
                <th scope="col">After the sync</th>
              </tr>
            </thead>
            <tbody>
              <For each={rows()}>
                {(r) => (
                  <tr>
                    <td>{r.first ? r.s.member : ''}</td>
                    <td>{r.first ? ACTION_WORDS[r.s.action] : ''}</td>
                    <Show when={r.c} fallback={<td colSpan={3}>{r.s.reason ?? ''}</td>}>
                      {(c) => (
                        <>
                          <td title={c().crmProperty}>{props.preview.fieldLabels[c().crmProperty] ?? c().crmProperty}</td>
                          <td class="muted">
                            <ShownValue value={c().crmValue} name={c().crmValueName} />
                          </td>
                          <td>
                            <ShownValue value={c().newValue} name={c().newValueName} />
                          </td>
                        </>
                      )}
                    </Show>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </Show>
    </div>
  );
}

/** A value as people know it: a lookup by the name of the record it points to (its id on hover), anything else as it is. */
function ShownValue(props: { value: string | null; name: string | undefined }) {
  return (
    <Show when={props.name} fallback={props.value ?? '(empty)'}>
      {(name) => <span title={`Record id ${props.value ?? ''}`}>{name()}</span>}
    </Show>
  );
}

function RunView(props: { push: Push; report: PushReport | null; labels: Record<string, string> }) {
  const c = () => props.push.counts;
  return (
    <div class="push-run">
      <Show when={props.push.status === 'running'}>
        <div class="progress">
          <progress max={Math.max(props.push.total, 1)} value={props.push.done} aria-label="Sync progress" />
          <span class="progress-label small muted">
            {formatCount(props.push.done)} of {formatCount(props.push.total)} members
          </span>
        </div>
      </Show>
      <Show when={props.push.status !== 'running'}>
        <p class={props.push.status === 'succeeded' ? 'notice ok' : 'notice error'} role="status">
          {props.push.status === 'succeeded' ? `Sync finished: ${plural(props.push.done, 'member')} handled.` : `The sync stopped: ${props.push.error?.message ?? ''}`}
        </p>
      </Show>
      <dl class="stats" aria-label="Sync counts">
        <div class="stat ok">
          <dt>Created</dt>
          <dd>{formatCount(c().created)}</dd>
        </div>
        <div class="stat ok">
          <dt>Updated</dt>
          <dd>{formatCount(c().updated)}</dd>
        </div>
        <div class="stat">
          <dt>Unchanged</dt>
          <dd>{formatCount(c().skipped)}</dd>
        </div>
        <div class={`stat${c().conflicts + c().failed > 0 ? ' danger' : ''}`}>
          <dt>Conflicts / failed</dt>
          <dd>
            {formatCount(c().conflicts)} / {formatCount(c().failed)}
          </dd>
        </div>
      </dl>
      <Show when={props.report}>
        {(r) => (
          <>
            <div class="card-head">
              <h3>Report</h3>
              <a class="button" href={pushesApi.reportCsvUrl(props.push.id)} download="">
                Download report (CSV)
              </a>
            </div>
            <div class="table-wrap">
              <table class="data" aria-label="Sync report">
                <thead>
                  <tr>
                    <th scope="col">Member</th>
                    <th scope="col">CRM record</th>
                    <th scope="col">Result</th>
                    <th scope="col">Details</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={r().lines}>
                    {(l) => (
                      <tr>
                        <td>{l.member}</td>
                        <td class="mono">{l.recordId ?? '—'}</td>
                        <td>{OUTCOME_WORDS[l.action]}</td>
                        <td>
                          {/* A written record can carry a note too (its company got no Account): its changes stay in view. */}
                          {l.action === 'failed' || l.action === 'conflict' ? '' : changesText(l.changes, props.labels, r().companies)}
                          <Show when={l.message}>{(m) => <div class={l.action === 'failed' || l.action === 'conflict' || l.changes.length === 0 ? '' : 'small warn-text'}>{m()}</div>}</Show>
                          <For each={l.conflicts}>
                            {(k) => (
                              <div class="small muted">
                                {props.labels[k.crmProperty] ?? k.crmProperty}: ours “{k.ourValue}” vs CRM “{k.crmValue}” — {k.winner === 'ours' ? 'ours' : 'the CRM’s'} (changed later) kept
                              </div>
                            )}
                          </For>
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </div>
            <Show when={r().companies.length > 0}>
              <h3>Accounts</h3>
              <div class="table-wrap">
                <table class="data" aria-label="Accounts of this sync">
                  <thead>
                    <tr>
                      <th scope="col">Company</th>
                      <th scope="col">CRM record</th>
                      <th scope="col">Result</th>
                      <th scope="col">Members</th>
                      <th scope="col">Details</th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={r().companies}>
                      {(a) => (
                        <tr>
                          <td>{a.company}</td>
                          <td class="mono">{a.recordId ?? '—'}</td>
                          <td>{OUTCOME_WORDS[a.action]}</td>
                          <td>
                            {a.members.join(', ')}
                            {a.memberCount > a.members.length ? ` and ${formatCount(a.memberCount - a.members.length)} more` : ''}
                          </td>
                          <td>{a.message ?? ''}</td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </div>
              <Show when={r().totalCompanies > r().companies.length}>
                <p class="small muted">
                  The first {formatCount(r().companies.length)} of {plural(r().totalCompanies, 'company', 'companies')}, refused and in conflict first.
                </p>
              </Show>
            </Show>
          </>
        )}
      </Show>
    </div>
  );
}
