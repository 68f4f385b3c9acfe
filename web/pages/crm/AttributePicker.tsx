import { createMemo, createSignal, For } from 'solid-js';
import type { DefaultPick } from '../../../shared/crm/defaultAttributes.ts';
import type { CrmField } from '../../../shared/schema/crm.ts';
import type { Field } from '../../../shared/schema/fields.ts';
import { addAttributes, availableFields, removeAttributes, selectedFields } from './attributeSelection.ts';

const chosenIn = (select: HTMLSelectElement) => Array.from(select.selectedOptions, (o) => o.value);

/**
 * Available ⇄ Selected: two multi-select lists (Ctrl/Shift-click, or double-click one field), each with its own
 * search, `>` and `<` to move the chosen fields, and Reset back to the table's defaults. A selected field that
 * has a default mapping says which platform field it will be suggested for.
 */
export function AttributePicker(props: {
  fields: readonly CrmField[];
  selected: readonly string[];
  onChange: (next: string[]) => void;
  picks: readonly DefaultPick[];
  platformFields: readonly Field[];
  defaults: readonly string[];
  disabled: boolean;
}) {
  const [leftQuery, setLeftQuery] = createSignal('');
  const [rightQuery, setRightQuery] = createSignal('');
  const [leftChosen, setLeftChosen] = createSignal<string[]>([]);
  const [rightChosen, setRightChosen] = createSignal<string[]>([]);
  const available = createMemo(() => availableFields(props.fields, props.selected, leftQuery()));
  const chosen = createMemo(() => selectedFields(props.fields, props.selected, rightQuery()));
  const labelOf = (key: string) => props.platformFields.find((f) => f.key === key)?.label ?? key;
  const mappedTo = (name: string) =>
    props.picks
      .filter((p) => p.source === name)
      .map((p) => labelOf(p.target))
      .join(', ');
  const isDefault = () => props.defaults.length === props.selected.length && props.defaults.every((d, i) => props.selected[i] === d);

  const add = (names = leftChosen()) => {
    if (names.length === 0) return;
    props.onChange(addAttributes(props.selected, names));
    setLeftChosen([]);
  };
  const remove = (names = rightChosen()) => {
    if (names.length === 0) return;
    props.onChange(removeAttributes(props.selected, names));
    setRightChosen([]);
  };

  return (
    <div class="dual-list" data-testid="attribute-picker">
      <div class="dual-pane">
        <div class="dual-pane-head">
          <label for="attr-available">Available</label>
          <span class="muted small num">{available().length}</span>
        </div>
        <input type="search" placeholder="Search fields" aria-label="Search available attributes" value={leftQuery()} onInput={(e) => setLeftQuery(e.currentTarget.value)} />
        <select
          id="attr-available"
          multiple
          size={12}
          disabled={props.disabled}
          aria-label="Available attributes"
          onChange={(e) => setLeftChosen(chosenIn(e.currentTarget))}
          onDblClick={(e) => {
            const option = (e.target as HTMLElement).closest('option');
            if (option) add([option.value]);
          }}
        >
          <For
            each={available()}
            fallback={<option class="placeholder" disabled>{leftQuery().trim() ? `No field matches “${leftQuery().trim()}”` : 'Every field is selected'}</option>}
          >
            {(f) => (
              <option value={f.name} selected={leftChosen().includes(f.name)} title={f.name}>
                {f.label}
              </option>
            )}
          </For>
        </select>
      </div>

      <div class="dual-buttons">
        <button type="button" aria-label="Add to selected" title="Add the chosen fields" disabled={props.disabled || leftChosen().length === 0} onClick={() => add()}>
          &gt;
        </button>
        <button type="button" aria-label="Remove from selected" title="Remove the chosen fields" disabled={props.disabled || rightChosen().length === 0} onClick={() => remove()}>
          &lt;
        </button>
      </div>

      <div class="dual-pane">
        <div class="dual-pane-head">
          <label for="attr-selected">Selected</label>
          <span class="muted small num" data-testid="selected-count">
            {props.selected.length}
          </span>
          <button type="button" class="link small" disabled={props.disabled || isDefault()} onClick={() => props.onChange([...props.defaults])}>
            Reset to defaults
          </button>
        </div>
        <input type="search" placeholder="Search fields" aria-label="Search selected attributes" value={rightQuery()} onInput={(e) => setRightQuery(e.currentTarget.value)} />
        <select
          id="attr-selected"
          multiple
          size={12}
          disabled={props.disabled}
          aria-label="Selected attributes"
          onChange={(e) => setRightChosen(chosenIn(e.currentTarget))}
          onDblClick={(e) => {
            const option = (e.target as HTMLElement).closest('option');
            if (option) remove([option.value]);
          }}
        >
          <For each={chosen()} fallback={<option class="placeholder" disabled>{rightQuery().trim() ? `No selected field matches “${rightQuery().trim()}”` : 'Nothing selected yet'}</option>}>
            {(f) => (
              <option value={f.name} selected={rightChosen().includes(f.name)} title={f.name}>
                {mappedTo(f.name) ? `${f.label}  →  ${mappedTo(f.name)}` : f.label}
              </option>
            )}
          </For>
        </select>
      </div>
    </div>
  );
}
