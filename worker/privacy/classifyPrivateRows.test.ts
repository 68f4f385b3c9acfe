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
const along = (value: string) => ({ h: sha(value) });

describe('classifyRows in privacy mode', () => {
  it('keys a sealed identifier by its digest, exactly as the plain value would be keyed, and keeps the cells sealed', () => {
    const rows: PrivateBatchRow[] = [{ row: 1, values: [sealed('ada@example.com'), sealed('+14155550101'), ' Ada '] }];
    const out = classifyRows(rows, plan, keyOf, keyOfHash);
    const c = (v: string) => sealed(v).c;
    expect(out.accepted).toEqual([
      {
        index: 0,
        row: 1,
        key: keyOf('email', 'ada@example.com'),
        identifierShown: '••••••',
        attributes: { first_name: 'Ada' },
        sensitive: {},
        // Each value its own envelope (a batch sealed value by value, as tabs did before rows).
        sealedCells: {
          email: { h: sha('ada@example.com'), envelope: { fields: ['email'], c: c('ada@example.com'), index: 0 } },
          mobile: { h: sha('+14155550101'), envelope: { fields: ['mobile'], c: c('+14155550101'), index: 0 } },
        },
      },
    ]);
  });

  it('gathers a row sealed whole into one envelope naming its fields in column order, shared by their values', () => {
    const rows: PrivateBatchRow[] = [
      { row: 1, values: [sealed('ada@example.com'), along('+14155550101'), 'Ada'] },
      { row: 2, values: ['', sealed('+14155550102'), 'Bea'] },
    ];
    const { accepted, rejected } = classifyRows(rows, plan, keyOf, keyOfHash);
    // Row 2's identifier is blank: rejected as for plain rows.
    expect(rejected).toBe(1);
    const ada = accepted[0]?.sealedCells ?? {};
    expect(ada.email?.envelope).toEqual({ fields: ['email', 'mobile'], c: sealed('ada@example.com').c, index: 0 });
    expect(ada.mobile?.envelope).toBe(ada.email?.envelope);
    expect([ada.email?.h, ada.mobile?.h]).toEqual([sha('ada@example.com'), sha('+14155550101')]);
    // A `{ h }` with no envelope before it never reaches here (batchModeProblem refuses the batch); if it did, it is not guessed.
    expect(() => classifyRows([{ row: 9, values: [along('x@example.com'), '', ''] }], plan, keyOf, keyOfHash)).toThrow(/row 9/);
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
    const merged = resolved.inserts[0]?.sealedCells ?? {};
    expect([merged.email?.envelope.c, merged.mobile?.envelope.c]).toEqual([sealed('ada@example.com').c, sealed('+14155550109').c]);
    expect([merged.email?.envelope.index, merged.mobile?.envelope.index]).toEqual([1, 1]);
    expect(resolved.inserts[0]?.attributes).toEqual({ first_name: 'Ada' });
    // Rows sealed whole: the later row carries only the email, so mobile stays in the earlier row's envelope.
    const whole: PrivateBatchRow[] = [
      { row: 1, values: [sealed('ada@example.com'), along('+14155550101'), 'Ada'] },
      { row: 2, values: [sealed('ada@example.com'), '', ''] },
    ];
    const again = resolveMatches(classifyRows(whole, plan, keyOf, keyOfHash).accepted, new Map(), 'imp', 'update', 'Email').inserts[0]?.sealedCells ?? {};
    expect(again.email?.envelope).toMatchObject({ fields: ['email'], index: 1 });
    expect(again.mobile?.envelope).toMatchObject({ fields: ['email', 'mobile'], index: 0 });
  });
});
