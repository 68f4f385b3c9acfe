import { createEffect, createMemo, createSignal, For, onCleanup, Show, untrack } from 'solid-js';
import type { DryRun } from '../../../shared/schema/audiences.ts';
import { DEFAULT_BATCH_ROWS } from '../../../shared/schema/imports.ts';
import { audiencesApi } from '../../api/audiences.ts';
import { batchCount, buildBatchRows, importedColumnIndexes } from '../../import/batchRows.ts';
import { ErrorNotice } from '../ErrorNotice.tsx';
import { formatCount, plural } from '../formatting.ts';
import type { ImportSession } from './importSession.ts';
import { importSourceOf } from './rowSource.ts';

const REASONS: Record<string, string> = {
  empty_identifier: 'identifier empty',
  invalid_email: 'invalid email',
  invalid_phone: 'invalid phone',
  invalid_value: 'invalid value',
  ragged_row: 'wrong number of fields',
  wrong_field_count: 'wrong number of values',
  identifier_exists: 'already in the audience (matches are rejected)',
  value_not_allowed: 'not an allowed value',
};

/**
 * "What would Save do?": sends the rows to the Worker's dry run, which applies the import's own rules against the
 * audience as it is now and writes nothing, and shows the outcome in the save area.
 */
export function DryRunPanel(props: { session: ImportSession }) {
  const s = props.session;
  const [result, setResult] = createSignal<DryRun | null>(null);
  const [checked, setChecked] = createSignal(0);
  const [running, setRunning] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);
  /** Bumped by every in-cell fix: a check made before an edit no longer answers for the rows as they are. */
  const [edits, setEdits] = createSignal(0);
  createEffect(() => {
    const store = s.store();
    if (!store) return;
    onCleanup(store.subscribe((change) => change.kind === 'edit' && setEdits((n) => n + 1)));
  });
  const ready = () => s.source() !== null && s.identifier() !== null && !s.parsing() && !s.busy();
  /** What the check depends on: a result for other settings would answer a question nobody asks any more. */
  const settingsKey = createMemo(() => {
    const choice = s.audience();
    let mapping: unknown = null;
    try {
      mapping = s.importMapping();
    } catch {
      // An incomplete mapping (no identifier yet) cannot be checked; it still differs from any checked one.
    }
    return JSON.stringify([mapping, choice.mode === 'existing' ? choice.id : 'new', s.defaultCountry(), s.rowCount(), edits()]);
  });
  const [checkedKey, setCheckedKey] = createSignal<string | null>(null);
  const stale = () => result() !== null && checkedKey() !== settingsKey();

  async function run() {
    const rowSource = s.source();
    const store = s.store();
    const headers = s.headers();
    if (!rowSource || !store || !headers || running()) return;
    setRunning(true);
    setError(null);
    setResult(null);
    setChecked(0);
    setCheckedKey(untrack(settingsKey));
    try {
      const mapping = s.importMapping();
      const choice = s.audience();
      let dry = await audiencesApi.startDryRun({
        ...(choice.mode === 'existing' && choice.id ? { audienceId: choice.id } : {}),
        source: importSourceOf(rowSource),
        mapping,
        defaultCountry: s.defaultCountry(),
      });
      const columns = importedColumnIndexes(mapping, headers);
      const batches = batchCount(store.rowCount, DEFAULT_BATCH_ROWS);
      for (let seq = 0; seq < batches; seq++) {
        const rows = buildBatchRows(store, columns, headers.length, seq, DEFAULT_BATCH_ROWS);
        dry = await audiencesApi.dryRunBatch(dry.id, { seq, rows });
        setChecked(dry.counts.received);
      }
      setResult(dry);
    } catch (e) {
      setError(e);
    } finally {
      setRunning(false);
    }
  }

  return (
    <div class="dry-run" data-testid="dry-run">
      <div class="save-bar">
        <button type="button" disabled={!ready() || running()} onClick={() => void run()}>
          {running() ? `Checking… ${plural(checked(), 'row')}` : stale() ? 'Check again' : 'Check first (dry run)'}
        </button>
        <span class="muted small">Shows what Save would do to the audience, without changing it.</span>
      </div>
      <Show when={error()}>{(e) => <ErrorNotice error={e()} />}</Show>
      <Show when={result()}>
        {(r) => (
          <div
            class="notice"
            classList={{ info: !stale(), warn: stale() }}
            role="status"
            data-testid="dry-run-result"
            data-stale={stale() ? 'true' : undefined}
          >
            <div class="notice-body">
              <Show when={stale()}>
                <p data-testid="dry-run-stale">
                  <strong>Out of date:</strong> the mapping or the options changed after this check. Check again to see what Save would do now.
                </p>
              </Show>
              <strong>{stale() ? 'With the earlier settings:' : 'If you save now:'}</strong> {plural(r().counts.inserted, 'new member')}, {plural(r().counts.updated, 'member')} updated,{' '}
              {plural(r().counts.merged, 'repeated row')} merged, {plural(r().counts.rejected, 'row')} rejected
              {r().counts.skipped > 0 ? `, ${plural(r().counts.skipped, 'blank row')} skipped` : ''}.
              <Show when={Object.keys(r().rejectedBy).length > 0}>
                <ul class="small">
                  <For each={Object.entries(r().rejectedBy)}>
                    {([code, n]) => (
                      <li>
                        {plural(n ?? 0, 'row')}: {REASONS[code] ?? code}
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
            </div>
          </div>
        )}
      </Show>
    </div>
  );
}
