import { createResource, createSignal, For, Show } from 'solid-js';
import type { ImportSummary } from '../../../shared/schema/imports.ts';
import { UpdateCycle, type Sync } from '../../../shared/schema/syncs.ts';
import { connectionsApi } from '../../api/connections.ts';
import { syncsApi } from '../../api/syncs.ts';
import { CYCLE_WORDS } from '../connections/syncStatus.ts';
import { ErrorNotice } from '../ErrorNotice.tsx';
import { Link } from '../navigation.tsx';
import { syncFromImport } from './syncFromImport.ts';
import './keepInSync.css';

/** "Keep this audience in sync": at the end of a CRM import, the same selection and mapping, run by the server on a schedule. */
export function KeepInSync(props: { summary: ImportSummary }) {
  const source = () => props.summary.source;
  const crm = () => {
    const s = source();
    return s.kind === 'csv' ? null : s;
  };
  const [inputs] = createResource(crm, async (s) => {
    const [configs, fields] = await Promise.all([connectionsApi.configs(s.connectionId).catch(() => []), connectionsApi.fields(s.connectionId, s.object)]);
    return { config: configs.find((c) => c.object === s.object) ?? null, fields };
  });
  const [cycle, setCycle] = createSignal<UpdateCycle>('hourly');
  const [confirmedBy, setConfirmedBy] = createSignal('');
  const [consent, setConsent] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);
  const [created, setCreated] = createSignal<Sync | null>(null);
  const draft = () => {
    const i = inputs();
    const s = crm();
    return i && s ? syncFromImport(props.summary, i.config, i.fields, cycle(), `${s.object} from ${s.kind === 'salesforce' ? 'Salesforce' : 'Dynamics 365'}`) : null;
  };

  async function create() {
    const d = draft();
    const s = crm();
    if (!d?.ok || !s) return;
    setBusy(true);
    setError(null);
    try {
      setCreated(
        await syncsApi.create({
          connectionId: s.connectionId,
          audienceId: props.summary.audienceId,
          settings: d.settings,
          consent: { doubleOptIn: true, confirmedBy: confirmedBy().trim() },
        }),
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Show when={crm() && props.summary.status === 'completed'}>
      <section class="card keep-in-sync" data-testid="keep-in-sync">
        <h2>Keep this audience in sync</h2>
        <Show
          when={created()}
          fallback={
            <>
              <p class="muted">The server pulls what changed in the CRM on a schedule, with this selection and mapping; no browser needs to stay open.</p>
              <Show when={draft()?.ok === false ? (draft() as { reason: string }).reason : null}>{(reason) => <p class="notice warn">{reason()}</p>}</Show>
              <Show when={draft()?.ok && (draft() as { leftOut: string[] }).leftOut.length ? (draft() as { leftOut: string[] }).leftOut : null}>
                {(leftOut) => <p class="muted small">Computed in the browser, not kept in sync: {leftOut().join(', ')}.</p>}
              </Show>
              <div class="keep-in-sync-fields">
              <label>
                Update
                <select value={cycle()} onChange={(e) => setCycle(UpdateCycle.parse(e.currentTarget.value))}>
                  <For each={UpdateCycle.options}>{(c) => <option value={c}>{CYCLE_WORDS[c]}</option>}</For>
                </select>
              </label>
              <label>
                Your name or email
                <input type="text" value={confirmedBy()} onInput={(e) => setConfirmedBy(e.currentTarget.value)} />
              </label>
              <label class="checkbox">
                <input type="checkbox" checked={consent()} onChange={(e) => setConsent(e.currentTarget.checked)} />
                Every contact this sync brings in, now and later, gave double opt-in consent.
              </label>
              </div>
              <Show when={error()}>
                <ErrorNotice error={error()} />
              </Show>
              <div class="actions">
                <button type="button" class="primary" disabled={busy() || !draft()?.ok || !consent() || !confirmedBy().trim()} onClick={() => void create()}>
                  Keep in sync
                </button>
              </div>
            </>
          }
        >
          <p class="notice ok" role="status">
            Kept in sync ({CYCLE_WORDS[cycle()].toLowerCase()}). Follow its runs on <Link href="/connections">Integrated systems</Link>.
          </p>
        </Show>
      </section>
    </Show>
  );
}
