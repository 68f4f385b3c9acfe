import type { z } from 'zod';
import type { CsvHeader } from '../../../shared/csv/index.ts';
import type { CrmSource, ImportSource } from '../../../shared/schema/imports.ts';
import type { RowStore } from '../../rows/rowStore.ts';
import type { ColumnState } from './suggestColumns.ts';

/**
 * Rows pulled from a CRM (web/pages/crm), handed to the session to go through the same grid, mapping, consent and
 * save path as a file's.
 */
export interface CrmRows {
  source: z.infer<typeof CrmSource>;
  /** "Salesforce Contacts": the default audience and template name. */
  name: string;
  store: RowStore;
  /** The pre-mapping (defaults shown as suggestions) and the proposed identifier, by header. */
  columns: ColumnState[];
  identifier: string | null;
  /** Told once the import has started, with the id of the template its mapping was saved as (null if that failed). */
  onImportStarted?: (templateId: string | null) => void;
}

/**
 * Where the rows on the page come from. A file has a header as it was read (encoding, delimiter); CRM rows have
 * their table's columns, and nothing about how a file was read.
 */
export type RowSource = { kind: 'file'; file: File; header: CsvHeader; store: RowStore } | { kind: 'crm'; rows: CrmRows };

export const sourceHeaders = (source: RowSource): readonly string[] => (source.kind === 'file' ? source.header.headers : source.rows.source.headers);

export const sourceStore = (source: RowSource): RowStore => (source.kind === 'file' ? source.store : source.rows.store);

/** "contacts" for contacts.csv, "Salesforce Contacts" for CRM rows: the proposed audience and template name. */
export const sourceName = (source: RowSource): string => (source.kind === 'file' ? fileBaseName(source.file) : source.rows.name);

export const fileBaseName = (file: File): string => file.name.replace(/\.(csv|tsv|txt)$/i, '');

/** What the Worker records as the import's source. */
export function importSourceOf(source: RowSource): ImportSource {
  if (source.kind === 'crm') return source.rows.source;
  const { header, file } = source;
  return { kind: 'csv', fileName: file.name.slice(0, 500), headers: header.headers, encoding: header.encoding, delimiter: header.delimiter };
}
