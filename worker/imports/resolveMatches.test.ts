import { describe, expect, it } from 'vitest';
import type { AcceptedRow } from './classifyRows.ts';
import { resolveMatches } from './resolveMatches.ts';

const row = (index: number, key: string, attributes: Record<string, string>, sensitive: Record<string, string> = {}): AcceptedRow => ({
  index,
  row: index + 1,
  key,
  identifierShown: key,
  attributes,
  sensitive,
});

describe('resolveMatches', () => {
  const rows = [
    row(0, 'new', { name: 'N', city: 'Oslo' }),
    row(1, 'old', { name: 'O' }),
    row(2, 'mine', { name: 'M' }),
    row(3, 'new', { city: 'Bergen' }, { phone: '+1' }),
    row(4, 'old', { city: 'Rome' }),
  ];
  // [created by, written before the last writer, last written by]
  const lastWriter = new Map<string, (string | null)[]>([
    ['old', ['earlier-import', null, 'earlier-import']],
    ['mine', ['earlier-import', 'earlier-import', 'this-import']],
  ]);

  it('inserts new identifiers, updates earlier members, and counts repeats as duplicates, merging later values over earlier', () => {
    const out = resolveMatches(rows, lastWriter, 'this-import', 'update', 'Email');
    expect(out.counts).toEqual({ inserted: 1, updated: 1, duplicates: 3, rejected: 0 });
    expect(out.inserts).toEqual([{ key: 'new', attributes: { name: 'N', city: 'Bergen' }, sensitive: { phone: '+1' } }]);
    expect(out.merges).toEqual([
      { key: 'old', attributes: { name: 'O', city: 'Rome' }, sensitive: {} },
      { key: 'mine', attributes: { name: 'M' }, sensitive: {} },
    ]);
    expect(out.errors).toEqual([]);
  });

  it('rejects every row matching a member of an earlier import under onMatch reject', () => {
    const out = resolveMatches(rows, lastWriter, 'this-import', 'reject', 'Email');
    expect(out.counts).toEqual({ inserted: 1, updated: 0, duplicates: 2, rejected: 2 });
    expect(out.errors.map((e) => [e.index, e.error.code, e.error.column, e.error.value])).toEqual([
      [1, 'identifier_exists', 'Email', 'old'],
      [4, 'identifier_exists', 'Email', 'old'],
    ]);
    expect(out.merges.map((m) => m.key)).toEqual(['mine']);
  });

  it('treats a member with no recorded writer as one from an earlier import', () => {
    const out = resolveMatches([row(0, 'legacy', {})], new Map([['legacy', [null, null, null]]]), 'this-import', 'update', 'Email');
    expect(out.counts.updated).toBe(1);
  });

  it('keeps a member this import created or wrote as its own after another import wrote it in between', () => {
    const interleaved = new Map([
      ['created-here', ['this-import', null, 'other-import']],
      ['updated-here', ['earlier-import', 'this-import', 'other-import']],
    ]);
    const repeats = [row(0, 'created-here', { city: 'Oslo' }), row(1, 'updated-here', { city: 'Rome' })];
    for (const onMatch of ['update', 'reject'] as const) {
      const out = resolveMatches(repeats, interleaved, 'this-import', onMatch, 'Email');
      expect(out.counts).toEqual({ inserted: 0, updated: 0, duplicates: 2, rejected: 0 });
      expect(out.merges.map((m) => m.attributes)).toEqual([{ city: 'Oslo' }, { city: 'Rome' }]);
    }
  });
});
