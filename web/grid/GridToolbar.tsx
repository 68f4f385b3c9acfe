import { createSignal, Show } from 'solid-js';
import { AlertIcon } from './icons.tsx';

export interface GridToolbarProps {
  rowCount: number;
  columnCount: number;
  complete: boolean;
  checking: boolean;
  problemRows: number;
  rejectedRows: number;
  editCount: number;
  onlyProblems: boolean;
  onOnlyProblems: (on: boolean) => void;
  onGoToRow: (rowNumber: number) => void;
}

const n = (value: number) => value.toLocaleString('en-US');
const count = (value: number, one: string) => `${n(value)} ${value === 1 ? one : `${one}s`}`;

export function GridToolbar(props: GridToolbarProps) {
  const [target, setTarget] = createSignal('');
  return (
    <div class="mg-toolbar" role="toolbar" aria-label="Grid">
      <button
        type="button"
        class="mg-filter"
        classList={{ 'mg-filter-on': props.onlyProblems, 'mg-filter-none': props.problemRows === 0 }}
        aria-pressed={props.onlyProblems}
        disabled={props.problemRows === 0 && !props.onlyProblems}
        data-testid="problems-filter"
        onClick={() => props.onOnlyProblems(!props.onlyProblems)}
      >
        <AlertIcon /> Only rows with problems ({n(props.problemRows)})
      </button>
      <span class="mg-toolbar-status" data-testid="grid-status">
        {count(props.rowCount, 'row')} · {count(props.columnCount, 'column')}
        <Show when={props.rejectedRows > 0}>
          {' · '}
          <span class="mg-toolbar-rejected">{n(props.rejectedRows)} would be rejected</span>
        </Show>
        <Show when={props.editCount > 0}> · {n(props.editCount)} edited</Show>
        <Show when={!props.complete}> · reading the file…</Show>
        <Show when={props.complete && props.checking}> · checking columns…</Show>
      </span>
      <form
        class="mg-goto"
        onSubmit={(e) => {
          e.preventDefault();
          const row = Number(target());
          if (Number.isFinite(row) && row >= 1) props.onGoToRow(row);
        }}
      >
        <label for="mg-goto-input">Go to row</label>
        <input
          id="mg-goto-input"
          type="number"
          min="1"
          max={props.rowCount}
          inputmode="numeric"
          placeholder={`1–${n(props.rowCount)}`}
          value={target()}
          data-testid="go-to-row"
          onInput={(e) => setTarget(e.currentTarget.value)}
        />
      </form>
    </div>
  );
}
