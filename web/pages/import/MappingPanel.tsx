import { Show } from 'solid-js';
import type { ImportSession } from './importSession.ts';

/** The grid with its column mappings, and the notice that says when a saved template decided them. */
export function MappingPanel(props: { session: ImportSession }) {
  const s = props.session;
  return (
    <section class="card grid-card" aria-labelledby="mapping-heading">
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
              Mapping from template <strong>‘{applied().template.name}’</strong> applied.
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
      <div class="grid-slot" data-testid="grid-slot">
        {/* MappingGrid lands here (web/grid). */}
      </div>
    </section>
  );
}
