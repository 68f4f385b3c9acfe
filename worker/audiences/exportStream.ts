import { CSV_BOM, csvLine } from '../../shared/report/reportCsv.ts';
import { sha256HexAll } from '../crypto/sha256Hex.ts';
import { ImportPlan } from '../../shared/schema/importPlan.ts';
import { parseStoredJson } from '../store/storedJson.ts';
import { listFields } from '../store/fields.ts';
import { audienceRef } from '../store/members.ts';
import { sealedRefs, type SealedRef } from '../store/packedColumns.ts';
import { MemberDecoder, type StoredMemberColumns } from '../store/storedMembers.ts';
import type { SealedOpener } from '../privacy/sealedOpener.ts';
import { CUSTOMER_MATCH_HEADERS, customerMatchColumns, exportCells, exportColumns, type ExportColumn, type StoredMember } from './exportColumns.ts';

// Members read per D1 query: memory stays flat for a million-member audience.
const EXPORT_PAGE_MEMBERS = 2_000;

export type ExportFormat = 'csv' | 'customer_match';

async function audiencePlans(db: D1Database, workspaceId: string, audienceId: string): Promise<ImportPlan[]> {
  const { results } = await db
    .prepare('SELECT plan FROM imports WHERE workspace_id = ? AND audience_id = ? ORDER BY created_at, id')
    .bind(workspaceId, audienceId)
    .all<{ plan: string }>();
  return results.map((r, i) => parseStoredJson(ImportPlan, r.plan, `imports.plan #${i} of audience ${audienceId}`));
}

/**
 * The audience as CSV (BOM + header first), streamed page by page in member order. Sensitive values leave only as
 * SHA-256 of their hash input; plain text of a sensitive field is never written.
 */
export async function audienceExportStream(
  db: D1Database,
  workspaceId: string,
  audienceId: string,
  format: ExportFormat,
  openAll: SealedOpener,
): Promise<ReadableStream<Uint8Array>> {
  const all = exportColumns(await audiencePlans(db, workspaceId, audienceId), await listFields(db, workspaceId));
  const found = format === 'customer_match' ? customerMatchColumns(all) : all;
  const columns: ExportColumn[] = found.map(
    (c, i) => c ?? { key: `\u0000missing${i}`, header: '', type: 'text', hashed: false },
  );
  const headers = format === 'customer_match' ? [...CUSTOMER_MATCH_HEADERS] : columns.map((c) => c.header);
  const encoder = new TextEncoder();
  const decoder = new MemberDecoder(db, workspaceId);
  let afterId = 0;
  let started = false;
  /** The next page as CSV text, and whether it was the last. */
  async function nextPage(): Promise<{ text: string; last: boolean }> {
    const { results } = await db
      .prepare(
        // The stored columns as they are (JSON text or packed BLOBs): decoded below, in TypeScript. Hashes are not exported.
        `SELECT id, identifier_key, attributes, '{}' AS hashes, sealed FROM member_records
         WHERE audience_ref = ${audienceRef('?1', '?2')} AND id > ?3 ORDER BY id LIMIT ?4`,
      )
      .bind(workspaceId, audienceId, afterId, EXPORT_PAGE_MEMBERS)
      .all<StoredMemberColumns>();
    let text = started ? '' : CSV_BOM + csvLine(headers);
    started = true;
    const values = await decoder.decode(results);
    const members = results.map((r, i): StoredMember<SealedRef> => {
      const v = values[i] as (typeof values)[number];
      return { id: r.id, attributes: v.attributes, sealed: sealedRefs(v.sealed) };
    });
    for (const cells of await exportCells(members, columns, openAll, sha256HexAll)) text += csvLine(cells);
    const last = results.at(-1);
    if (last) afterId = last.id;
    return { text, last: !last || results.length < EXPORT_PAGE_MEMBERS };
  }
  // The first page before the answer starts: a value that does not open there is a JSON error naming it, not a
  // download cut short. A later page's failure can only end the stream (logged, and the file is left incomplete).
  const first = await nextPage();
  return new ReadableStream({
    start(controller) {
      if (first.text) controller.enqueue(encoder.encode(first.text));
      if (first.last) controller.close();
    },
    async pull(controller) {
      try {
        const page = await nextPage();
        if (page.text) controller.enqueue(encoder.encode(page.text));
        if (page.last) controller.close();
      } catch (e) {
        console.error('audience export stopped', e);
        controller.error(e);
      }
    },
  });
}
