import { For, Show } from 'solid-js';
import { MappingGrid } from '../../grid/MappingGrid.tsx';
import type { ImportSession } from './importSession.ts';

// Toolbar + header controls + borders, and one row, as web/grid draws them.
const GRID_CHROME_PX = 170;
const GRID_ROW_PX = 32;

/** The grid with its column mappings, and the notice that says when a saved template decided them. */
export function MappingPanel(props: { session: ImportSession }) {
  const s = props.session;
  return (
    <section class="card" aria-labelledby="mapping-heading">
      <div class="card-head">
        <h2 id="mapping-heading">Map columns</h2>
        <span class="muted small">
          For each column choose a platform field or skip it. Mark one column as the unique identifier, and sensitive columns to store
          them only hashed and encrypted.
        </span>
      </div>
      <Show when={s.templateApplied()}>
        {(applied) => (
          <div class="notice ok" role="status" data-testid="template-notice">
            <div class="notice-body">
              Mapping from template <strong>‘{applied().template.name}’</strong> applied
              <Show when={applied().changes.length > 0} fallback={<>: it changed nothing.</>}>
                . It changed:
                <ul class="template-changes small" data-testid="template-changes">
                  <For each={applied().changes}>{(change) => <li>{change}</li>}</For>
                </ul>
              </Show>
            </div>
            <div class="notice-actions">
              <button type="button" class="link" onClick={() => s.undoTemplate()}>
                Undo
              </button>
              <button type="button" class="link" aria-label="Keep the template mapping and close this message" onClick={() => s.dismissTemplate()}>
                Keep
              </button>
            </div>
          </div>
        )}
      </Show>
      {/* Short files get a short grid; long ones scroll inside it (the grid virtualizes). */}
      <div class="grid-slot" style={{ height: `min(64vh, ${Math.max(340, GRID_CHROME_PX + s.rowCount() * GRID_ROW_PX)}px)` }}>
        <Show when={s.validation()}>
          {(validation) => (
            <MappingGrid
              store={validation().store}
              validation={validation()}
              fields={s.fields() ?? []}
              columns={s.columns}
              identifier={s.identifierIndex()}
              onColumnsChange={s.setColumns}
              onIdentifierChange={s.setIdentifierIndex}
              onCreateField={s.createField}
              phoneCountry={s.phoneCountry()}
              rowLine={s.rowLine}
            />
          )}
        </Show>
      </div>
    </section>
  );
}
