import { describe, expect, it } from 'vitest';
import { forgetPausedImport, keepPausedImport, type PausedCrmImport, pausedImport, rememberReturn, takeReturn } from './pullResume.ts';

function memoryStorage(limit = Number.POSITIVE_INFINITY) {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => {
      if (v.length > limit) throw new DOMException('full', 'QuotaExceededError');
      map.set(k, v);
    },
    removeItem: (k: string) => void map.delete(k),
  };
}

const paused: PausedCrmImport = {
  connectionId: 'c1',
  object: 'Contact',
  attributes: ['Email', 'FirstName'],
  filters: [{ field: 'Amount__c', operator: 'greater_than', value: '1,5' }],
  pulled: { selectionKey: 'k', headers: ['Email', 'First Name'], rows: [['a@x.com', 'Ann']], cursor: '2000', total: 3 },
};

describe('a paused CRM import', () => {
  it('comes back whole for its connection and table, and only for them', () => {
    const storage = memoryStorage();
    expect(keepPausedImport(paused, storage)).toBe('all');
    expect(pausedImport('c1', 'Contact', storage)).toEqual(paused);
    expect(pausedImport('c1', null, storage)).toEqual(paused);
    expect(pausedImport('c1', 'Lead', storage)).toBeNull();
    expect(pausedImport('c2', 'Contact', storage)).toBeNull();
    forgetPausedImport('c1', storage);
    expect(pausedImport('c1', 'Contact', storage)).toBeNull();
  });

  it('keeps the selection when the rows do not fit, and says so', () => {
    const storage = memoryStorage(300);
    const big = { ...paused, pulled: { ...paused.pulled!, rows: Array.from({ length: 50 }, (_, i) => [`p${i}@x.com`, 'Ann']) } };
    expect(keepPausedImport(big, storage)).toBe('selection');
    expect(pausedImport('c1', 'Contact', storage)).toEqual({ ...paused, pulled: null });
  });

  it('ignores what it cannot read', () => {
    const storage = memoryStorage();
    storage.setItem('audience-import:paused-crm-import:c1', '{"connectionId":"c1"');
    expect(pausedImport('c1', 'Contact', storage)).toBeNull();
    storage.setItem('audience-import:paused-crm-import:c1', JSON.stringify({ ...paused, attributes: 'Email' }));
    expect(pausedImport('c1', 'Contact', storage)).toBeNull();
  });
});

describe('the return after a sign-in', () => {
  it('is read once, per connection, and only as a path of this app', () => {
    const storage = memoryStorage();
    rememberReturn('c1', '/import?connection=c1&object=Contact', storage);
    expect(takeReturn('c2', storage)).toBeNull();
    expect(takeReturn('c1', storage)).toBe('/import?connection=c1&object=Contact');
    expect(takeReturn('c1', storage)).toBeNull();
    rememberReturn('c1', '//evil.example/import', storage);
    expect(takeReturn('c1', storage)).toBeNull();
  });
});
