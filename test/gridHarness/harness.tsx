// Test/demo page for the grid alone (index.html beside it; test/browser/grid.test.ts serves it with Vite).
// ?rows=1000000&cols=200 for the synthetic million rows, ?dataset=contacts for the small list with known problems,
// ?dataset=file to read a CSV through the parse worker.
import { batch, createSignal, For, Show } from 'solid-js';
import { render } from 'solid-js/web';
import { fieldKeyFromLabel } from '../../shared/fields/builtInFields.ts';
import type { Field } from '../../shared/schema/fields.ts';
import type { RowStore } from '../../web/rows/rowStore.ts';
import { parseFile } from '../../web/upload/parseFile.ts';
import type { ParseProgress } from '../../web/upload/parseMessages.ts';
import { type ColumnState, MappingGrid } from '../../web/grid/MappingGrid.tsx';
import { createValidationModels } from '../../web/validation/validationModel.ts';
import { contactsStore, HARNESS_FIELDS, syntheticStore } from './harnessData.ts';

const params = new URLSearchParams(location.search);
const dataset = params.get('dataset') ?? 'synthetic';

function initialColumns(store: RowStore): ColumnState[] {
  // A couple of suggestions, as suggestTargets would make them on the page.
  const guess: Record<string, string> = { email: 'email', 'e-mail': 'email', 'first name': 'first_name', mobile: 'mobile', phone: 'phone' };
  return store.headers.map((header) => {
    const target = guess[header.toLowerCase()] ?? null;
    return { header, target, suggested: target !== null, sensitive: false };
  });
}

function Harness() {
  const [store, setStore] = createSignal<RowStore | null>(null);
  const [columns, setColumns] = createSignal<ColumnState[]>([]);
  const [identifier, setIdentifier] = createSignal<number | null>(null);
  const [fields, setFields] = createSignal<Field[]>(HARNESS_FIELDS);
  const [status, setStatus] = createSignal('');
  const [progress, setProgress] = createSignal<ParseProgress | null>(null);
  // As the import session does: one validation model per store, which the grid renders.
  const validation = createValidationModels({ store, columns, identifier, fields, defaultCountry: () => 'FR' });
  const problems = () => validation()?.summary() ?? null;

  const show = (s: RowStore) =>
    batch(() => {
      setColumns(initialColumns(s));
      setIdentifier(null);
      setStore(s);
    });
  if (dataset === 'contacts') show(contactsStore());
  else if (dataset === 'synthetic') show(syntheticStore(Number(params.get('rows') ?? 1_000_000), Number(params.get('cols') ?? 200)));

  let cancel: (() => void) | null = null;
  const read = async (file: File) => {
    setStatus('Reading…');
    const handle = parseFile(file, {}, {
      onStart: ({ store: s, header, encodingFallback }) => {
        show(s);
        setStatus(encodingFallback ? `Read as ${header.encodingLabel}` : `Encoding: ${header.encodingLabel}, delimiter “${header.delimiter}”`);
      },
      onProgress: setProgress,
      onRestart: () => setStatus('Re-reading…'),
    });
    cancel = handle.cancel;
    const outcome = await handle.outcome;
    if (outcome.status === 'cancelled') setStatus(`Cancelled after ${progress()?.rows ?? 0} rows`);
    else if (outcome.status === 'failed') setStatus(`Failed (${outcome.failure.code}): ${outcome.failure.message}`);
    else if (outcome.status === 'done') setStatus(`${outcome.encodingFallback ? `Read as ${outcome.summary.encodingLabel}` : `Encoding: ${outcome.summary.encodingLabel}`} · ${outcome.summary.rowCount} rows`);
  };

  return (
    <div style={{ display: 'flex', 'flex-direction': 'column', height: '100%', padding: '16px', 'box-sizing': 'border-box', gap: '10px' }}>
      <Show when={dataset === 'file'}>
        <div>
          <input type="file" accept=".csv,text/csv" data-testid="file-input" onChange={(e) => e.currentTarget.files?.[0] && void read(e.currentTarget.files[0])} />{' '}
          <button type="button" data-testid="parse-cancel" onClick={() => cancel?.()}>
            Cancel
          </button>{' '}
          <span data-testid="parse-status">{status()}</span>{' '}
          <span data-testid="parse-progress">{progress() ? `${progress()?.rows} rows, ${progress()?.bytesRead}/${progress()?.totalBytes} bytes` : ''}</span>
        </div>
      </Show>
      <p data-testid="problem-summary" style={{ margin: 0, color: '#687083' }}>
        <Show when={problems()} fallback="…">
          {(p) => (
            <>
              {p().settled ? 'Checked' : 'Checking'}: {p().rejectedRows} rows would be rejected
              <For each={p().columns}>{(c) => <> · {c.header}: {c.errorCount} errors</>}</For>
            </>
          )}
        </Show>
      </p>
      <div style={{ flex: 1, 'min-height': 0 }}>
        <Show when={validation()}>
          {(v) => (
            <MappingGrid
              store={v().store}
              validation={v()}
              fields={fields()}
              columns={columns()}
              identifier={identifier()}
              onColumnsChange={setColumns}
              onIdentifierChange={setIdentifier}
              onCreateField={async (label, type) => {
                await new Promise((r) => setTimeout(r, 50));
                const field: Field = { key: fieldKeyFromLabel(label), label, type, builtIn: false };
                setFields((f) => [...f, field]);
                return field;
              }}
            />
          )}
        </Show>
      </div>
      <pre data-testid="harness-state" style={{ display: 'none' }}>
        {JSON.stringify({ columns: columns(), identifier: identifier() })}
      </pre>
    </div>
  );
}

render(() => <Harness />, document.getElementById('root') as HTMLElement);
