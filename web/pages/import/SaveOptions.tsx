import { For, Show } from 'solid-js';
import type { Audience } from '../../../shared/schema/audiences.ts';
import type { OnMatch } from '../../../shared/schema/mapping.ts';
import { plural } from '../formatting.ts';
import { countryOptions } from './countries.ts';

export interface AudienceChoice {
  mode: 'new' | 'existing';
  name: string;
  id: string;
}

const COUNTRIES = countryOptions();

/** Where the rows go and what happens on a match: the decisions below the grid, before consent and Save. */
export function SaveOptions(props: {
  audiences: readonly Audience[] | undefined;
  audience: AudienceChoice;
  onAudience: (choice: AudienceChoice) => void;
  onMatch: OnMatch;
  onOnMatch: (value: OnMatch) => void;
  defaultCountry: string;
  onDefaultCountry: (code: string) => void;
  /** Set when the file's own phone numbers chose the country: said beside the select, so it never changes silently. */
  countryFromData?: string | null;
  disabled: boolean;
}) {
  const hasExisting = () => (props.audiences?.length ?? 0) > 0;
  return (
    <div class="save-options">
      <fieldset class="audience-choice" disabled={props.disabled}>
        <legend>Target audience</legend>
        <div class="choice-row">
          <label>
            <input
              type="radio"
              name="audience-mode"
              checked={props.audience.mode === 'new'}
              onChange={() => props.onAudience({ ...props.audience, mode: 'new' })}
            />
            New audience
          </label>
          <input
            type="text"
            aria-label="New audience name"
            placeholder="Name of the new audience"
            value={props.audience.name}
            maxLength={200}
            onFocus={() => props.audience.mode !== 'new' && props.onAudience({ ...props.audience, mode: 'new' })}
            onInput={(e) => props.onAudience({ ...props.audience, mode: 'new', name: e.currentTarget.value })}
          />
        </div>
        <div class="choice-row">
          <label>
            <input
              type="radio"
              name="audience-mode"
              checked={props.audience.mode === 'existing'}
              disabled={!hasExisting()}
              onChange={() => props.onAudience({ ...props.audience, mode: 'existing', id: props.audience.id || props.audiences?.[0]?.id || '' })}
            />
            Existing audience
          </label>
          <select
            aria-label="Existing audience"
            disabled={!hasExisting()}
            value={props.audience.id}
            onChange={(e) => props.onAudience({ ...props.audience, mode: 'existing', id: e.currentTarget.value })}
          >
            <Show when={hasExisting()} fallback={<option value="">No audiences yet</option>}>
              <option value="" disabled>
                Choose an audience…
              </option>
              <For each={props.audiences}>
                {(a) => (
                  <option value={a.id}>
                    {a.name} ({plural(a.memberCount, 'member')})
                  </option>
                )}
              </For>
            </Show>
          </select>
        </div>
      </fieldset>

      <fieldset disabled={props.disabled}>
        <legend>When a contact already exists in the audience</legend>
        <label class="choice">
          <input type="radio" name="on-match" checked={props.onMatch === 'update'} onChange={() => props.onOnMatch('update')} />
          <span>
            <strong>Update the existing member</strong>
            <br />
            <span class="muted small">Values from this file replace the stored ones.</span>
          </span>
        </label>
        <label class="choice">
          <input type="radio" name="on-match" checked={props.onMatch === 'reject'} onChange={() => props.onOnMatch('reject')} />
          <span>
            <strong>Reject the new row</strong>
            <br />
            <span class="muted small">The member stays as it is; the row is listed in the report.</span>
          </span>
        </label>
      </fieldset>

      <div class="field">
        <label for="default-country">Default country for phone numbers</label>
        <select id="default-country" disabled={props.disabled} value={props.defaultCountry} onChange={(e) => props.onDefaultCountry(e.currentTarget.value)}>
          <For each={COUNTRIES}>{(c) => <option value={c.code}>{c.name}</option>}</For>
        </select>
        <Show when={props.countryFromData}>
          {(said) => (
            <span class="hint" data-testid="country-from-data">
              {said()}
            </span>
          )}
        </Show>
        <span class="hint">Used for numbers written without an international prefix such as +44.</span>
      </div>
    </div>
  );
}
