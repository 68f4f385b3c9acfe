import { describe, expect, it } from 'vitest';
import { BUILT_IN_FIELDS } from '../fields/builtInFields.ts';
import { defaultAttributePicks, defaultAttributes } from './defaultAttributes.ts';

const fields = (...names: string[]) => names.map((name) => ({ name }));

describe('defaultAttributePicks (Dynamics 365)', () => {
  it('maps an account to the company fields, with the industry choice and a custom founding-year column', () => {
    const picks = defaultAttributePicks(
      'dynamics',
      { role: 'company' },
      fields('accountid', 'name', 'websiteurl', 'address1_line1', 'address1_city', 'address1_country', 'description', 'industrycode', 'new_yearfounded', 'revenue'),
    );
    expect(picks).toEqual([
      { target: 'company', source: 'name' },
      { target: 'website', source: 'websiteurl' },
      { target: 'domain', source: 'websiteurl', derive: 'domain' },
      { target: 'street_address', source: 'address1_line1' },
      { target: 'city', source: 'address1_city' },
      { target: 'country', source: 'address1_country' },
      { target: 'description', source: 'description' },
      { target: 'year_founded', source: 'new_yearfounded' },
      { target: 'industry', source: 'industrycode' },
    ]);
    expect(defaultAttributes(picks)).toEqual(['name', 'websiteurl', 'address1_line1', 'address1_city', 'address1_country', 'description', 'new_yearfounded', 'industrycode']);
  });

  it('finds the founding year under any publisher prefix, and nothing when the org has none', () => {
    expect(defaultAttributePicks('dynamics', { role: 'company' }, fields('name', 'cr123_year_established'))).toContainEqual({ target: 'year_founded', source: 'cr123_year_established' });
    expect(defaultAttributePicks('dynamics', { role: 'company' }, fields('name', 'cr123_fiscalyear')).map((p) => p.target)).not.toContain('year_founded');
  });

  it('maps contacts and leads alike, falling back to the business phone without a mobile column', () => {
    const contact = defaultAttributePicks('dynamics', { role: 'lead' }, fields('firstname', 'lastname', 'emailaddress1', 'mobilephone', 'telephone1', 'jobtitle', 'address1_country', 'address2_country'));
    expect(contact).toEqual([
      { target: 'first_name', source: 'firstname' },
      { target: 'last_name', source: 'lastname' },
      { target: 'professional_email', source: 'emailaddress1' },
      { target: 'mobile', source: 'mobilephone' },
      { target: 'job_title', source: 'jobtitle' },
      { target: 'country', source: 'address1_country' },
    ]);
    expect(defaultAttributePicks('dynamics', { role: 'lead' }, fields('lastname', 'telephone1'))).toContainEqual({ target: 'mobile', source: 'telephone1' });
    expect(defaultAttributePicks('dynamics', { role: 'custom' }, fields('name', 'emailaddress1'))).toEqual([]);
  });

  it('targets only built-in platform fields', () => {
    const keys = new Set(BUILT_IN_FIELDS.map((f) => f.key));
    for (const role of ['lead', 'company'] as const) {
      const picks = defaultAttributePicks('dynamics', { role }, fields('name', 'websiteurl', 'address1_line1', 'address1_city', 'address1_country', 'description', 'industrycode', 'new_yearfounded', 'firstname', 'lastname', 'emailaddress1', 'mobilephone', 'jobtitle'));
      expect(picks.every((p) => keys.has(p.target))).toBe(true);
    }
  });
});
