import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PrivateBatchRow } from '../../shared/schema/imports.ts';
import { classifyRows } from '../imports/classifyRows.ts';
import type { ImportPlan } from '../imports/importPlan.ts';
import { resolveMatches } from '../imports/resolveMatches.ts';

const plan: ImportPlan = {
  headerCount: 3,
  columns: [
    { column: 'Email', target: 'email', type: 'email', sensitive: true },
    { column: 'Phone', target: 'mobile', type: 'phone', sensitive: true },
    { column: 'Name', target: 'first_name', type: 'first_name', sensitive: false },
  ],
  identifierIndex: 0,
  onMatch: 'update',
  defaultCountry: 'US',
  privacy: true,
};

// Stand-ins computed independently of the Worker's hasher: HMAC over the SHA-256 hex, from the value or the digest.
const KEY = Buffer.alloc(32, 3);
const hmac = (hex: string) => createHmac('sha256', KEY).update(hex).digest('hex');
const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const keyOf = (_type: string, normalized: string) => hmac(sha(normalized));
const keyOfHash = (h: string) => hmac(h);

const sealed = (value: string) => ({ h: sha(value), c: `envelope-of-${value.replace(/[^a-z]/g, '')}`.padEnd(40, 'x') });

describe('classifyRows in privacy mode', () => {
  it('keys a sealed identifier by its digest, exactly as the plain value would be keyed, and keeps the cells sealed', () => {
    const rows: PrivateBatchRow[] = [{ row: 1, values: [sealed('ada@example.com'), sealed('+14155550101'), ' Ada '] }];
    const out = classifyRows(rows, plan, keyOf, keyOfHash);
    expect(out.accepted).toEqual([
      {
        index: 0,
        row: 1,
        key: keyOf('email', 'ada@example.com'),
        identifierShown: '••••••',
        attributes: { first_name: 'Ada' },
        sensitive: {},
        sealedCells: { email: sealed('ada@example.com'), mobile: sealed('+14155550101') },
      },
    ]);
  });

  it("rejects a row with a refused cell, with the tab's code and message and its hint as the value", () => {
    const refused = { problem: 'invalid_phone' as const, message: 'Not a valid phone number (3 digits).', hint: '3 digits' };
    const out = classifyRows([{ row: 4, line: 5, values: [sealed('bob@example.com'), refused, 'Bob'] }], plan, keyOf, keyOfHash);
    expect(out).toMatchObject({ accepted: [], rejected: 1 });
    expect(out.errors).toEqual([{ index: 0, error: { row: 4, line: 5, column: 'Phone', code: 'invalid_phone', message: refused.message, value: '3 digits' } }]);
    const noHint = classifyRows([{ row: 1, values: [{ ...refused, problem: 'invalid_email', hint: null }, '', ''] }], plan, keyOf, keyOfHash);
    expect(noHint.errors[0]?.error.value).toBe('••••••');
  });

  it('skips a blank row and rejects a blank identifier, as for plain rows', () => {
    const out = classifyRows([{ row: 1, values: ['', ' ', ''] }, { row: 2, values: ['', sealed('+14155550102'), 'Cy'] }], plan, keyOf, keyOfHash);
    expect(out).toMatchObject({ accepted: [], skipped: 1, rejected: 1 });
    expect(out.errors[0]?.error).toMatchObject({ row: 2, code: 'empty_identifier' });
  });

  it('merges the sealed cells of repeated identifiers, later ones winning', () => {
    const rows: PrivateBatchRow[] = [
      { row: 1, values: [sealed('ada@example.com'), sealed('+14155550101'), 'Ada'] },
      { row: 2, values: [sealed('ada@example.com'), sealed('+14155550109'), ''] },
    ];
    const { accepted } = classifyRows(rows, plan, keyOf, keyOfHash);
    const resolved = resolveMatches(accepted, new Map(), 'imp', 'update', 'Email');
    expect(resolved.counts).toMatchObject({ inserted: 1, duplicates: 1 });
    expect(resolved.inserts[0]?.sealedCells).toEqual({ email: sealed('ada@example.com'), mobile: sealed('+14155550109') });
    expect(resolved.inserts[0]?.attributes).toEqual({ first_name: 'Ada' });
  });
});
