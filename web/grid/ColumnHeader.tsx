import { createSignal, Show } from 'solid-js';
import type { Field, FieldType } from '../../shared/schema/fields.ts';
import type { ColumnProblems } from '../../shared/validation/cellProblems.ts';
import type { ColumnState } from './columnState.ts';
import { FieldPicker } from './FieldPicker.tsx';
import { FIELD_TYPE_LABELS } from './fieldTypeLabels.ts';
import { AlertIcon, CheckIcon, ChevronIcon, KeyIcon, LockIcon } from './icons.tsx';
import { PhoneCountry, type PhoneCountryChoice } from './PhoneCountry.tsx';

export interface ColumnHeaderProps {
  col: number;
  state: ColumnState;
  field: Field | null;
  fields: readonly Field[];
  isIdentifier: boolean;
  problems: ColumnProblems | null;
  /** Share of the column checked (0–1) while its check runs, else null. */
  checking: number | null;
  usedBy: (key: string) => string | null;
  onPick: (target: string | null) => void;
  onConfirm: () => void;
  onCreate: (label: string, type: FieldType) => Promise<void>;
  onToggleIdentifier: () => void;
  onToggleSensitive: () => void;
  onShowProblems: () => void;
  /** For a phone column: the country its numbers without a calling code are read in, changeable here. */
  phoneCountry?: PhoneCountryChoice | undefined;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/**
 * Badge texts: specific ("12 invalid emails · 3 empty"), shortened when a duplicates badge must fit beside them
 * ("12 invalid", "15 errors"), as they are beside a phone column's country; the title spells everything out with its
 * consequence.
 */
function problemBadges(problems: ColumnProblems, type: FieldType | null, compact: boolean) {
  const c = problems.counts;
  const invalid = c.invalid_email + c.invalid_phone + c.invalid_value + c.value_not_allowed;
  const noun = type === 'email' ? 'email' : type === 'phone' ? 'phone number' : 'value';
  const duplicates = c.duplicate_identifier;
  const kinds = [invalid > 0 ? plural(invalid, `invalid ${noun}`) : null, c.empty_identifier > 0 ? `${c.empty_identifier.toLocaleString('en-US')} empty` : null].filter((k): k is string => k !== null);
  const errors =
    duplicates === 0 && !compact ? kinds.join(' · ') : kinds.length === 1 ? (kinds[0] as string).replace(/ (emails?|phone numbers?|values?)$/, '') : kinds.length > 1 ? plural(problems.errorCount, 'error') : '';
  const warnings = duplicates > 0 ? plural(duplicates, 'duplicate') : '';
  const title = [
    kinds.length > 0 ? `${kinds.join(', ')}${c.empty_identifier > 0 ? ` identifier${c.empty_identifier === 1 ? '' : 's'}` : ''}: ${problems.errorCount === 1 ? 'this row' : 'these rows'} will be rejected.` : '',
    duplicates > 0 ? `${plural(duplicates, 'duplicate identifier')}: merged into the first row with the same identifier.` : '',
    'Click to show only the rows with problems.',
  ]
    .filter(Boolean)
    .join(' ');
  return { errors, warnings, title };
}

/** One column's controls: name, identifier and sensitive toggles, "Map to", and what is wrong in its cells. */
export function ColumnHeader(props: ColumnHeaderProps) {
  const [picking, setPicking] = createSignal(false);
  let mapButton: HTMLButtonElement | undefined;
  const badges = () => (props.problems ? problemBadges(props.problems, props.field?.type ?? null, props.phoneCountry !== undefined) : null);
  const skipped = () => props.state.target === null;
  const targetLabel = () => props.field?.label ?? props.state.target ?? '';

  return (
    <div
      class="mg-th-inner"
      classList={{ 'mg-th-skipped': skipped() && !props.isIdentifier, 'mg-th-identifier': props.isIdentifier, 'mg-th-sensitive': props.state.sensitive }}
      data-testid={`col-header-${props.col}`}
    >
      <div class="mg-th-top">
        <span class="mg-th-name" title={props.state.header}>
          {props.state.header}
        </span>
        <button
          type="button"
          class="mg-toggle mg-toggle-identifier"
          aria-pressed={props.isIdentifier}
          aria-label={`Identifier: match contacts on “${props.state.header}”`}
          data-tip={props.isIdentifier ? 'Identifier: click to unset' : 'Use as identifier'}
          data-testid={`identifier-${props.col}`}
          onClick={() => props.onToggleIdentifier()}
        >
          <KeyIcon />
          <Show when={props.isIdentifier}>
            <span class="mg-toggle-label">ID</span>
          </Show>
        </button>
        <button
          type="button"
          class="mg-toggle mg-toggle-sensitive"
          aria-pressed={props.state.sensitive}
          aria-label={`Sensitive: store “${props.state.header}” only hashed and encrypted`}
          data-tip={props.state.sensitive ? 'Sensitive: click to unset' : 'Mark as sensitive'}
          data-testid={`sensitive-${props.col}`}
          onClick={() => props.onToggleSensitive()}
        >
          <LockIcon />
          <Show when={props.state.sensitive}>
            <span class="mg-toggle-label">Sensitive</span>
          </Show>
        </button>
      </div>

      <div class="mg-th-map">
        <button
          ref={mapButton}
          type="button"
          class="mg-map"
          classList={{
            'mg-map-suggested': props.state.suggested && !skipped(),
            'mg-map-skip': skipped(),
            'mg-map-needed': skipped() && props.isIdentifier,
            'mg-map-open': picking(),
          }}
          aria-haspopup="dialog"
          aria-expanded={picking()}
          aria-label={`Map “${props.state.header}” to a field: ${skipped() ? "don't import" : targetLabel()}${props.state.suggested ? ' (suggested)' : ''}`}
          title={props.state.suggested && !skipped() ? (props.state.reason ?? 'Suggested from the column name and values') : undefined}
          data-testid={`map-to-${props.col}`}
          onClick={() => setPicking((p) => !p)}
        >
          <span class="mg-map-text">
            <Show when={!skipped()} fallback={"Don't import"}>
              <Show when={props.state.suggested} fallback={targetLabel()}>
                <span class="mg-map-prefix">Suggested:</span> {targetLabel()}
              </Show>
            </Show>
          </span>
          <Show when={props.field && !props.state.suggested}>
            <span class="mg-map-type">{FIELD_TYPE_LABELS[(props.field as Field).type]}</span>
          </Show>
          <ChevronIcon />
        </button>
        <Show when={props.state.suggested && !skipped()}>
          <button
            type="button"
            class="mg-confirm"
            data-tip="Accept suggestion"
            aria-label={`Accept the suggestion: import “${props.state.header}” as ${targetLabel()}`}
            data-testid={`confirm-${props.col}`}
            onClick={() => props.onConfirm()}
          >
            <CheckIcon />
          </button>
        </Show>
      </div>

      <div class="mg-th-status" aria-live="polite">
        <Show
          when={!(skipped() && props.isIdentifier) && badges()}
          fallback={
            <Show
              when={!(skipped() && props.isIdentifier) && props.checking !== null}
              fallback={
                <Show when={skipped() && props.isIdentifier} fallback={<span class="mg-status-muted">{skipped() ? 'Not imported' : ''}</span>}>
                  <span class="mg-status-warning" data-testid={`identifier-warning-${props.col}`}>
                    <AlertIcon /> Map it to use it as identifier
                  </span>
                </Show>
              }
            >
              <span class="mg-status-muted" data-testid={`checking-${props.col}`}>
                Checking…{(props.checking ?? 0) > 0 ? ` ${Math.floor((props.checking ?? 0) * 100)}%` : ''}
              </span>
            </Show>
          }
        >
          {(b) => (
            <Show
              when={b().errors || b().warnings}
              fallback={
                <span class="mg-status-ok">
                  <CheckIcon /> All valid
                </span>
              }
            >
              <button
                type="button"
                class="mg-badges"
                title={b().title}
                data-testid={`problems-${props.col}`}
                onClick={() => props.onShowProblems()}
              >
                <Show when={b().errors}>
                  <span class="mg-badge mg-badge-error">
                    <AlertIcon /> {b().errors}
                  </span>
                </Show>
                <Show when={b().warnings}>
                  <span class="mg-badge mg-badge-warning">{b().warnings}</span>
                </Show>
              </button>
            </Show>
          )}
        </Show>
        <Show when={props.phoneCountry}>
          {(choice) => <PhoneCountry col={props.col} header={props.state.header} choice={choice()} />}
        </Show>
      </div>

      <Show when={picking() && mapButton}>
        <FieldPicker
          anchor={mapButton as HTMLButtonElement}
          column={props.col}
          columnHeader={props.state.header}
          fields={props.fields}
          current={props.state.target}
          usedBy={props.usedBy}
          onPick={(target) => props.onPick(target)}
          onCreate={(label, type) => props.onCreate(label, type)}
          onClose={() => setPicking(false)}
        />
      </Show>
    </div>
  );
}
