import { createMemo, For, Index, Match, Show, Switch } from 'solid-js';
import type { CrmField, FilterOperator } from '../../../shared/schema/crm.ts';
import type { FilterDraft } from './crmImport.ts';
import { operatorsFor, valueInputFor } from './filterOperators.ts';

/** Optional conditions, all of which a record must meet: field, comparison, value; one row each. */
export function FilterRows(props: {
  fields: readonly CrmField[];
  filters: readonly FilterDraft[];
  /** Why a row (by key) cannot be sent, as the app itself finds it. */
  problems: ReadonlyMap<number, string>;
  crm: string;
  onChange: (next: FilterDraft[]) => void;
  onAdd: () => void;
  disabled: boolean;
}) {
  const filterable = createMemo(() => props.fields.filter((f) => f.filterable).sort((a, b) => a.label.localeCompare(b.label)));
  const fieldOf = (name: string) => props.fields.find((f) => f.name === name);
  const update = (key: number, patch: Partial<FilterDraft>) =>
    props.onChange(
      props.filters.map((f) => {
        if (f.key !== key) return f;
        const next = { ...f, ...patch };
        // A new field may not offer the old comparison (dates have no "contains"): fall back to its first one.
        const ops = operatorsFor(fieldOf(next.field)).map((o) => o.operator);
        if (!ops.includes(next.operator)) next.operator = ops[0] ?? 'equals';
        if (patch.field !== undefined && patch.field !== f.field) next.value = '';
        return next;
      }),
    );

  return (
    <div class="filter-rows">
      {/* By position, not by object: each edit replaces the filter object, and the row must keep its focus. */}
      <Index each={props.filters}>
        {(filter, i) => {
          const field = () => fieldOf(filter().field);
          const input = () => valueInputFor(field(), filter().operator);
          // A saved filter's field the table lost: shown by its name and flagged, never as an empty choice.
          const lost = () => {
            const f = field();
            if (filter().field === '' || f?.filterable) return null;
            return f ? `${f.label} (cannot be filtered in ${props.crm})` : `${filter().field} (no longer in ${props.crm})`;
          };
          const problem = () => props.problems.get(filter().key) ?? null;
          return (
            <>
            <div class={`filter-row${problem() ? ' has-problem' : ''}`} data-testid={`filter-${i}`}>
              <select
                aria-label={`Filter ${i + 1} field`}
                aria-invalid={lost() !== null}
                disabled={props.disabled}
                value={filter().field}
                onChange={(e) => update(filter().key, { field: e.currentTarget.value })}
              >
                <option value="" disabled>
                  Choose a field…
                </option>
                <Show when={lost()}>
                  {(label) => (
                    <option value={filter().field} disabled>
                      {label()}
                    </option>
                  )}
                </Show>
                <For each={filterable()}>{(f) => <option value={f.name}>{f.label}</option>}</For>
              </select>
              <select
                aria-label={`Filter ${i + 1} comparison`}
                disabled={props.disabled}
                value={filter().operator}
                onChange={(e) => update(filter().key, { operator: e.currentTarget.value as FilterOperator })}
              >
                <For each={operatorsFor(field())}>{(o) => <option value={o.operator}>{o.label}</option>}</For>
              </select>
              <Switch>
                <Match when={input().kind === 'none'}>
                  <span class="filter-value-none" />
                </Match>
                <Match when={(() => { const v = input(); return v.kind === 'choice' ? v.options : undefined; })()}>
                  {(options) => (
                    <select aria-label={`Filter ${i + 1} value`} disabled={props.disabled} value={filter().value} onChange={(e) => update(filter().key, { value: e.currentTarget.value })}>
                      <option value="" disabled>
                        Choose…
                      </option>
                      <For each={options()}>{(o) => <option value={o.value}>{o.label}</option>}</For>
                    </select>
                  )}
                </Match>
                <Match when={true}>
                  <input
                    type={input().kind === 'date' ? 'date' : 'text'}
                    aria-invalid={problem() !== null && lost() === null}
                    inputmode={input().kind === 'number' ? 'decimal' : undefined}
                    aria-label={`Filter ${i + 1} value`}
                    placeholder={input().kind === 'number' ? 'A number' : 'Value'}
                    disabled={props.disabled}
                    value={filter().value}
                    maxLength={1000}
                    onInput={(e) => update(filter().key, { value: e.currentTarget.value })}
                  />
                </Match>
              </Switch>
              <button
                type="button"
                class="icon-button"
                aria-label={`Remove filter ${i + 1}`}
                title="Remove this filter"
                disabled={props.disabled}
                onClick={() => props.onChange(props.filters.filter((f) => f.key !== filter().key))}
              >
                ×
              </button>
            </div>
            <Show when={problem()}>
              {(message) => (
                <p class="field-error filter-problem" data-testid={`filter-problem-${i}`}>
                  {message()}
                </p>
              )}
            </Show>
            </>
          );
        }}
      </Index>
      <Show when={props.filters.length < 20}>
        <div>
          <button type="button" disabled={props.disabled || filterable().length === 0} onClick={() => props.onAdd()}>
            + Add a filter
          </button>
        </div>
      </Show>
    </div>
  );
}
