import { describe, expect, it } from 'vitest';
import type { ImportReport } from '../../shared/schema/imports.ts';
import { call, fetchAs, ok, rows, sendBatch, startBody, startImport, type Column } from './support/api.ts';

const COLUMNS: Column[] = [
  { column: 'Email', target: 'email' },
  { column: 'Phone', target: 'phone' },
  { column: 'Company', target: 'company' },
];

describe('import report', () => {
  it('lists every rejected row with its row number, column and reason, in source order, across batches', async () => {
    const imp = await startImport(startBody(COLUMNS, 'Email', { batchSize: 3 }));
    await sendBatch(imp.id, 0, [
      { row: 1, values: ['ok@example.com', '', ''] },
      { row: 2, values: ['bad@', '123', 'Acme'] },
      { row: 3, values: ['x@example.com', '', ''], fieldCount: 2 },
    ]);
    await sendBatch(imp.id, 1, rows(4, [['', '4155552671', 'NoMail Inc'], ['y@example.com', '', ''], ['z@example.com', 'call me', '']]));

    const report = await ok<ImportReport>('GET', `/api/imports/${imp.id}/report`);
    expect(report.totalErrors).toBe(5);
    expect(report.import.counts).toEqual({ received: 6, inserted: 2, updated: 0, duplicates: 0, rejected: 4, skipped: 0 });
    expect(report.errors.map((e) => [e.row, e.column, e.code, e.value])).toEqual([
      [2, 'Email', 'invalid_email', 'bad@'],
      [2, 'Phone', 'invalid_phone', '123'],
      [3, null, 'ragged_row', null],
      [4, 'Email', 'empty_identifier', null],
      [6, 'Phone', 'invalid_phone', 'call me'],
    ]);
    for (const e of report.errors) expect(e.message.length).toBeGreaterThan(5);

    const limited = await ok<ImportReport>('GET', `/api/imports/${imp.id}/report?limit=2`);
    expect(limited.errors).toEqual(report.errors.slice(0, 2));
    expect(limited.totalErrors).toBe(5);
  });

  it('downloads as CSV with formula cells neutralised and quotes escaped', async () => {
    const imp = await startImport(startBody(COLUMNS, 'Email'));
    await sendBatch(imp.id, 0, rows(1, [['=HYPERLINK("http://evil.test","x")', '', ''], ['a@example.com', '+1 (0) 12', ''], ['@SUM(A1)', '', '']]));
    const res = await fetchAs('admin', `/api/imports/${imp.id}/report.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toContain('attachment');
    const csv = await res.text();
    const lines = csv.replace(/^\ufeff/, '').split('\r\n');
    expect(lines[0]).toBe('Row,Line,Column,Problem,Reason,Value');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^1,,Email,invalid_email,.*,"'=HYPERLINK\(""http:\/\/evil\.test"",""x""\)"$/);
    expect(lines[2]).toMatch(/^2,,Phone,invalid_phone,.*,'\+1 \(0\) 12$/);
    expect(lines[3]).toMatch(/^3,,Email,invalid_email,.*,'@SUM\(A1\)$/);
    expect(lines[4]).toBe('');
    // No cell may start with a formula character.
    for (const l of lines.slice(1, 4)) for (const cell of l.split(',')) expect(cell).not.toMatch(/^[=+\-@]/);
  });

  it('streams a report larger than one page without losing or repeating rows', async () => {
    const imp = await startImport(startBody(COLUMNS, 'Email', { batchSize: 5000 }));
    await sendBatch(imp.id, 0, rows(1, Array.from({ length: 4500 }, (_, i) => [`bad-${i}`, '', ''])));
    const csv = await (await fetchAs('admin', `/api/imports/${imp.id}/report.csv`)).text();
    const lines = csv.split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(4501);
    expect(lines.filter((l) => l.startsWith('Row,'))).toHaveLength(1);
    expect(lines.slice(1).map((l) => Number(l.split(',')[0]))).toEqual(Array.from({ length: 4500 }, (_, i) => i + 1));
  });

  it('answers 404 for another import id', async () => {
    expect((await call('GET', '/api/imports/nope/report.csv')).status).toBe(404);
  });
});
