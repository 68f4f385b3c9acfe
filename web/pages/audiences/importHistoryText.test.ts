import { describe, expect, it } from 'vitest';
import type { ImportHistoryEntry } from '../../../shared/schema/audiences.ts';
import { countsLabel, laterImportsText, sourceLabel, stateLabel } from './importHistoryText.ts';

const entry = (over: Partial<ImportHistoryEntry> & { counts?: Partial<ImportHistoryEntry['import']['counts']> } = {}): ImportHistoryEntry => ({
  import: {
    id: 'i1',
    audienceId: 'a1',
    status: 'completed',
    source: { kind: 'csv', fileName: 'leads.csv', headers: ['Email'] },
    mapping: { columns: [{ column: 'Email', target: 'email', sensitive: false }], identifier: 'Email', onMatch: 'update' },
    defaultCountry: 'US',
    batchSize: 2000,
    nextSeq: 1,
    expectedRows: 1,
    counts: { received: 1, inserted: 1, updated: 0, duplicates: 0, rejected: 0, skipped: 0, ...over.counts },
    createdAt: '2026-11-29T07:00:00.000Z',
    finishedAt: '2026-11-29T07:00:01.000Z',
    notices: [],
  },
  state: over.state ?? 'completed',
  undo: over.undo ?? null,
  undoable: true,
  errorCount: 0,
});

describe('import history text', () => {
  it('names the source by file or CRM table', () => {
    expect(sourceLabel({ kind: 'csv', fileName: 'leads.csv', headers: ['a'] })).toBe('leads.csv');
    expect(sourceLabel({ kind: 'salesforce', connectionId: 'c', object: 'Contact', headers: ['a'] })).toContain('Contact');
  });

  it('says singular and plural right and leaves out zeros', () => {
    expect(countsLabel(entry())).toBe('1 row · 1 new member');
    expect(countsLabel(entry({ counts: { received: 3, inserted: 0, updated: 2, rejected: 1 } }))).toBe('3 rows · 2 updates · 1 row rejected');
  });

  it('says an interrupted import can be resumed', () => {
    expect(stateLabel(entry({ state: 'interrupted' }))).toBe('Interrupted — resume');
    expect(stateLabel(entry({ state: 'undone', undo: { undoneAt: '2026-11-29T08:00:00.000Z', removed: 1, restored: 0 } }))).toMatch(/^Undone /);
  });

  it('lists the later imports that block an undo', () => {
    const text = laterImportsText([{ id: 'b', source: { kind: 'csv', fileName: 'b.csv', headers: ['a'] }, createdAt: '2026-11-29T07:00:00.000Z' }]);
    expect(text).toMatch(/^A later import changed the same members: b\.csv \(/);
  });
});
