import { describe, expect, it } from 'vitest';
import { applyTemplate } from './applyTemplate.ts';

const fields = new Set(['email', 'mobile', 'first_name']);
const known = (k: string) => fields.has(k);
const template = {
  columns: [
    { column: 'Correo', target: 'email', sensitive: false },
    { column: 'Móvil', target: 'mobile', sensitive: true },
    { column: 'Notas', target: null, sensitive: false },
    { column: 'Tier', target: 'loyalty_tier', sensitive: false },
  ],
  identifier: 'Correo',
};

describe('applyTemplate', () => {
  it('matches headers regardless of case, spacing and order', () => {
    const columns = [
      { header: 'MÓVIL ', target: null, sensitive: false },
      { header: 'correo', target: null, sensitive: false },
      { header: 'Notas', target: 'first_name', sensitive: false },
    ];
    const out = applyTemplate(columns, template, known);
    expect(out.columns).toEqual([
      { header: 'MÓVIL ', target: 'mobile', sensitive: true },
      { header: 'correo', target: 'email', sensitive: false },
      { header: 'Notas', target: null, sensitive: false },
    ]);
    expect(out.identifier).toBe('correo');
  });

  it('drops targets that are no longer fields, and keeps untouched columns as they were', () => {
    const columns = [
      { header: 'Tier', target: null, sensitive: false, suggested: false },
      { header: 'Nombre', target: 'first_name', sensitive: false, suggested: true },
    ];
    const out = applyTemplate(columns, template, known);
    expect(out.columns).toEqual([
      { header: 'Tier', target: null, sensitive: false, suggested: false },
      { header: 'Nombre', target: 'first_name', sensitive: false, suggested: true },
    ]);
    expect(out.identifier).toBeNull();
  });
});
