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

/** resolveMatches as it was before rows were grouped without an array per key: the reference on random batches. */
function resolveMatchesReference(
  accepted: readonly AcceptedRow[],
  writers: ReadonlyMap<string, readonly (string | null)[]>,
  importId: string,
  onMatch: 'update' | 'reject',
  identifierColumn: string,
) {
  const groups = new Map<string, AcceptedRow[]>();
  for (const r of accepted) {
    const group = groups.get(r.key);
    if (group) group.push(r);
    else groups.set(r.key, [r]);
  }
  const inserts: unknown[] = [];
  const merges: unknown[] = [];
  const errors: unknown[] = [];
  const counts = { inserted: 0, updated: 0, duplicates: 0, rejected: 0 };
  for (const [key, rows] of groups) {
    const exists = writers.has(key);
    const ours = writers.get(key)?.includes(importId) === true;
    if (exists && !ours && onMatch === 'reject') {
      counts.rejected += rows.length;
      for (const r of rows) {
        const error = {
          row: r.row,
          ...(r.line === undefined ? {} : { line: r.line }),
          column: identifierColumn,
          code: 'identifier_exists',
          message: 'a member with this identifier is already in the audience, and this import rejects matches',
          value: r.identifierShown,
        };
        errors.push({ index: r.index, error });
      }
      continue;
    }
    const merged = {
      key,
      attributes: Object.assign({}, ...rows.map((r) => r.attributes)),
      sensitive: Object.assign({}, ...rows.map((r) => r.sensitive)),
      ...(rows.some((r) => r.sealedCells) ? { sealedCells: Object.assign({}, ...rows.map((r) => r.sealedCells ?? {})) } : {}),
    };
    if (!exists) {
      counts.inserted++;
      counts.duplicates += rows.length - 1;
      inserts.push(merged);
    } else if (ours) {
      counts.duplicates += rows.length;
      merges.push(merged);
    } else {
      counts.updated++;
      counts.duplicates += rows.length - 1;
      merges.push(merged);
    }
  }
  return { inserts, merges, counts, errors };
}

describe('resolveMatches on random batches', () => {
  it('decides exactly as the array-per-key version did (keys repeating or not, existing, ours, sealed cells, lines)', () => {
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;
    for (let n = 0; n < 500; n++) {
      const keys = Array.from({ length: 1 + Math.floor(Math.random() * 12) }, (_, i) => `k${i}`);
      const accepted: AcceptedRow[] = Array.from({ length: Math.floor(Math.random() * 30) }, (_, index) => {
        const r: AcceptedRow = { ...row(index, pick(keys), { a: pick(['', 'x', 'y']), [pick(['b', 'c'])]: String(index) }, Math.random() < 0.5 ? { s: pick(['1', '2']) } : {}) };
        if (Math.random() < 0.3) r.line = index + 2;
        if (Math.random() < 0.3) {
          const field = pick(['e', 'f']);
          r.sealedCells = { [field]: { h: String(index).padStart(64, '0'), envelope: { fields: [field], c: pick(['c1', 'c2']), index } } };
        }
        return r;
      });
      const writers = new Map<string, (string | null)[]>();
      for (const k of keys) {
        const roll = Math.random();
        if (roll < 0.3) writers.set(k, ['other', null, 'other']);
        else if (roll < 0.5) writers.set(k, ['other', 'mine', 'other']);
      }
      for (const onMatch of ['update', 'reject'] as const) {
        expect(resolveMatches(accepted, writers, 'mine', onMatch, 'Id')).toEqual(resolveMatchesReference(accepted, writers, 'mine', onMatch, 'Id'));
      }
    }
  });
});
