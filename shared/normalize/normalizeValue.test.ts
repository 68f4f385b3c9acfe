import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashInput, isNormalAsciiText, normalizationNote, normalizeEmail, normalizePhone, normalizeText, normalizeValue } from './normalizeValue.ts';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('emails', () => {
  it.each([
    [' Test@Example.COM ', 'test@example.com'],
    ['mailto:Ann@Example.org', 'ann@example.org'],
    ['user+tag@sub.example.co.uk', 'user+tag@sub.example.co.uk'],
    ["o'brien@example.ie", "o'brien@example.ie"],
    ['x@a-b.example.museum', 'x@a-b.example.museum'],
  ])('%j → %j', (raw, expected) => {
    expect(normalizeValue('email', raw, 'US')).toEqual({ ok: true, value: expected });
  });

  it.each([
    'plainaddress', 'a@b', 'a@@example.com', 'a..b@example.com', '.a@example.com', 'a.@example.com', 'a b@example.com',
    'a@-example.com', 'a@example..com', 'a@example.c', 'a@example.com.', 'Bob <bob@example.com>', '"a"@example.com',
    `${'x'.repeat(65)}@example.com`, `a@${'x'.repeat(250)}.com`,
  ])('rejects %j', (raw) => {
    const result = normalizeValue('email', raw, 'US');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.code).toBe('invalid_email');
  });

  it('says what is wrong', () => {
    expect(normalizeEmail('   ')).toEqual({ ok: false, code: 'invalid_email', reason: 'email is empty' });
    expect(normalizeEmail('ann.example.com')).toEqual({ ok: false, code: 'invalid_email', reason: 'email has no @' });
    expect(normalizeEmail(' bob@ ')).toEqual({ ok: false, code: 'invalid_email', reason: '"bob@" is not a valid email address' });
  });
});

describe('phones to E.164', () => {
  it.each([
    ['(415) 555-2671', 'US', '+14155552671'],
    ['415.555.2671', 'US', '+14155552671'],
    ['4155552671', 'US', '+14155552671'],
    ['+1 415 555 2671', 'FR', '+14155552671'],
    ['001 415 555 2671', 'FR', '+14155552671'],
    ['06 12 34 56 78', 'FR', '+33612345678'],
    ['+33 (0)6 12 34 56 78', 'FR', '+33612345678'],
    ['0033 6 12 34 56 78', 'US', '+33612345678'],
    ['0151 23456789', 'DE', '+4915123456789'],
    ['+49 151 23456789', 'US', '+4915123456789'],
    ['030 123456', 'DE', '+4930123456'],
    ['07911 123456', 'GB', '+447911123456'],
    ['+44 20 7946 0958', 'US', '+442079460958'],
    ['tel:+14155552671', 'US', '+14155552671'],
  ])('%j in %s → %s', (raw, country, expected) => {
    expect(normalizePhone(raw, country)).toEqual({ ok: true, value: expected });
  });

  it('reads a national number in the default country only', () => {
    expect(normalizePhone('06 12 34 56 78', 'US').ok).toBe(false);
    expect(normalizePhone('(415) 555-2671', 'FR').ok).toBe(false);
  });

  it.each(['abc', '123', '555-2671', '00', '+1-800-FLOWERS', '+999 123 456 789', '   '])('rejects %j', (raw) => {
    const result = normalizeValue('phone', raw, 'US');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.code).toBe('invalid_phone');
  });

  it('names the default country in the reason', () => {
    expect(normalizePhone(' 12ab ', 'FR')).toEqual({
      ok: false,
      code: 'invalid_phone',
      reason: '"12ab" cannot be read as a phone number (default country FR)',
    });
  });
});

describe('names and text', () => {
  it('trims the ends only, keeping inner spaces, case and accents', () => {
    expect(normalizeValue('first_name', '  Jean   Pierre ', 'US')).toEqual({ ok: true, value: 'Jean   Pierre' });
    expect(normalizeValue('last_name', 'Müller\t', 'DE')).toEqual({ ok: true, value: 'Müller' });
    expect(normalizeValue('country', ' France ', 'US')).toEqual({ ok: true, value: 'France' });
  });

  it('keeps newlines, tabs and inner spaces of a text value, with line endings made \\n', () => {
    expect(normalizeValue('text', 'Line one\nLine two, with comma', 'US')).toEqual({ ok: true, value: 'Line one\nLine two, with comma' });
    expect(normalizeValue('text', ' a \r\n b\rc\t\td  e \n', 'US')).toEqual({ ok: true, value: 'a \n b\nc\t\td  e' });
  });

  it('reads every value in composed Unicode form (NFC), so café is one value however it was typed', () => {
    const combining = 'cafe\u0301';
    const precomposed = 'caf\u00e9';
    expect(combining).not.toBe(precomposed);
    expect(normalizeValue('text', combining, 'US')).toEqual({ ok: true, value: precomposed });
    expect(normalizeValue('email', `${combining}@example.com`, 'US')).toEqual(normalizeValue('email', `${precomposed}@example.com`, 'US'));
  });

  it('hashes names in the collapsed, lowercased form ad platforms expect', () => {
    expect(hashInput('first_name', 'Jean   Pierre')).toBe('jean pierre');
    expect(hashInput('text', 'A  b')).toBe('a  b');
  });

  it('describes what is done to typed values, and nothing for text', () => {
    expect(normalizationNote('email')).toMatch(/lowercased/);
    expect(normalizationNote('phone')).toMatch(/E\.164/);
    expect(normalizationNote('text')).toBeNull();
    expect(normalizationNote('first_name')).toBeNull();
  });
});

describe('the normal-ASCII shortcut for text types', () => {
  it('gives what the long way gives, on random strings of ASCII, whitespace, CR/LF, accents and combining marks', () => {
    const pieces = ['a', 'Z', '0', ' ', '  ', '\t', '\r', '\n', '\r\n', '~', '\u007f', '\u00a0', 'é', 'e\u0301', 'ß', '東', '😀', '"', '\\', '\u2028', '\u0000'];
    for (let n = 0; n < 5_000; n++) {
      let cell = '';
      const length = Math.floor(Math.random() * 8);
      for (let i = 0; i < length; i++) cell += pieces[Math.floor(Math.random() * pieces.length)];
      for (const type of ['text', 'first_name', 'last_name', 'country'] as const) {
        expect(normalizeValue(type, cell, 'US'), JSON.stringify(cell)).toEqual({ ok: true, value: normalizeText(cell.normalize('NFC')) });
      }
      if (isNormalAsciiText(cell)) expect(normalizeText(cell.normalize('NFC'))).toBe(cell);
    }
  });

  it('takes printable ASCII without spaces at the ends, nothing else', () => {
    expect(isNormalAsciiText('Wayne "WE" Enterprises')).toBe(true);
    for (const cell of ['', ' a', 'a ', 'a\tb', 'São Paulo', 'a\r\nb', 'x\u007f']) expect(isNormalAsciiText(cell), JSON.stringify(cell)).toBe(false);
  });
});

describe('numbers', () => {
  it.each([
    ['42', '42'],
    ['-12', '-12'],
    ['+12', '12'],
    ['3.14', '3.14'],
    ['0,5', '0.5'],
    ['1,234,567', '1234567'],
    ['1,234.56', '1234.56'],
    ['1.234,56', '1234.56'],
    ['1.234.567', '1234567'],
    ['1 234,5', '1234.5'],
    ['1\u00a0234', '1234'],
    ["1'234.50", '1234.50'],
  ])('%j → %j', (raw, expected) => {
    expect(normalizeValue('number', raw, 'US')).toEqual({ ok: true, value: expected });
  });

  it('reads a lone comma as the decimal separator', () => {
    expect(normalizeValue('number', '1,234', 'US')).toEqual({ ok: true, value: '1.234' });
  });

  it.each(['abc', '€12', '1e5', '12.', '1,23,4', '1.2.3', ''])('rejects %j', (raw) => {
    expect(normalizeValue('number', raw, 'US')).toMatchObject({ ok: false, code: 'invalid_value' });
  });
});

describe('dates to ISO 8601', () => {
  it.each([
    ['2024-02-29', 'US', '2024-02-29'],
    ['2024/1/5', 'US', '2024-01-05'],
    ['2024-01-15T10:00:00Z', 'US', '2024-01-15'],
    ['03/04/2024', 'US', '2024-03-04'],
    ['03/04/2024', 'FR', '2024-04-03'],
    ['15.01.2024', 'DE', '2024-01-15'],
    ['13/04/2024', 'US', '2024-04-13'],
    ['04/13/2024', 'FR', '2024-04-13'],
  ])('%j in %s → %s', (raw, country, expected) => {
    expect(normalizeValue('date', raw, country)).toEqual({ ok: true, value: expected });
  });

  it.each(['2023-02-29', '2024-13-01', '31/04/2024', 'Jan 5 2024', '5/1/24', 'soon'])('rejects %j', (raw) => {
    expect(normalizeValue('date', raw, 'FR')).toMatchObject({ ok: false, code: 'invalid_value' });
  });
});

describe('urls', () => {
  it.each([
    ['example.com', 'https://example.com/'],
    ['www.example.com', 'https://www.example.com/'],
    ['https://Example.com/Path?q=1', 'https://example.com/Path?q=1'],
    ['http://example.org', 'http://example.org/'],
  ])('%j → %j', (raw, expected) => {
    expect(normalizeValue('url', raw, 'US')).toEqual({ ok: true, value: expected });
  });

  it.each(['localhost', 'http://', 'ftp://example.com', 'javascript:alert(1)', 'not a url'])('rejects %j', (raw) => {
    expect(normalizeValue('url', raw, 'US')).toMatchObject({ ok: false, code: 'invalid_value' });
  });
});

describe('hashInput and SHA-256', () => {
  it('is the Customer Match form: lowercase, phones as E.164', () => {
    expect(hashInput('email', 'test@example.com')).toBe('test@example.com');
    expect(hashInput('first_name', 'Jean Pierre')).toBe('jean pierre');
    expect(hashInput('last_name', 'MÜLLER')).toBe('müller');
    expect(hashInput('phone', '+14155552671')).toBe('+14155552671');
  });

  // Literals computed outside the code under test (published value; `printf '%s' VALUE | sha256sum`).
  it.each([
    ['email', ' Test@Example.COM ', 'US', '973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b'],
    ['email', 'John.Doe@Gmail.com', 'US', '375320dd9ae7ed408002f3768e16cb5f28c861062fd50dff9a3bff62e9dce4ef'],
    ['phone', '(415) 555-2671', 'US', 'cb6880e416769253645cb9c6b8989154bf66a56a77fc14c81fb1019663cbb928'],
    ['phone', '06 12 34 56 78', 'FR', '42d573cfc315801d4cd8eddd5416b416a0bf298b9b9e12d6b07442c91db42bd8'],
    ['first_name', '  Jean   PIERRE ', 'US', '0f0c2e74f6aa79b2a6f9c1cb3c027f0344cf72ac4f61e48c206119aeb0a65a42'],
    ['last_name', 'Müller', 'DE', '2dbd218072117713f2d5996a726a9b216ed791ffd0783b6ba4ab6d61b8333192'],
  ] as const)('%s %j hashes to the known digest', (type, raw, country, digest) => {
    const normalized = normalizeValue(type, raw, country);
    if (!normalized.ok) throw new Error(normalized.reason);
    expect(sha256(hashInput(type, normalized.value))).toBe(digest);
  });
});
