import { For } from 'solid-js';
import { ChevronIcon } from './icons.tsx';

/**
 * The country a phone column's numbers without a calling code are read in, beside its badge: the reason those
 * numbers pass or fail is visible where they are flagged, and changing it re-checks the column at once.
 */
export interface PhoneCountryChoice {
  country: string;
  countries: readonly { code: string; name: string }[];
  /** Why this country, when the file's numbers chose it ("38 of 40 numbers … are valid in Germany"). */
  reason: string | null;
  onChange: (code: string) => void;
}

export function PhoneCountry(props: { col: number; header: string; choice: PhoneCountryChoice }) {
  const name = () => props.choice.countries.find((c) => c.code === props.choice.country)?.name ?? props.choice.country;
  const tip = () =>
    `Numbers without a country code are read as ${name()} numbers${props.choice.reason ? ` (chosen from the file: ${props.choice.reason})` : ''}. Change it to check them again.`;
  return (
    <label class="mg-phone-country" title={tip()} data-testid={`phone-country-${props.col}`}>
      {/* The chip shows the code; the select laid over it opens the list of names. */}
      <span class="mg-phone-country-chip" aria-hidden="true">
        {props.choice.country}
        <ChevronIcon />
      </span>
      <select
        value={props.choice.country}
        aria-label={`Country for numbers in “${props.header}” without a country code: ${name()}`}
        onChange={(e) => props.choice.onChange(e.currentTarget.value)}
      >
        <For each={props.choice.countries}>
          {(c) => (
            <option value={c.code}>
              {c.code} · {c.name}
            </option>
          )}
        </For>
      </select>
    </label>
  );
}
