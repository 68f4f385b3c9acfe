import { createMemo, createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { Portal } from 'solid-js/web';
import { type Field, FieldType } from '../../shared/schema/fields.ts';
import { allowedValuesText } from '../../shared/validation/importRules.ts';
import { fieldOptions, type FieldOption } from './fieldOptions.ts';
import { FIELD_TYPE_LABELS } from './fieldTypeLabels.ts';
import { CheckIcon, PlusIcon } from './icons.tsx';

export interface FieldPickerProps {
  anchor: HTMLElement;
  column: number;
  columnHeader: string;
  fields: readonly Field[];
  current: string | null;
  usedBy: (key: string) => string | null;
  onPick: (target: string | null) => void;
  onCreate: (label: string, type: FieldType) => Promise<void>;
  onClose: () => void;
}

const POPOVER_WIDTH = 300;

/**
 * The "Map to" list of one column: type to filter, arrows + Enter to pick, Escape to close. Rendered in a portal
 * with fixed position so the grid's scroller never clips it.
 */
export function FieldPicker(props: FieldPickerProps) {
  const [query, setQuery] = createSignal('');
  const [active, setActive] = createSignal(0);
  const [newType, setNewType] = createSignal<FieldType>('text');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const options = createMemo(() => fieldOptions(props.fields, query(), props.usedBy));
  let popover: HTMLDivElement | undefined;
  let input: HTMLInputElement | undefined;
  let list: HTMLUListElement | undefined;

  // Bumped on scroll/resize so the fixed popover follows its column (see onMount).
  const [layoutTick, setLayoutTick] = createSignal(0);
  const place = () => {
    layoutTick();
    const rect = props.anchor.getBoundingClientRect();
    const below = window.innerHeight - rect.bottom - 12;
    const above = rect.top - 12;
    const up = below < 220 && above > below;
    const left = Math.max(8, Math.min(rect.left, window.innerWidth - POPOVER_WIDTH - 8));
    return up
      ? { left: `${left}px`, bottom: `${window.innerHeight - rect.top + 4}px`, 'max-height': `${Math.min(420, above)}px` }
      : { left: `${left}px`, top: `${rect.bottom + 4}px`, 'max-height': `${Math.min(420, Math.max(160, below))}px` };
  };

  const close = (refocus: boolean) => {
    props.onClose();
    if (refocus) props.anchor.focus();
  };
  const choose = async (option: FieldOption | undefined) => {
    if (!option || busy()) return;
    if (option.kind === 'skip') props.onPick(null);
    else if (option.kind === 'field') props.onPick(option.field.key);
    else {
      setBusy(true);
      setError(null);
      try {
        await props.onCreate(option.label, newType());
      } catch (e) {
        setError(e instanceof Error ? e.message : 'The field could not be created.');
        setBusy(false);
        return;
      }
      setBusy(false);
    }
    close(true);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const count = options().length;
    switch (event.key) {
      case 'ArrowDown':
        setActive((a) => (a + 1) % Math.max(1, count));
        break;
      case 'ArrowUp':
        setActive((a) => (a - 1 + count) % Math.max(1, count));
        break;
      case 'Enter':
        void choose(options()[active()]);
        break;
      case 'Escape':
        close(true);
        break;
      case 'Tab':
        close(false);
        return;
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
    list?.querySelector(`[data-option="${active()}"]`)?.scrollIntoView({ block: 'nearest' });
  };

  onMount(() => {
    input?.focus();
    const current = options().findIndex((o) => (o.kind === 'field' ? o.field.key === props.current : o.kind === 'skip' && props.current === null));
    if (current >= 0) setActive(current);
    const outside = (event: Event) => {
      const target = event.target as Node;
      if (!popover?.contains(target) && !props.anchor.contains(target)) close(false);
    };
    // The popover is fixed, so it follows its column when the page or the grid scrolls — including the scroll the
    // browser itself makes to bring a half-visible header into view when it is clicked — and closes only once the
    // column has left the view.
    const moved = (event: Event) => {
      if (popover?.contains(event.target as Node)) return;
      const rect = props.anchor.getBoundingClientRect();
      if (rect.right < 0 || rect.left > window.innerWidth || rect.bottom < 0 || rect.top > window.innerHeight) close(false);
      else setLayoutTick((n) => n + 1);
    };
    document.addEventListener('pointerdown', outside, true);
    window.addEventListener('scroll', moved, true);
    window.addEventListener('resize', moved);
    onCleanup(() => {
      document.removeEventListener('pointerdown', outside, true);
      window.removeEventListener('scroll', moved, true);
      window.removeEventListener('resize', moved);
    });
  });

  const optionId = (i: number) => `mg-picker-${props.column}-option-${i}`;

  return (
    <Portal>
      <div ref={popover} class="mg-popover" style={{ ...place(), width: `${POPOVER_WIDTH}px` }} data-testid={`field-picker-${props.column}`} role="dialog" aria-label={`Map “${props.columnHeader}” to a field`}>
        <div class="mg-popover-title">
          Map <strong>“{props.columnHeader}”</strong> to
        </div>
        <input
          ref={input}
          class="mg-popover-search"
          type="text"
          placeholder="Search fields or name a new one"
          value={query()}
          role="combobox"
          aria-expanded="true"
          aria-controls={`mg-picker-${props.column}-list`}
          aria-activedescendant={optionId(active())}
          aria-autocomplete="list"
          data-testid={`field-search-${props.column}`}
          onInput={(e) => {
            setQuery(e.currentTarget.value);
            setActive(0);
            setError(null);
          }}
          onKeyDown={onKeyDown}
        />
        <ul ref={list} class="mg-options" role="listbox" id={`mg-picker-${props.column}-list`}>
          <For each={options()}>
            {(option, i) => (
              <li
                id={optionId(i())}
                role="option"
                data-option={i()}
                aria-selected={active() === i()}
                classList={{
                  'mg-option': true,
                  'mg-option-active': active() === i(),
                  'mg-option-skip': option.kind === 'skip',
                  'mg-option-create': option.kind === 'create',
                }}
                onPointerMove={() => setActive(i())}
                onClick={(e) => {
                  if ((e.target as HTMLElement).closest('select')) return;
                  void choose(option);
                }}
                data-testid={option.kind === 'field' ? `field-option-${option.field.key}` : option.kind === 'skip' ? 'field-option-skip' : 'field-option-create'}
              >
                <Show when={option.kind === 'skip'}>
                  <span class="mg-option-label">Don't import</span>
                  <span class="mg-option-hint">skip this column</span>
                </Show>
                <Show when={option.kind === 'field' ? option : null}>
                  {(o) => (
                    <>
                      <Show when={o().field.allowedValues} fallback={<span class="mg-option-label">{o().field.label}</span>}>
                        {(values) => (
                          <span class="mg-option-text">
                            <span class="mg-option-label">{o().field.label}</span>
                            <span class="mg-option-allowed" title={`Allowed values: ${values().map((v) => v.label).join(', ')}`} data-testid={`field-allowed-${o().field.key}`}>
                              Allowed: {allowedValuesText(values(), 6)}
                            </span>
                          </span>
                        )}
                      </Show>
                      <span class="mg-option-hint">
                        {o().usedBy && o().field.key !== props.current ? `mapped from “${o().usedBy}”` : FIELD_TYPE_LABELS[o().field.type]}
                      </span>
                      <Show when={o().field.key === props.current}>
                        <span class="mg-option-check">
                          <CheckIcon />
                        </span>
                      </Show>
                    </>
                  )}
                </Show>
                <Show when={option.kind === 'create' ? option : null}>
                  {(o) => (
                    <>
                      <span class="mg-option-label">
                        <PlusIcon /> {busy() ? 'Creating…' : `Create field “${o().label}”`}
                      </span>
                      <select
                        class="mg-option-type"
                        aria-label="Type of the new field"
                        data-testid="create-field-type"
                        value={newType()}
                        onChange={(e) => setNewType(e.currentTarget.value as FieldType)}
                        onKeyDown={onKeyDown}
                      >
                        <For each={FieldType.options}>{(t) => <option value={t}>{FIELD_TYPE_LABELS[t]}</option>}</For>
                      </select>
                    </>
                  )}
                </Show>
              </li>
            )}
          </For>
        </ul>
        <Show when={error()}>
          <p class="mg-popover-error" role="alert">
            {error()}
          </p>
        </Show>
      </div>
    </Portal>
  );
}
