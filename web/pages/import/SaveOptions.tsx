import { For, Match, Show, Switch } from 'solid-js';
import type { Audience } from '../../../shared/schema/audiences.ts';
import type { OnMatch } from '../../../shared/schema/mapping.ts';
import { type PrivacyChoice, privacyOn, privacyOrigin } from '../../import/privacyChoice.ts';
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
  privacy: PrivacyChoice;
  onPrivacy: (on: boolean) => void;
  /** Headers of the imported columns marked sensitive: what privacy mode seals. */
  sensitiveColumns: readonly string[];
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
                    {/* The mode first: a narrow select cuts the end of a long option, and the mode matters more. */}
                    {a.name} ({a.privacyMode ? 'private, ' : ''}{plural(a.memberCount, 'member')})
                  </option>
                )}
              </For>
            </Show>
          </select>
        </div>
      </fieldset>

      <PrivacyOptions privacy={props.privacy} onPrivacy={props.onPrivacy} sensitiveColumns={props.sensitiveColumns} disabled={props.disabled} />

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

const PRIVACY_PROMISE = 'Sensitive columns are hashed and encrypted in this browser; the plain values never leave your computer.';

/**
 * Privacy mode, where the target is chosen: a choice for a file into a new or empty audience, shown but fixed for
 * an audience that has members, and said plainly impossible for a CRM source.
 */
function PrivacyOptions(props: { privacy: PrivacyChoice; onPrivacy: (on: boolean) => void; sensitiveColumns: readonly string[]; disabled: boolean }) {
  const on = () => privacyOn(props.privacy);
  const fixed = () => (props.privacy.kind === 'fixed' ? props.privacy : null);
  const required = () => (props.privacy.kind === 'required' ? props.privacy : null);
  const crm = () => (props.privacy.kind === 'crm' ? props.privacy : null);
  const quoted = () => props.sensitiveColumns.map((h) => `“${h}”`).join(', ');
  return (
    <fieldset class="privacy-choice" disabled={props.disabled} data-testid="privacy-choice">
      <legend>Privacy mode</legend>
      <Switch
        fallback={
          <>
            <label class="choice">
              <input
                type="checkbox"
                checked={on()}
                disabled={props.disabled || fixed() !== null || required() !== null}
                aria-describedby="privacy-promise"
                onChange={(e) => props.onPrivacy(e.currentTarget.checked)}
              />
              <span>
                <strong>Privacy mode</strong> <span class={on() ? 'badge lock' : 'badge'}>{on() ? 'on' : 'off'}</span>
                <br />
                <span class="muted small" id="privacy-promise">
                  {PRIVACY_PROMISE}
                </span>
              </span>
            </label>
            <Show when={required()}>
              {(r) => (
                <p class="small" data-testid="privacy-required">
                  <span class="badge lock">required</span> Required in this workspace: new audiences made from a file are private (set by an
                  admin in Workspace settings).
                  <Show when={r().audienceName}>{(name) => <> “{name()}” is still empty: this import makes it a private audience.</>}</Show>
                </p>
              )}
            </Show>
            <Show when={privacyOrigin(props.privacy)}>
              {(said) => (
                <p class="muted small" data-testid="privacy-origin">
                  {said()}
                </p>
              )}
            </Show>
            <Show when={fixed()}>
              {(f) => (
                <p class="muted small" data-testid="privacy-fixed">
                  {f().on
                    ? `“${f().audienceName}” is a private audience: every import into it is hashed and encrypted in the browser.`
                    : `“${f().audienceName}” is not a private audience and already has members: its sensitive columns are hashed and encrypted by the server. Import into a new audience to use privacy mode.`}
                </p>
              )}
            </Show>
            <Show when={on()}>
              <p class="small" data-testid="privacy-columns">
                <Show
                  when={props.sensitiveColumns.length > 0}
                  fallback={<>No column is marked sensitive yet: mark the columns to protect (emails, phone numbers) with the lock in the grid.</>}
                >
                  Sealed in this browser: {quoted()}. An invalid value there is refused here and listed in the report, masked. The dry run is off:
                  it would send the plain values.
                </Show>
              </p>
            </Show>
          </>
        }
      >
        <Match when={props.privacy.kind === 'unavailable'}>
          <p class="muted small" data-testid="privacy-unavailable">
            {props.privacy.kind === 'unavailable' && props.privacy.required
              ? 'This import must be private, but the key to seal values in this browser could not be loaded. Reload the page to try again.'
              : 'Not available: this workspace has no key to seal values with in the browser. Sensitive columns are hashed and encrypted by the server.'}
          </p>
        </Match>
        <Match when={crm()}>
          {(c) => (
            <p class="small" data-testid="privacy-crm">
              <span class="badge">not available</span> A CRM import cannot be private: the server pulls the records from the CRM itself, so it
              sees their values. Sensitive columns are still stored only hashed and encrypted.
              <Show when={c().privateTarget}>
                {(name) => <strong> “{name()}” is a private audience, so a CRM import cannot go into it: choose another audience.</strong>}
              </Show>
            </p>
          )}
        </Match>
      </Switch>
    </fieldset>
  );
}
