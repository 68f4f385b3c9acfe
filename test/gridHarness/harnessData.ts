import { BUILT_IN_FIELDS } from '../../shared/fields/builtInFields.ts';
import type { Field } from '../../shared/schema/fields.ts';
import { packRows } from '../../web/rows/rowChunk.ts';
import { RowStore } from '../../web/rows/rowStore.ts';

// Synthetic sources for the grid's browser tests and for trying the grid by hand (test/gridHarness/index.html,
// served by Vite in tests only, never part of the SPA build).

const FIRST = ['Anna', 'José', 'Zoë', 'Liam', 'Chloé', 'Mohammed', 'Sofia', 'Lukas', 'Emma', 'Noah'];
const LAST = ['Müller', 'García', 'Smith', "O'Brien", 'Dubois', 'Rossi', 'Nguyen', 'Kowalski', 'Silva'];
const CITY = ['Paris', 'Berlin', 'New York', 'Madrid', 'São Paulo', 'Tokyo', 'Lyon'];
const NAMED = ['Email', 'Mobile', 'First name', 'Last name', 'Company', 'City', 'Country', 'Customer ID'];

function headersFor(columns: number): string[] {
  return Array.from({ length: columns }, (_, c) => NAMED[c] ?? `Attribute ${c + 1}`);
}

function cell(row: number, col: number, seed: number): string {
  switch (col) {
    case 0:
      return `${(FIRST[row % FIRST.length] as string).toLowerCase()}.${seed}@example.com`.normalize('NFKD').replace(/[^\x20-\x7e]/g, '');
    case 1:
      return `+1415555${String(1000 + (seed % 9000)).padStart(4, '0')}`;
    case 2:
      return FIRST[row % FIRST.length] as string;
    case 3:
      return LAST[(row * 7) % LAST.length] as string;
    case 4:
      return `Company ${(seed % 97) + 1}`;
    case 5:
      return CITY[row % CITY.length] as string;
    case 6:
      return ['FR', 'DE', 'US', 'ES'][row % 4] as string;
    case 7:
      return `C${String(seed).padStart(8, '0')}`;
    default:
      return `v${col}-${seed % 1000}`;
  }
}

/**
 * `rows` × `columns` rows costing two chunks of memory: the first 1,000 rows are their own chunk (with planted
 * problems in the first columns), every later block of 1,000 rows is one shared chunk appended again and again.
 * A real RowStore either way, so the grid is tested on the code path files take.
 */
export function syntheticStore(rows: number, columns: number): RowStore {
  const headers = headersFor(columns);
  const block = 1000;
  const first = Array.from({ length: Math.min(block, rows) }, (_, r) => Array.from({ length: columns }, (_, c) => cell(r, c, r + 1)));
  // Planted problems, in rows people will look at first.
  const plant = (row: number, col: number, value: string) => {
    const target = first[row];
    if (target && col < columns) target[col] = value;
  };
  plant(2, 0, 'not-an-email');
  plant(5, 0, 'jane@@example');
  plant(8, 0, '');
  plant(11, 1, '12');
  const store = new RowStore(headers);
  store.append(packRows(first));
  const shared = packRows(Array.from({ length: block }, (_, r) => Array.from({ length: columns }, (_, c) => cell(r, c, block + r + 1))));
  for (let at = block; at < rows; at += block) {
    store.append(at + block <= rows ? shared : packRows(Array.from({ length: rows - at }, (_, r) => Array.from({ length: columns }, (_, c) => cell(r, c, at + r + 1)))));
  }
  store.finish();
  return store;
}

/**
 * A small contact list with every kind of problem at known rows (1-based, as the grid shows them):
 * invalid emails at 3 and 9, an empty email at 6, row 12 repeats row 1's email, row 15 has an extra field,
 * row 18 is missing its last two, and the phone at row 4 is too short.
 */
export function contactsStore(): RowStore {
  const headers = ['E-mail', 'Phone', 'First name', 'Last name', 'City', 'Notes'];
  const rows = Array.from({ length: 40 }, (_, r) => [
    `person${r + 1}@example.com`,
    `+33 6 12 34 ${String(10 + r).padStart(2, '0')} 00`,
    FIRST[r % FIRST.length] as string,
    LAST[r % LAST.length] as string,
    CITY[r % CITY.length] as string,
    r % 5 === 0 ? 'VIP, met at "Expo"' : '',
  ]);
  const set = (row: number, col: number, value: string) => {
    (rows[row - 1] as string[])[col] = value;
  };
  set(3, 0, 'person3(at)example.com');
  set(9, 0, 'nine@example');
  set(6, 0, '');
  set(12, 0, 'Person1@Example.com ');
  set(4, 1, '12');
  rows[14] = [...(rows[14] as string[]), 'stray field'];
  rows[17] = (rows[17] as string[]).slice(0, 4);
  const store = new RowStore(headers);
  store.append(packRows(rows));
  store.finish();
  return store;
}

export const HARNESS_FIELDS: Field[] = [
  ...BUILT_IN_FIELDS,
  { key: 'loyalty_tier', label: 'Loyalty tier', type: 'text', builtIn: false },
  // A field a sync limits to a CRM pick list's values (codes as Dataverse numbers its options).
  {
    key: 'office_city',
    label: 'Office city',
    type: 'text',
    builtIn: false,
    allowedValues: [
      { label: 'Paris', code: '100000000' },
      { label: 'Berlin', code: '100000001' },
      { label: 'Lyon', code: '100000002' },
    ],
  },
];
