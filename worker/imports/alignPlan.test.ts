import { describe, expect, it } from 'vitest';
import { alignPlan } from './alignPlan.ts';
import type { ImportPlan } from './importPlan.ts';

const plan = (identifierIndex: number, sensitive: Record<string, boolean> = {}): ImportPlan => ({
  headerCount: 3,
  columns: [
    { column: 'Mail', target: 'email', type: 'email', sensitive: sensitive.email ?? false },
    { column: 'Tel', target: 'phone', type: 'phone', sensitive: sensitive.phone ?? false },
    { column: 'No', target: 'customer_id', type: 'text', sensitive: false },
  ],
  identifierIndex,
  onMatch: 'update',
  defaultCountry: 'US',
});
const label = (field: string) => ({ email: 'Email', phone: 'Phone', customer_id: 'Customer ID' })[field] ?? field;

describe('alignPlan', () => {
  it('lets the first import fix the identifier and the sensitive fields', () => {
    const out = alignPlan(plan(0, { phone: true }), null, label);
    expect(out).toMatchObject({ ok: true, shape: { identifierField: 'email', sensitiveFields: ['phone'] }, newlySensitive: [], notices: [] });
  });

  it('makes a field sensitive in the audience sensitive in a later import, and says so', () => {
    const out = alignPlan(plan(0), { identifierField: 'email', sensitiveFields: ['email'] }, label);
    if (!out.ok) throw new Error('expected ok');
    expect(out.plan.columns[0]?.sensitive).toBe(true);
    expect(out.newlySensitive).toEqual([]);
    expect(out.notices).toEqual(['Email is sensitive in this audience, so the column "Mail" is stored hashed and encrypted too.']);
  });

  it('makes a field sensitive for the audience when a later import marks it, to be sealed in place', () => {
    const out = alignPlan(plan(0, { phone: true }), { identifierField: 'email', sensitiveFields: [] }, label);
    if (!out.ok) throw new Error('expected ok');
    expect(out.newlySensitive).toEqual(['phone']);
    expect(out.shape.sensitiveFields).toEqual(['phone']);
    expect(out.notices[0]).toMatch(/^Phone is now sensitive in this audience/);
  });

  it('uses the audience identifier when the import maps it, and refuses when it does not', () => {
    const out = alignPlan(plan(2), { identifierField: 'email', sensitiveFields: [] }, label);
    if (!out.ok) throw new Error('expected ok');
    expect(out.plan.identifierIndex).toBe(0);
    expect(out.notices).toEqual(['This audience identifies its members by Email, so the column "Mail" is the identifier of this import (not "No").']);
    const refused = alignPlan(plan(0), { identifierField: 'mobile', sensitiveFields: [] }, label);
    expect(refused).toEqual({ ok: false, issues: [{ path: ['mapping', 'identifier'], message: expect.stringMatching(/identifies its members by mobile/) }] });
  });
});
