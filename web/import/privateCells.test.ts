import { describe, expect, it } from 'vitest';
import type { Field } from '../../shared/schema/fields.ts';
import { MAX_CELL_LENGTH } from '../../shared/schema/imports.ts';
import { RefusedCell } from '../../shared/schema/privacy.ts';
import type { PrivateBatchRow } from '../../shared/schema/imports.ts';
import { judgeSensitiveCell, placeSealed, prepareSealing, sensitivePositions } from './privateCells.ts';

const fields: Field[] = [
  { key: 'email', label: 'Email', type: 'email', builtIn: true },
  { key: 'mobile', label: 'Mobile phone', type: 'phone', builtIn: true },
  { key: 'city', label: 'City', type: 'text', builtIn: true },
  { key: 'tier', label: 'Tier', type: 'text', builtIn: false, allowedValues: [{ label: 'Gold', code: '1' }, { label: 'Silver', code: '2' }] },
];

const mapping = {
  columns: [
    { column: 'Nombre', target: null, sensitive: false },
    { column: 'Correo', target: 'email', sensitive: true },
    { column: 'Ciudad', target: 'city', sensitive: false },
    { column: 'Móvil', target: 'mobile', sensitive: true },
  ],
};

describe('sensitivePositions', () => {
  it('gives the positions in the batch values (skipped columns are not sent) with each field type', () => {
    expect(sensitivePositions(mapping, fields)).toEqual([
      { index: 0, type: 'email' },
      { index: 2, type: 'phone' },
    ]);
  });

  it('carries a field’s allowed values, so a sensitive pick list is judged before the value is sealed', () => {
    const positions = sensitivePositions({ columns: [{ column: 'T', target: 'tier', sensitive: true }] }, fields);
    expect(positions[0]?.allowed).toEqual({ fieldLabel: 'Tier', values: fields[3]?.allowedValues });
  });

  it('seals the columns the Worker names, also one the mapping left plain (the audience made it sensitive)', () => {
    expect(sensitivePositions(mapping, fields, ['Ciudad', 'Móvil'])).toEqual([
      { index: 1, type: 'text' },
      { index: 2, type: 'phone' },
    ]);
  });

  it('refuses a field it does not know instead of guessing its type', () => {
    expect(() => sensitivePositions({ columns: [{ column: 'X', target: 'gone', sensitive: true }] }, fields)).toThrow(/gone/);
  });
});

describe('judgeSensitiveCell', () => {
  it('normalises a valid value by the shared rules', () => {
    expect(judgeSensitiveCell('  Ana@Example.COM ', { index: 0, type: 'email' }, 'ES')).toEqual({ kind: 'seal', type: 'email', normalized: 'ana@example.com' });
    expect(judgeSensitiveCell('600 000 001', { index: 0, type: 'phone' }, 'ES')).toEqual({ kind: 'seal', type: 'phone', normalized: '+34600000001' });
  });

  it('reads national phone numbers in the import’s default country', () => {
    const verdict = judgeSensitiveCell('(415) 555-0123', { index: 0, type: 'phone' }, 'US');
    expect(verdict).toEqual({ kind: 'seal', type: 'phone', normalized: '+14155550123' });
  });

  it('refuses an invalid value with a code, a message and a masked hint, none of which contain the value', () => {
    const verdict = judgeSensitiveCell('eva-at-example.com', { index: 0, type: 'email' }, 'ES');
    expect(verdict.kind).toBe('refused');
    if (verdict.kind !== 'refused') return;
    expect(RefusedCell.parse(verdict.cell)).toEqual({ problem: 'invalid_email', message: 'Not a valid email address (missing @).', hint: 'missing @' });
    expect(JSON.stringify(verdict.cell)).not.toContain('eva');
  });

  it('refuses a phone number with its digit count as the hint', () => {
    const verdict = judgeSensitiveCell('12345', { index: 0, type: 'phone' }, 'ES');
    expect(verdict).toEqual({ kind: 'refused', cell: { problem: 'invalid_phone', message: 'Not a valid phone number (5 digits).', hint: '5 digits' } });
  });

  it('refuses an over-long value without quoting it', () => {
    const verdict = judgeSensitiveCell('a'.repeat(MAX_CELL_LENGTH + 1), { index: 0, type: 'text' }, 'ES');
    expect(verdict.kind === 'refused' && verdict.cell.problem).toBe('invalid_value');
    expect(JSON.stringify(verdict).length).toBeLessThan(500);
  });

  it('refuses a value that is none of the allowed values, without quoting it', () => {
    const position = sensitivePositions({ columns: [{ column: 'T', target: 'tier', sensitive: true }] }, fields)[0]!;
    expect(judgeSensitiveCell('gold', position, 'ES')).toEqual({ kind: 'seal', type: 'text', normalized: 'Gold' });
    const verdict = judgeSensitiveCell('Bronze', position, 'ES');
    expect(verdict.kind === 'refused' && verdict.cell.problem).toBe('value_not_allowed');
    expect(JSON.stringify(verdict)).not.toContain('Bronze');
  });

  it('leaves a blank cell blank: it hides nothing and the Worker treats it as absent', () => {
    expect(judgeSensitiveCell('   ', { index: 0, type: 'email' }, 'ES')).toEqual({ kind: 'blank' });
  });
});

describe('prepareSealing and placeSealed', () => {
  const positions = sensitivePositions(mapping, fields);
  const batch = (): PrivateBatchRow[] => [
    { row: 1, values: ['ana@example.com', 'Madrid', '600000001'] },
    { row: 2, values: ['not-an-email', 'Sevilla', ''] },
    { row: 3, values: ['', '', ''] },
    { row: 4, values: ['luis@example.com', 'Bilbao'], fieldCount: 3 },
  ];

  it('lists every valid sensitive value once, row by row, and takes it out of the row', () => {
    const rows = batch();
    const work = prepareSealing(rows, positions, 'ES');
    // A row's values together (one envelope a row); rows with nothing to seal are left out.
    expect(work.rows).toEqual([
      [
        { type: 'email', normalized: 'ana@example.com' },
        { type: 'phone', normalized: '+34600000001' },
      ],
      [{ type: 'email', normalized: 'luis@example.com' }],
    ]);
    expect([...work.places]).toEqual([0, 0, 0, 2, 3, 0]);
    const sent = JSON.stringify(rows);
    for (const plain of ['ana@example.com', '600000001', 'not-an-email', 'luis@example.com']) expect(sent).not.toContain(plain);
    // Plain columns travel as they are.
    expect(rows[0]?.values[1]).toBe('Madrid');
    expect(rows[1]?.values[0]).toMatchObject({ problem: 'invalid_email', hint: 'missing @' });
    expect(rows[2]?.values).toEqual(['', '', '']);
    // A short (ragged) row keeps its length: the Worker rejects it for its field count.
    expect(rows[3]?.values).toHaveLength(2);
  });

  it('puts each sealed cell back where its value was taken from, the envelope on the row’s first', () => {
    const rows = batch();
    const work = prepareSealing(rows, positions, 'ES');
    const h = (i: number) => String(i).repeat(64);
    const sealed = [[{ h: h(0), c: `sealed0${'x'.repeat(40)}` }, { h: h(1) }], [{ h: h(2), c: `sealed2${'x'.repeat(40)}` }]];
    placeSealed(rows, work, sealed);
    expect(rows[0]?.values).toEqual([sealed[0]?.[0], 'Madrid', sealed[0]?.[1]]);
    expect(rows[3]?.values).toEqual([sealed[1]?.[0], 'Bilbao']);
  });

  it('takes a row’s values in column order whatever order the positions are given in, so each lands in its own field', () => {
    const rows = batch();
    const work = prepareSealing(rows, positions.slice().reverse(), 'ES');
    expect(work.rows[0]).toEqual([
      { type: 'email', normalized: 'ana@example.com' },
      { type: 'phone', normalized: '+34600000001' },
    ]);
    expect([...work.places].slice(0, 4)).toEqual([0, 0, 0, 2]);
  });

  it('refuses a sealing answer that does not match the values asked for', () => {
    const rows = batch();
    const work = prepareSealing(rows, positions, 'ES');
    expect(() => placeSealed(rows, work, [])).toThrow(/sealed 0 rows of 2/);
    expect(() => placeSealed(rows, work, [[{ h: '0'.repeat(64), c: 'x'.repeat(40) }], [{ h: '1'.repeat(64), c: 'x'.repeat(40) }]])).toThrow(/sealed 1 values of row 0's 2/);
  });
});
