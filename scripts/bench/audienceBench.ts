import type { Audience, UndoResult } from '../../shared/schema/audiences.ts';
import type { ImportSummary } from '../../shared/schema/imports.ts';
import { BENCH_HEADERS } from './generateCsv.ts';
import { startLocalServer } from './localServer.ts';
import { benchImportBody, ImportSender } from './measureIngest.ts';

const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en-US')} rows/s`;

/** A deterministic member row in the benchmark file's layout (customer id first, email and mobile sensitive). */
function memberRow(i: number, city: string): string[] {
  const phone = `+1 212 ${200 + (i % 800)} ${String(i % 10_000).padStart(4, '0')}`;
  return [`C${i}`, `user${i}@example.com`, phone, `First${i % 997}`, `Last${i % 991}`, `Company ${i % 113}`, 'Analyst', city, 'US', `note ${i}`];
}

async function importMembers(baseUrl: string, body: ReturnType<typeof benchImportBody>, first: number, count: number, city: string): Promise<ImportSummary> {
  const sender = await ImportSender.start(baseUrl, body);
  for (let i = 0; i < count; i++) await sender.add(i + 1, memberRow(first + i, city));
  await sender.finish();
  return (await (await fetch(`${baseUrl}/api/imports/${sender.importId}`)).json()) as ImportSummary;
}

/**
 * Undo of a large import and export of a large audience, through the real Worker on local D1:
 * - undo: an audience of UNDO/2 members, then an import of UNDO rows (half update them, half are new), undone;
 *   rows/s = rows of the undone import / seconds of the undo request (one D1 transaction);
 * - export: an audience of EXPORT members streamed as CSV (every sensitive value opened and hashed), read to the end.
 */
export async function runAudienceBench(): Promise<void> {
  const undoRows = Number(process.env.BENCH_UNDO_MEMBERS ?? 200_000);
  const exportRows = Number(process.env.BENCH_EXPORT_MEMBERS ?? 1_000_000);
  const headers = [...BENCH_HEADERS];
  const server = await startLocalServer();
  try {
    console.log(`\n## Audience management (undo ${undoRows.toLocaleString('en-US')} rows, export ${exportRows.toLocaleString('en-US')} members)`);
    const base = await importMembers(server.baseUrl, benchImportBody(headers, 'bench undo', undoRows / 2), 0, Math.floor(undoRows / 2), 'Boston');
    const later = await importMembers(
      server.baseUrl,
      { ...benchImportBody(headers, 'unused', undoRows), audienceName: undefined, audienceId: base.audienceId },
      Math.floor(undoRows / 4),
      undoRows,
      'Denver',
    );
    const t0 = performance.now();
    const res = await fetch(`${server.baseUrl}/api/audiences/${base.audienceId}/imports/${later.id}/undo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chain: false }),
    });
    if (!res.ok) throw new Error(`undo → ${res.status} ${await res.text()}`);
    const undone = (await res.json()) as UndoResult;
    const tUndo = (performance.now() - t0) / 1000;
    const u = undone.undone[0];
    console.log(
      `undo of ${undoRows.toLocaleString('en-US')} rows:      ${tUndo.toFixed(2)} s  ${rate(undoRows, tUndo)}  (removed ${u?.removed}, restored ${u?.restored}; ${undone.audience.memberCount} members left)`,
    );

    const exported = await importMembers(server.baseUrl, benchImportBody(headers, 'bench export', exportRows), 0, exportRows, 'Austin');
    const audience = (await (await fetch(`${server.baseUrl}/api/audiences/${exported.audienceId}`)).json()) as Audience;
    const t1 = performance.now();
    const csv = await fetch(`${server.baseUrl}/api/audiences/${exported.audienceId}/export.csv`);
    if (!csv.ok || !csv.body) throw new Error(`export → ${csv.status}`);
    let bytes = 0;
    let lines = 0;
    for await (const chunk of csv.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
    }
    const tExport = (performance.now() - t1) / 1000;
    console.log(
      `export of ${audience.memberCount.toLocaleString('en-US')} members:  ${tExport.toFixed(2)} s  ${rate(lines - 1, tExport)}  (${(bytes / 1e6).toFixed(1)} MB, ${lines - 1} rows)`,
    );
  } finally {
    server.stop();
  }
}
