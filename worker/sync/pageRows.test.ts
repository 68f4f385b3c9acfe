import { describe, expect, it } from 'vitest';
import { pageRows } from './pageRows.ts';

const columns = [{ column: 'Email' }, { column: 'FirstName' }];

describe('pageRows', () => {
  it('numbers the rows on from the run, in the order of the imported columns, and keeps the largest stamp', () => {
    const rows = pageRows(
      [
        { Id: '003A', Email: 'a@example.com', FirstName: 'A', SystemModstamp: '2026-11-29T08:00:00.000+0000' },
        { Id: '003B', Email: 'b@example.com', FirstName: null, SystemModstamp: '2026-11-29T09:00:00.000+0000' },
      ],
      { columns, flagField: null, stampField: 'SystemModstamp', idField: 'Id', firstRow: 2001 },
    );
    expect(rows.staying).toEqual([
      { row: 2001, values: ['a@example.com', 'A'] },
      { row: 2002, values: ['b@example.com', ''] },
    ]);
    expect(rows.stayingIds).toEqual(['003A', '003B']);
    expect(rows.leaving).toEqual([]);
    expect(rows.largestStamp).toBe('2026-11-29T09:00:00.000Z');
  });

  it('sends a record whose flag is not true to leave, without using up a row number', () => {
    const rows = pageRows(
      [
        { Id: 'r1', Email: 'a@example.com', FirstName: 'A', Sync__c: 'false', modifiedon: null },
        { Id: 'r2', Email: 'b@example.com', FirstName: 'B', Sync__c: 'true', modifiedon: null },
        { Id: 'r3', Email: 'c@example.com', FirstName: 'C', Sync__c: null, modifiedon: null },
      ],
      { columns, flagField: 'Sync__c', stampField: 'modifiedon', idField: 'Id', firstRow: 1 },
    );
    expect(rows.staying).toEqual([{ row: 1, values: ['b@example.com', 'B'] }]);
    expect(rows.stayingIds).toEqual(['r2']);
    expect(rows.leavingIds).toEqual(['r1', 'r3']);
    expect(rows.leaving.map((r) => r.values[0])).toEqual(['a@example.com', 'c@example.com']);
    expect(rows.largestStamp).toBeNull();
  });
});
