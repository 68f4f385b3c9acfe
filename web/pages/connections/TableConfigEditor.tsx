import { createMemo, createResource, createSignal, For, Show } from 'solid-js';
import type { CrmConnection, CrmImportConfig } from '../../../shared/schema/crm.ts';
import type { ChangeImpact } from '../../../shared/schema/history.ts';
import { connectionsApi } from '../../api/connections.ts';
import { resourceValue } from '../crm/crmImport.ts';
import { ErrorNotice } from '../ErrorNotice.tsx';
import { formatCount, plural } from '../formatting.ts';
import { createBusyAction } from '../busyAction.ts';

/**
 * Changing which attributes of a table the integration imports, for admins and key contacts: pick the attributes,
 * review what the change touches (audiences and their members, syncs, export mappings, and what becomes of the
 * values of attributes no longer imported), then save. Any change of the picks after the review asks for a new one.
 */
export function TableConfigEditor(props: { connection: CrmConnection; config: CrmImportConfig; onSaved: (config: CrmImportConfig) => void; onClose: () => void }) {
  const [fields] = createResource(() => connectionsApi.fields(props.connection.id, props.config.object));
  const [picked, setPicked] = createSignal<ReadonlySet<string>>(new Set(props.config.attributes));
  const [search, setSearch] = createSignal('');
  const [impact, setImpact] = createSignal<ChangeImpact | null>(null);
  const { busy, error, act } = createBusyAction();

  // Saved attributes the CRM no longer lists still show, so they can be removed on purpose.
  const options = createMemo(() => {
    const known = resourceValue(fields) ?? [];
    const names = new Set(known.map((f) => f.name));
    const missing = props.config.attributes.filter((a) => !names.has(a)).map((name) => ({ name, label: `${name} (no longer in the CRM)` }));
    const all = [...known.map((f) => ({ name: f.name, label: f.label })), ...missing];
    const q = search().trim().toLowerCase();
    return q ? all.filter((f) => f.name.toLowerCase().includes(q) || f.label.toLowerCase().includes(q) || picked().has(f.name)) : all;
  });
  // Kept in the saved order, new picks after it: the order is the import's column order.
  const attributes = () => [...props.config.attributes.filter((a) => picked().has(a)), ...[...picked()].filter((a) => !props.config.attributes.includes(a))];
  const changed = () => JSON.stringify(attributes()) !== JSON.stringify(props.config.attributes);
  const body = () => ({ attributes: attributes(), filters: props.config.filters, templateId: props.config.templateId });

  function toggle(name: string, on: boolean) {
    const next = new Set(picked());
    if (on) next.add(name);
    else next.delete(name);
    setPicked(next);
    setImpact(null);
  }


  const review = () => act(async () => void setImpact(await connectionsApi.configImpact(props.connection.id, props.config.object, body())));
  const save = () => act(async () => props.onSaved(await connectionsApi.saveConfig(props.connection.id, props.config.object, body())));

  return (
    <div class="config-editor" data-testid={`config-editor-${props.config.object}`}>
      <h4>Attributes imported from {props.config.object}</h4>
      <p class="small muted">
        {plural(picked().size, 'attribute')} chosen. Changes reach every audience filled from this table: review them before saving.
      </p>
      <Show when={fields.error}>
        <ErrorNotice error={fields.error} />
      </Show>
      <input type="search" class="config-search" placeholder="Find an attribute" aria-label="Find an attribute" value={search()} onInput={(e) => setSearch(e.currentTarget.value)} />
      <ul class="config-attributes" aria-label={`Attributes of ${props.config.object}`}>
        <For each={options()}>
          {(f) => (
            <li>
              <label>
                <input
                  type="checkbox"
                  aria-label={f.name === f.label ? f.label : `${f.label} (${f.name})`}
                  checked={picked().has(f.name)}
                  onChange={(e) => toggle(f.name, e.currentTarget.checked)}
                />{' '}
                {f.label}
                <span class="muted small"> {f.name !== f.label ? f.name : ''}</span>
              </label>
            </li>
          )}
        </For>
      </ul>

      <Show when={impact()}>
        {(i) => (
          <div class="notice warn impact" role="status" data-testid="impact-preview">
            <div class="notice-body">
              <strong>Before you save</strong>
              <For each={i().summary}>{(line) => <p>{line}</p>}</For>
              <Show when={i().audiences.length > 0}>
                <ul class="impact-audiences">
                  <For each={i().audiences}>
                    {(a) => (
                      <li>
                        {a.name}: {formatCount(a.memberCount)} members
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
              <Show when={i().syncs.length > 0}>
                <p class="small">Syncs of this table: {i().syncs.map((s) => `${s.name}${s.scheduled ? ` (${s.cycle.replaceAll('_', ' ')})` : s.paused ? ' (paused)' : ' (manual)'}`).join(', ')}. They keep their own mapping.</p>
              </Show>
            </div>
          </div>
        )}
      </Show>
      <Show when={error()}>
        <ErrorNotice error={error()} />
      </Show>
      <div class="actions">
        <Show
          when={impact()}
          fallback={
            <button type="button" class="primary" disabled={busy() || !changed() || picked().size === 0} onClick={() => void review()}>
              Review change
            </button>
          }
        >
          <button type="button" class="primary" disabled={busy()} onClick={() => void save()}>
            Save change
          </button>
        </Show>
        <button type="button" disabled={busy()} onClick={() => props.onClose()}>
          Cancel
        </button>
      </div>
    </div>
  );
}
