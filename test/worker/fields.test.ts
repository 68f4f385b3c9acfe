import { describe, expect, it } from 'vitest';
import { BUILT_IN_FIELDS } from '../../shared/fields/builtInFields.ts';
import type { Field } from '../../shared/schema/fields.ts';
import { call, ok } from './support/api.ts';

describe('/api/fields', () => {
  it('lists the built-in fields, then custom fields once created', async () => {
    const before = await ok<Field[]>('GET', '/api/fields');
    expect(before.slice(0, BUILT_IN_FIELDS.length)).toEqual(BUILT_IN_FIELDS);

    const created = await call<Field>('POST', '/api/fields', { label: 'Loyalty Tier (2024)' });
    expect(created).toEqual({ status: 201, body: { key: 'loyalty_tier_2024', label: 'Loyalty Tier (2024)', type: 'text', builtIn: false } });

    const after = await ok<Field[]>('GET', '/api/fields');
    expect(after.find((f) => f.key === 'loyalty_tier_2024')).toEqual(created.body);
  });

  it('takes an explicit key and type', async () => {
    const created = await call<Field>('POST', '/api/fields', { label: 'Signup date', key: 'signup_on', type: 'date' });
    expect(created.body).toEqual({ key: 'signup_on', label: 'Signup date', type: 'date', builtIn: false });
  });

  it('refuses a key that exists, built-in or custom', async () => {
    const builtIn = await call<{ error: { code: string } }>('POST', '/api/fields', { label: 'Email' });
    expect(builtIn.status).toBe(409);
    expect(builtIn.body.error.code).toBe('conflict');
    await ok('POST', '/api/fields', { label: 'Shoe size', type: 'number' });
    const again = await call<{ error: { code: string; message: string } }>('POST', '/api/fields', { label: 'Shoe Size' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('shoe_size');
  });

  it('says which field of the body is wrong', async () => {
    const res = await call<{ error: { code: string; details: { path: unknown[]; message: string }[] } }>('POST', '/api/fields', {
      label: 'Tier',
      type: 'colour',
      key: '9lives',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d) => d.path)).toEqual(expect.arrayContaining([['type'], ['key']]));
  });
});
