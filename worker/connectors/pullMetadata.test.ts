import { describe, expect, it } from 'vitest';
import { PullMetadata } from './pullMetadata.ts';

function clock() {
  let t = 1_000;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('PullMetadata', () => {
  it('keeps an entry per workspace, connection and object', () => {
    const cache = new PullMetadata<string>({ ttlMs: 60_000, maxEntries: 10 });
    const mine = cache.forConnection('w1', 'c1');
    mine.set('Contact', 'contact describe');
    expect(mine.get('Contact')).toBe('contact describe');
    expect(mine.get('Lead')).toBeUndefined();
    expect(cache.forConnection('w1', 'c2').get('Contact')).toBeUndefined();
    expect(cache.forConnection('w2', 'c1').get('Contact')).toBeUndefined();
    // Parts that a separator-joined key would confuse stay apart.
    cache.forConnection('a/b', 'c').set('d', 'theirs');
    expect(cache.forConnection('a', 'b/c').get('d')).toBeUndefined();
  });

  it('forgets an entry once its time is up, and a new write starts the time again', () => {
    const c = clock();
    const entries = new PullMetadata<number>({ ttlMs: 100, maxEntries: 10, now: c.now }).forConnection('w', 'c');
    entries.set('Contact', 1);
    c.advance(99);
    expect(entries.get('Contact')).toBe(1);
    entries.set('Contact', 2);
    c.advance(99);
    expect(entries.get('Contact')).toBe(2);
    c.advance(1);
    expect(entries.get('Contact')).toBeUndefined();
  });

  it('drops the oldest-written entries beyond its size', () => {
    const cache = new PullMetadata<number>({ ttlMs: 60_000, maxEntries: 2 });
    const entries = cache.forConnection('w', 'c');
    entries.set('A', 1);
    entries.set('B', 2);
    entries.set('A', 3);
    entries.set('C', 4);
    expect(entries.get('B')).toBeUndefined();
    expect(entries.get('A')).toBe(3);
    expect(entries.get('C')).toBe(4);
  });
});
