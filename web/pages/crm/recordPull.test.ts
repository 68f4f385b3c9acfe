import { describe, expect, it } from 'vitest';
import type { CrmRecordPage } from '../../../shared/schema/crm.ts';
import { RecordPull, type PageSource } from './recordPull.ts';

const COLUMNS = [
  { header: 'Email', source: 'Email' },
  { header: 'Website', source: 'Website' },
  { header: 'Website (domain)', source: 'Website', derive: 'domain' as const },
];

/** A CRM of `count` records in pages of `size`, whose cursors are the offsets; `failAt` lists calls that fail. */
function pagedCrm(count: number, size: number, failAt: number[] = []) {
  const cursors: (string | null)[] = [];
  const source: PageSource = async (cursor) => {
    cursors.push(cursor);
    if (failAt.includes(cursors.length)) throw new Error(`page at ${cursor} dropped`);
    const start = cursor === null ? 0 : Number(cursor);
    const end = Math.min(count, start + size);
    const records = [];
    for (let i = start; i < end; i++) records.push({ Email: `p${i}@example.com`, Website: i % 2 ? `https://www.site${i}.com/` : null });
    const page: CrmRecordPage = { records, nextCursor: end < count ? String(end) : null, total: cursor === null ? count : null };
    return page;
  };
  return { source, cursors };
}

describe('RecordPull', () => {
  it('packs every page into the store in order, with derived cells', async () => {
    const crm = pagedCrm(5, 2);
    const pull = new RecordPull(COLUMNS);
    const seen: string[] = [];
    const store = await pull.run(crm.source, { onProgress: (p) => seen.push(`${p.pulled}/${p.total}`) });
    expect(store.complete).toBe(true);
    expect(store.headers).toEqual(['Email', 'Website', 'Website (domain)']);
    expect(store.rowCount).toBe(5);
    expect([0, 1, 2].map((c) => store.get(1, c))).toEqual(['p1@example.com', 'https://www.site1.com/', 'site1.com']);
    expect([0, 1, 2].map((c) => store.get(4, c))).toEqual(['p4@example.com', '', '']);
    expect(seen).toEqual(['2/5', '4/5', '5/5']);
    expect(crm.cursors).toEqual([null, '2', '4']);
  });

  it('asks for a failed page again with the same cursor and ends without a lost or repeated record', async () => {
    const crm = pagedCrm(7, 3, [2, 3]);
    const pull = new RecordPull(COLUMNS);
    await expect(pull.run(crm.source)).rejects.toThrow('page at 3 dropped');
    expect(pull.progress).toEqual({ pulled: 3, total: 7 });
    await expect(pull.run(crm.source)).rejects.toThrow('page at 3 dropped');
    const store = await pull.run(crm.source);
    expect(crm.cursors).toEqual([null, '3', '3', '3', '6']);
    const emails = Array.from({ length: store.rowCount }, (_, r) => store.get(r, 0));
    expect(emails).toEqual(Array.from({ length: 7 }, (_, i) => `p${i}@example.com`));
  });

  it('takes nothing from an answer that arrives after it was cancelled', async () => {
    const controller = new AbortController();
    const pull = new RecordPull(COLUMNS);
    const source: PageSource = async () => {
      controller.abort();
      return { records: [{ Email: 'late@example.com', Website: null }], nextCursor: null, total: 1 };
    };
    await expect(pull.run(source, { signal: controller.signal })).rejects.toThrow();
    expect(pull.store.rowCount).toBe(0);
    expect(pull.done).toBe(false);
  });

  it('finishes an empty selection with an empty, complete store', async () => {
    const store = await new RecordPull(COLUMNS).run(pagedCrm(0, 10).source);
    expect(store.complete).toBe(true);
    expect(store.rowCount).toBe(0);
  });
});

describe('RecordPull.resume', () => {
  it('continues a pull from what an earlier one kept: its rows, then the page it had not pulled', async () => {
    const crm = pagedCrm(5, 2, [3]);
    const first = new RecordPull(COLUMNS);
    await expect(first.run(crm.source)).rejects.toThrow('page at 4 dropped');
    const kept = JSON.parse(JSON.stringify(first.pulledSoFar())) as ReturnType<RecordPull['pulledSoFar']>;
    expect(kept).toMatchObject({ cursor: '4', total: 5 });
    expect(kept.rows).toHaveLength(4);

    const again = RecordPull.resume(COLUMNS, kept);
    expect(again.progress).toEqual({ pulled: 4, total: 5 });
    const store = await again.run(crm.source);
    expect(store.rowCount).toBe(5);
    expect(Array.from({ length: 5 }, (_, r) => store.get(r, 0))).toEqual(['p0@example.com', 'p1@example.com', 'p2@example.com', 'p3@example.com', 'p4@example.com']);
    expect(store.get(3, 2)).toBe('site3.com');
    expect(crm.cursors).toEqual([null, '2', '4', '4']);
  });
});
