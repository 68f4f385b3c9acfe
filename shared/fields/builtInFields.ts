import type { Field } from '../schema/fields.ts';

/** Platform data headers every workspace has. Custom fields are added per workspace next to these. */
export const BUILT_IN_FIELDS: readonly Field[] = [
  { key: 'email', label: 'Email', type: 'email', builtIn: true },
  { key: 'professional_email', label: 'Professional email', type: 'email', builtIn: true },
  { key: 'mobile', label: 'Mobile phone', type: 'phone', builtIn: true },
  { key: 'phone', label: 'Phone', type: 'phone', builtIn: true },
  { key: 'first_name', label: 'First name', type: 'first_name', builtIn: true },
  { key: 'last_name', label: 'Last name', type: 'last_name', builtIn: true },
  { key: 'company', label: 'Company', type: 'text', builtIn: true },
  { key: 'job_title', label: 'Job title', type: 'text', builtIn: true },
  { key: 'country', label: 'Country', type: 'country', builtIn: true },
  { key: 'city', label: 'City', type: 'text', builtIn: true },
  { key: 'street_address', label: 'Street address', type: 'text', builtIn: true },
  { key: 'postal_code', label: 'Postal code', type: 'text', builtIn: true },
  { key: 'website', label: 'Website', type: 'url', builtIn: true },
  { key: 'domain', label: 'Domain', type: 'text', builtIn: true },
  { key: 'industry', label: 'Industry', type: 'text', builtIn: true },
  { key: 'description', label: 'Description', type: 'text', builtIn: true },
  { key: 'year_founded', label: 'Year founded', type: 'number', builtIn: true },
  { key: 'birth_date', label: 'Birth date', type: 'date', builtIn: true },
  { key: 'customer_id', label: 'Customer ID', type: 'text', builtIn: true },
];

/** Derives a field key from a label: "Loyalty Tier (2024)" → "loyalty_tier_2024". */
export function fieldKeyFromLabel(label: string): string {
  const base = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60);
  return /^[a-z]/.test(base) ? base : `f_${base || 'field'}`;
}
