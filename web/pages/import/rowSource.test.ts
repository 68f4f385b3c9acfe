import { describe, expect, it } from 'vitest';
import type { CsvHeader } from '../../../shared/csv/index.ts';
import { RowStore } from '../../rows/rowStore.ts';
import { importSourceOf, type RowSource, sourceHeaders, sourceName, sourceStore } from './rowSource.ts';

const header: CsvHeader = {
  headers: ['Email', 'Name'],
  rawHeaders: ['Email', 'Name'],
  delimiter: ';',
  encoding: 'windows-1252',
  encodingLabel: 'Windows-1252 (Western European)',
  hadBom: false,
  lineEnding: 'crlf',
};

describe('row sources', () => {
  it('describe a file by its name and how it was read', () => {
    const store = new RowStore(header.headers);
    const source: RowSource = { kind: 'file', file: new File(['Email;Name\n'], 'Spring leads.csv'), header, store };
    expect(sourceHeaders(source)).toEqual(['Email', 'Name']);
    expect(sourceStore(source)).toBe(store);
    expect(sourceName(source)).toBe('Spring leads');
    expect(importSourceOf(source)).toEqual({ kind: 'csv', fileName: 'Spring leads.csv', headers: ['Email', 'Name'], encoding: 'windows-1252', delimiter: ';' });
  });

  it('describe CRM rows by their table, with nothing about files', () => {
    const store = new RowStore(['Email', 'Account']);
    const crm = { kind: 'salesforce' as const, connectionId: 'c1', object: 'Contact', headers: ['Email', 'Account'] };
    const source: RowSource = { kind: 'crm', rows: { source: crm, name: 'Salesforce Contacts', store, columns: [], identifier: 'Email' } };
    expect(sourceHeaders(source)).toEqual(['Email', 'Account']);
    expect(sourceStore(source)).toBe(store);
    expect(sourceName(source)).toBe('Salesforce Contacts');
    expect(importSourceOf(source)).toEqual(crm);
  });
});
