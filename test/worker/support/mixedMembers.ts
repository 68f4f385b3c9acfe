import type { Column } from './api.ts';

/*
 * One small file's members, for the tests of both stored forms (packedReaders, memberRepack): a plain identifier
 * (Email), two sensitive fields, and values that test the packed form's edges — a value equal to the identifier, a
 * blank, non-ASCII text, quotes and newlines, and "HQ\n\nParis", which holds another field's packed entry for Paris
 * when City's number is 10 (see packedReaders).
 */
export const MIXED_COLUMNS: Column[] = [
  { column: 'Email', target: 'email' },
  { column: 'Phone', target: 'mobile', sensitive: true },
  { column: 'Name', target: 'first_name', sensitive: true },
  { column: 'City', target: 'city' },
  { column: 'Notes', target: 'description' },
];

/** The same with the identifier (Email) sensitive too. */
export const MIXED_COLUMNS_SENSITIVE_ID: Column[] = MIXED_COLUMNS.map((c) => (c.target === 'email' ? { ...c, sensitive: true } : c));

export const MIXED_ROWS = [
  ['a@x.io', '+14155552671', 'Ada', 'Paris', 'a@x.io'],
  ['b@x.io', '+14155550000', 'Bob', 'Paris', ''],
  ['c@x.io', '', 'Cy', 'Oslo', 'HQ\n\nParis'],
  ['d@x.io', '+14155550001', '', 'Paris', 'Met at "Expo"\nfollow up — ✓'],
  ['e@x.io', '', '', 'Zürich', ''],
];
