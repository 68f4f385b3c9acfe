import { createMemo, For, Show } from 'solid-js';
import { formatCount, plural } from '../formatting.ts';
import type { ImportSession } from './importSession.ts';
import { saveSummary } from './saveSummary.ts';
import { privacyOn } from '../../import/privacyChoice.ts';

function rejectedWords(problemRows: number, rejectedRows: number): string {
  if (rejectedRows === 0) return 'none will be rejected (repeated identifiers are merged)';
  if (rejectedRows === problemRows) return problemRows === 1 ? 'it will be rejected' : 'all will be rejected';
  return `${formatCount(rejectedRows)} will be rejected, the others merged`;
}

const quoted = (headers: readonly string[]) => headers.map((h) => `“${h}”`).join(', ');

/**
 * "Before you save": what Save would leave out, rewrite or take on trust (an unconfirmed suggestion), and the rows
 * with problems — so nothing the user gave is dropped or changed without being said.
 */
export function SaveSummary(props: { session: ImportSession }) {
  const s = props.session;
  const fieldByKey = createMemo(() => new Map((s.fields() ?? []).map((f) => [f.key, f])));
  const summary = createMemo(() =>
    saveSummary({ columns: s.columns, fieldOf: (key) => fieldByKey().get(key) ?? null, problems: s.problems() }),
  );
  const countryName = () => s.phoneCountry().countries.find((c) => c.code === s.defaultCountry())?.name ?? s.defaultCountry();
  const settled = () => s.problems()?.settled ?? false;
  const showProblemRows = () => {
    s.validation()?.setOnlyProblems(true);
    document.getElementById('mapping-heading')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  };
  const confirmAll = () => s.setColumns(s.columns.map((c) => (c.suggested && c.target !== null ? { ...c, suggested: false } : c)));

  return (
    <div class="save-summary" data-testid="save-summary" aria-labelledby="save-summary-heading">
      <h3 id="save-summary-heading">Before you save</h3>
      <ul>
        <li data-testid="summary-not-imported" classList={{ 'summary-attention': summary().notImported.length > 0 }}>
          <Show when={summary().notImported.length > 0} fallback={<>Every column is imported.</>}>
            <strong>{plural(summary().notImported.length, 'column')} not imported:</strong> {quoted(summary().notImported)}. Their values are
            left out.
          </Show>
        </li>
        <Show when={summary().normalized.length > 0}>
          <li data-testid="summary-normalized">
            <strong>{plural(summary().normalized.length, 'column')} rewritten in a standard form:</strong>
            <ul>
              <For each={summary().normalized}>
                {(n) => (
                  <li>
                    “{n.header}” ({n.field}): {n.how}
                    {n.type === 'phone' ? ` (now ${countryName()})` : ''}
                  </li>
                )}
              </For>
            </ul>
          </li>
        </Show>
        <Show when={privacyOn(s.privacy()) && s.sensitiveColumns().length > 0}>
          <li data-testid="summary-privacy">
            <strong>Privacy mode:</strong> {quoted(s.sensitiveColumns())} {s.sensitiveColumns().length === 1 ? 'is' : 'are'} hashed and encrypted
            in this browser before anything is sent. An invalid value there is refused here and reported with its row, column and reason, masked.
          </li>
        </Show>
                <li data-testid="summary-problems" classList={{ 'summary-attention': summary().problemRows > 0 }}>
          <Show
            when={summary().problemRows > 0}
            fallback={settled() ? <>No row has a problem.</> : <span class="muted">Checking the rows…</span>}
          >
            <strong>{plural(summary().problemRows, 'row')} with problems:</strong> {rejectedWords(summary().problemRows, summary().rejectedRows)}
            {settled() ? '' : ' (still checking)'}.{' '}
            <button type="button" class="link" data-testid="summary-show-problems" onClick={showProblemRows}>
              Show {summary().problemRows === 1 ? 'it' : 'them'} in the grid
            </button>
          </Show>
        </li>
        <Show when={summary().unconfirmed.length > 0}>
          <li data-testid="summary-unconfirmed" class="summary-attention">
            <strong>{plural(summary().unconfirmed.length, 'suggestion')} not confirmed yet:</strong>{' '}
            {summary()
              .unconfirmed.map((u) => `“${u.header}” as ${u.field}`)
              .join(', ')}
            . Saving imports {summary().unconfirmed.length === 1 ? 'it' : 'them'} as suggested.{' '}
            <button type="button" class="link" data-testid="summary-confirm-all" disabled={s.locked()} onClick={confirmAll}>
              Confirm {summary().unconfirmed.length === 1 ? 'it' : 'all'}
            </button>
          </li>
        </Show>
        <Show when={s.templateApplied()}>
          {(applied) => (
            <Show when={applied().changes.length > 0}>
              <li data-testid="summary-template">
                <strong>
                  Template ‘{applied().template.name}’ changed {plural(applied().changes.length, 'setting')}:
                </strong>
                <ul>
                  <For each={applied().changes}>{(change) => <li>{change}</li>}</For>
                </ul>
              </li>
            </Show>
          )}
        </Show>
      </ul>
    </div>
  );
}
