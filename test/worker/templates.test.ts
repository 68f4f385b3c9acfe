import { describe, expect, it } from 'vitest';
import { headerSignature } from '../../shared/mapping/headerSignature.ts';
import type { MappingTemplate } from '../../shared/schema/mapping.ts';
import { call, ok } from './support/api.ts';

const mapping = (target: string) => ({
  columns: [
    { column: 'Correo', target: 'email', sensitive: false },
    { column: 'Nombre', target, sensitive: false },
  ],
  identifier: 'Correo',
  onMatch: 'update',
});

describe('/api/templates', () => {
  it('saves one template per header signature and finds it again', async () => {
    const signature = headerSignature(['Correo', 'Nombre']);
    expect(await ok<MappingTemplate[]>('GET', `/api/templates?signature=${encodeURIComponent(signature)}`)).toEqual([]);

    const saved = await ok<MappingTemplate>('PUT', '/api/templates', { name: 'Fair export', signature, mapping: mapping('first_name') });
    expect(saved).toMatchObject({ name: 'Fair export', signature, mapping: mapping('first_name') });

    const resaved = await ok<MappingTemplate>('PUT', '/api/templates', { name: 'Fair export v2', signature, mapping: mapping('last_name') });
    expect(resaved.id).toBe(saved.id);
    expect(resaved.mapping.columns[1]?.target).toBe('last_name');

    expect(await ok<MappingTemplate[]>('GET', `/api/templates?signature=${encodeURIComponent(signature)}`)).toEqual([resaved]);
    expect(await ok<MappingTemplate>('GET', `/api/templates/${saved.id}`)).toEqual(resaved);
    expect((await call('GET', '/api/templates/nope')).status).toBe(404);
  });

  it('validates the mapping it stores', async () => {
    const res = await call<{ error: { code: string; details: { path: (string | number)[] }[] } }>('PUT', '/api/templates', {
      name: 'Broken',
      signature: 'a',
      mapping: { ...mapping('first_name'), identifier: 'Missing' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d) => d.path)).toEqual([['mapping', 'identifier']]);
  });
});
