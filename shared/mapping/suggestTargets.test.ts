import { describe, expect, it } from 'vitest';
import { BUILT_IN_FIELDS } from '../fields/builtInFields.ts';
import type { Field } from '../schema/fields.ts';
import { headerWords, isCrmIdType, isIdField, suggestIdentifier, suggestTargets } from './suggestTargets.ts';

const fields: Field[] = [...BUILT_IN_FIELDS];

/** The target suggested for a lone header without sample values. */
const targetOf = (header: string, fieldList: readonly Field[] = fields) => suggestTargets([header], [], fieldList)[0]?.target ?? null;

describe('suggestTargets: header names', () => {
  it.each([
    'Email', 'E-mail Address', 'e_mail', 'Mail', 'Correo', 'Correo electrónico', 'Courriel', 'Adresse e-mail', 'E-Mail-Adresse',
    'Posta elettronica', 'EMAIL', 'eMail', 'Contact email', 'Emails',
  ])('%j → email', (header) => {
    expect(targetOf(header)).toBe('email');
  });

  it.each([
    'Mobile', 'Mobile Phone', 'Cell', 'Cellphone', 'Cell phone', 'Handy', 'Handynummer', 'Móvil', 'Celular', 'Portable',
    'Téléphone portable', 'Cellulare', 'GSM', 'MobilePhone', 'Mobile number', 'Tel mobile',
  ])('%j → mobile', (header) => {
    expect(targetOf(header)).toBe('mobile');
  });

  it.each(['Phone', 'Telephone', 'Téléphone', 'Teléfono', 'Telefon', 'Tel', 'Tél.', 'Phone number', 'Home phone', 'Business Phone'])('%j → phone', (header) => {
    expect(targetOf(header)).toBe('phone');
  });

  it.each([
    ['Given name', 'first_name'], ['First Name', 'first_name'], ['FirstName', 'first_name'], ['first_name', 'first_name'],
    ['Prénom', 'first_name'], ['Vorname', 'first_name'], ['Nombre', 'first_name'],
    ['Surname', 'last_name'], ['Family name', 'last_name'], ['Nom', 'last_name'], ['Nachname', 'last_name'], ['Apellidos', 'last_name'],
    ['Organization', 'company'], ['Organisation', 'company'], ['Firma', 'company'], ['Société', 'company'], ['Empresa', 'company'],
    ['Company name', 'company'], ["Nom de l'entreprise", 'company'],
    ['Title', 'job_title'], ['Position', 'job_title'], ['Job Title', 'job_title'],
    ['Zip', 'postal_code'], ['ZIP code', 'postal_code'], ['PLZ', 'postal_code'], ['Code postal', 'postal_code'],
    ['Land', 'country'], ['País', 'country'], ['Pays', 'country'], ['Mailing Country', 'country'],
    ['Ort', 'city'], ['Ville', 'city'], ['Ciudad', 'city'], ['Billing City', 'city'],
    ['Work email', 'professional_email'], ['Business E-mail Address', 'professional_email'], ['Work mail', 'professional_email'],
    ['Website', 'website'], ['URL', 'website'], ['Date of birth', 'birth_date'], ['Customer ID', 'customer_id'], ['Kundennummer', 'customer_id'],
    ['Street', 'street_address'], ['Year founded', 'year_founded'], ['Industry', 'industry'],
  ])('%j → %s', (header, target) => {
    expect(targetOf(header)).toBe(target);
  });

  it('forgives a typo, with medium confidence', () => {
    expect(suggestTargets(['Compnay', 'Frist name'], [], fields)).toEqual([
      { target: 'company', confidence: 'medium', reason: 'header looks like a misspelling of "Company"' },
      { target: 'first_name', confidence: 'medium', reason: 'header looks like a misspelling of "First name"' },
    ]);
  });

  it('does not guess from short or unrelated headers', () => {
    expect(suggestTargets(['Name', 'Column 7', '', 'Loyalty tier', 'Emailing'], [], fields)).toEqual([null, null, null, null, null]);
  });

  it('gives confidence and a reason the user can check', () => {
    expect(suggestTargets(['Correo', 'Title', 'Mailing City'], [], fields)).toEqual([
      { target: 'email', confidence: 'high', reason: '"Correo" is a common name for Email' },
      { target: 'job_title', confidence: 'medium', reason: '"Title" is a common name for Job title' },
      { target: 'city', confidence: 'medium', reason: 'header contains "City"' },
    ]);
  });

  it('matches custom fields by label, key or typo', () => {
    const custom: Field[] = [...fields, { key: 'loyalty_tier', label: 'Loyalty tier', type: 'text', builtIn: false }];
    expect(targetOf('Loyalty Tier', custom)).toBe('loyalty_tier');
    expect(targetOf('loyalty_tier', custom)).toBe('loyalty_tier');
    expect(targetOf('Loyalty teir', custom)).toBe('loyalty_tier');
  });

  it('only suggests fields the workspace has', () => {
    const few = fields.filter((f) => f.key !== 'mobile');
    expect(targetOf('Handy', few)).toBeNull();
  });
});

describe('suggestTargets: sample values', () => {
  const rows = [
    ['ann@example.com', '+33 6 12 34 56 78', 'Ann', 'yes', '1001'],
    ['bob@example.org', '06 98 76 54 32', 'Bob', 'no', '1002'],
    ['carl@example.net', '+44 7911 123456', 'Carl', 'yes', '1003'],
    ['dee@example.com', '+1 (415) 555-2671', 'Dee', 'no', '1004'],
    ['', '', 'Eve', 'yes', '1005'],
  ];

  it('recognises email and phone columns by their values whatever the header', () => {
    const s = suggestTargets(['Contact', 'Numéro', 'Who', 'Opt', 'Ref'], rows, fields, { defaultCountry: 'FR' });
    expect(s[0]).toEqual({ target: 'email', confidence: 'high', reason: '4 of 4 sample values are email addresses' });
    expect(s[1]).toEqual({ target: 'mobile', confidence: 'medium', reason: '4 of 4 sample values look like phone numbers' });
    expect(s.slice(2)).toEqual([null, null, null]);
  });

  it('lets values overrule a header that merely mentions a field', () => {
    const s = suggestTargets(['Email', 'Email opt-in'], rows.map((r) => [r[0] ?? '', r[3] ?? '']), fields);
    expect(s[0]).toMatchObject({ target: 'email', confidence: 'high' });
    expect(s[0]?.reason).toBe('header matches the field "Email"; 4 of 4 sample values are email addresses');
    expect(s[1]).toBeNull();
  });

  it('keeps a header that names the field outright, at medium confidence, when values disagree', () => {
    const s = suggestTargets(['Phone'], [['n/a'], ['ask'], ['none'], ['-']], fields);
    expect(s[0]).toEqual({ target: 'phone', confidence: 'medium', reason: 'header matches the field "Phone", but its sample values do not look like phone numbers' });
  });

  it('does not take numeric IDs or dates for phone numbers', () => {
    const ids = [['10023456'], ['10023457'], ['10023458']];
    const dates = [['2024-01-15'], ['15/01/2024'], ['2023-12-31']];
    expect(suggestTargets(['Ref'], ids, fields)[0]).toBeNull();
    expect(suggestTargets(['When'], dates, fields)[0]).toBeNull();
  });

  it('needs four in five values to be emails', () => {
    const mostly = [['a@example.com'], ['b@example.com'], ['c@example.com'], ['d@example.com'], ['nope']];
    const half = [['a@example.com'], ['nope'], ['b@example.com'], ['nah']];
    expect(suggestTargets(['X'], mostly, fields)[0]).toMatchObject({ target: 'email', confidence: 'medium' });
    expect(suggestTargets(['X'], half, fields)[0]).toBeNull();
  });
});

describe('suggestTargets: one column per field', () => {
  it('gives a field to the best-matching column only', () => {
    expect(suggestTargets(['Mail', 'Email', 'E-mail'], [], fields).map((s) => s?.target ?? null)).toEqual([null, 'email', null]);
  });

  it('moves the runner-up to its next best field', () => {
    const s = suggestTargets(['Phone', 'Mobile', 'Tel'], [], fields).map((x) => x?.target ?? null);
    expect(s).toEqual(['phone', 'mobile', null]);
    const byValues = suggestTargets(['Phone', 'Other'], [['+1 415 555 2671', '+1 415 555 2672'], ['+1 415 555 0100', '+1 415 555 0101']], fields);
    expect(byValues.map((x) => x?.target ?? null)).toEqual(['phone', 'mobile']);
  });

  it('prefers the longer matching phrase', () => {
    expect(suggestTargets(['Work email address', 'Email address'], [], fields).map((s) => s?.target ?? null)).toEqual(['professional_email', 'email']);
  });

  it('returns one entry per column', () => {
    expect(suggestTargets([], [], fields)).toEqual([]);
    expect(suggestTargets(['a', 'b', 'c'], [], []).length).toBe(3);
  });
});

describe('suggestTargets: id columns', () => {
  const salesforceIds = ['001Dn00000AbCdEIA3', '001Dn00000AbCdFIA3', '001Dn00000AbCdGIA3'].map((id) => [id]);

  it('never suggests a header naming an id ("Account ID") for a name field such as Company', () => {
    expect(targetOf('Account ID')).toBeNull();
    expect(targetOf('Account Name')).toBe('company');
    expect(targetOf('Company Id')).toBeNull();
  });

  it('suggests an id header for an id field', () => {
    expect(targetOf('Customer ID')).toBe('customer_id');
    const withMemberId: Field[] = [...fields, { key: 'member_id', label: 'Member ID', type: 'text', builtIn: false }];
    expect(targetOf('Member ID', withMemberId)).toBe('member_id');
  });

  it('keeps a CRM id-typed column away from every non-id field, whatever its header says', () => {
    const [suggestion] = suggestTargets(['Account'], salesforceIds, fields, { idColumns: [true] });
    expect(suggestion ?? null).toBeNull();
    expect(suggestTargets(['Account'], salesforceIds, fields, { idColumns: [false] })[0]?.target).toBe('company');
    expect(suggestTargets(['Customer Id'], salesforceIds, fields, { idColumns: [true] })[0]?.target).toBe('customer_id');
  });

  it('knows the CRM id types and the id fields', () => {
    expect(['id', 'reference', 'uniqueidentifier', 'Reference'].map(isCrmIdType)).toEqual([true, true, true, true]);
    expect(['lookup', 'string', 'email'].map(isCrmIdType)).toEqual([false, false, false]);
    expect(isIdField({ key: 'customer_id', label: 'Customer ID', type: 'text', builtIn: true })).toBe(true);
    expect(isIdField({ key: 'company', label: 'Company', type: 'text', builtIn: true })).toBe(false);
  });
});

describe('suggestIdentifier', () => {
  const s = (target: string | null) => (target ? { target, confidence: 'high' as const, reason: '' } : null);

  it('prefers email, then customer id, then mobile', () => {
    expect(suggestIdentifier(['a', 'b', 'c'], [s('mobile'), s('customer_id'), s('email')])).toBe(2);
    expect(suggestIdentifier(['a', 'b'], [s('mobile'), s('customer_id')])).toBe(1);
    expect(suggestIdentifier(['a', 'b'], [s('first_name'), s('mobile')])).toBe(1);
  });

  it('falls back to an identifier-like custom field', () => {
    expect(suggestIdentifier(['Name', 'Member ID'], [s('first_name'), s('member_id')])).toBe(1);
  });

  it('is null when nothing fits', () => {
    expect(suggestIdentifier(['Name', 'City'], [s('first_name'), s('city')])).toBeNull();
    expect(suggestIdentifier(['Member ID'], [null])).toBeNull();
  });

  it('works on what suggestTargets returns', () => {
    const headers = ['Nombre', 'Correo', 'Móvil'];
    expect(suggestIdentifier(headers, suggestTargets(headers, [], fields))).toBe(1);
  });
});

describe('headerWords', () => {
  it('splits camelCase, drops accents and punctuation', () => {
    expect(headerWords('E-Mail-Adresse').compact).toBe('emailadresse');
    expect(headerWords('mobilePhoneNumber').tokens).toEqual(['mobile', 'phone', 'number']);
    expect(headerWords('  Téléphone (portable) ').tokens).toEqual(['telephone', 'portable']);
  });
});
