import { describe, expect, it } from 'vitest';
import { ExportFieldMapping } from '../schema/crmExport.ts';
import { cellsHeldBack, directedColumns } from './pullDirections.ts';

const fields = [
  ExportFieldMapping.parse({ platformField: 'first_name', crmProperty: 'FirstName', direction: 'to_crm' }),
  ExportFieldMapping.parse({ platformField: 'title', crmProperty: 'Title', direction: 'two_way' }),
  ExportFieldMapping.parse({ platformField: 'city', crmProperty: 'MailingCity', direction: 'from_crm' }),
];
const columns = [{ target: 'email' }, { target: 'first_name' }, { target: 'title' }, { target: 'city' }, { target: null }];

describe('pull directions', () => {
  it('finds the pulled columns the export writes back, by platform field', () => {
    expect(directedColumns(columns, fields)).toEqual([
      { index: 1, direction: 'to_crm' },
      { index: 2, direction: 'two_way' },
    ]);
  });

  it('lets a new member take every pulled value', () => {
    expect(cellsHeldBack(directedColumns(columns, fields), null, '2026-01-01T00:00:00Z')).toEqual([]);
  });

  it('never overwrites a to_crm field; a two_way field only when the record is newer than the member', () => {
    const directed = directedColumns(columns, fields);
    expect(cellsHeldBack(directed, '2026-02-01T00:00:00Z', '2026-01-01T00:00:00Z')).toEqual([1, 2]);
    expect(cellsHeldBack(directed, '2026-02-01T00:00:00Z', '2026-03-01T00:00:00.000+0000')).toEqual([1]);
    expect(cellsHeldBack(directed, '2026-02-01T00:00:00Z', null)).toEqual([1, 2]);
  });
});
