import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createCsvReader } from '../../shared/csv/index.ts';
import { generateCsv } from './generateCsv.ts';
import { startLocalServer } from './localServer.ts';
import { BATCH_ROWS, benchImportBody, ImportSender, sealBatch, sealingKeyOf } from './measureIngest.ts';

/** One b-tree of the members table (the table or one of its indexes): pages it fills, and the bytes of its records. */
export type BtreeBytes = { name: string; pageBytes: number; payloadBytes: number };
export type MemberBytes = {
  members: number;
  btrees: BtreeBytes[];
  pageBytesPerMember: number;
  payloadBytesPerMember: number;
  /** Average stored bytes of each value column of a member (text or blob length; integers as SQLite stores them not shown). */
  columnBytes: Record<string, number>;
};

const VALUE_COLUMNS = ['identifier_key', 'attributes', 'hashes', 'sealed'];

/**
 * What the members of a SQLite file cost, from SQLite's own dbstat: every b-tree of the table members are stored in
 * (the table and each index, partial ones included). Page bytes are what the file holds (a page's free space counts, as it does
 * towards D1's 10 GB), payload bytes the records alone.
 */
export function memberBytesOf(sqlitePath: string): MemberBytes {
  const db = new Database(sqlitePath, { readonly: true, fileMustExist: true });
  try {
    // Since migration 0140 members are stored in member_records (and `members` is a view); before it, in members.
    const table = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'member_records'").get() ? 'member_records' : 'members';
    const names = (db.prepare("SELECT name FROM sqlite_schema WHERE tbl_name = ? AND type IN ('table', 'index') ORDER BY type DESC, name").all(table) as { name: string }[]).map(
      (r) => r.name,
    );
    const stat = db.prepare('SELECT coalesce(sum(pgsize), 0) AS pageBytes, coalesce(sum(payload), 0) AS payloadBytes FROM dbstat WHERE name = ?');
    const btrees = names.map((name) => ({ name, ...(stat.get(name) as { pageBytes: number; payloadBytes: number }) }));
    const { n } = db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number };
    const total = (k: 'pageBytes' | 'payloadBytes') => btrees.reduce((s, b) => s + b[k], 0);
    const columns = new Set((db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map((c) => c.name));
    const columnBytes = Object.fromEntries(
      VALUE_COLUMNS.filter((c) => columns.has(c)).map((c) => [c, (db.prepare(`SELECT coalesce(avg(length(CAST(${c} AS BLOB))), 0) AS b FROM ${table}`).get() as { b: number }).b]),
    );
    return { members: n, btrees, pageBytesPerMember: n ? total('pageBytes') / n : 0, payloadBytesPerMember: n ? total('payloadBytes') / n : 0, columnBytes };
  } finally {
    db.close();
  }
}

/** The local D1 database file of a `wrangler dev --persist-to dir` (the largest SQLite file under v3/d1). */
export function localD1File(persistDir: string): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.sqlite')) files.push(path);
    }
  };
  walk(join(persistDir, 'v3', 'd1'));
  const largest = files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
  if (!largest) throw new Error(`no local D1 file under ${persistDir}`);
  return largest;
}

export function formatMemberBytes(m: MemberBytes): string[] {
  const per = (n: number) => (m.members ? n / m.members : 0).toFixed(0).padStart(5);
  return [
    ...m.btrees.map((b) => `  ${b.name.padEnd(34)} ${per(b.pageBytes)} B/member in pages  ${per(b.payloadBytes)} B/member of records`),
    `  ${'total'.padEnd(34)} ${m.pageBytesPerMember.toFixed(0).padStart(5)} B/member in pages  ${m.payloadBytesPerMember.toFixed(0).padStart(5)} B/member of records`,
    `  columns (average stored bytes): ${Object.entries(m.columnBytes).map(([c, b]) => `${c} ${b.toFixed(1)}`).join(', ')}`,
  ];
}

/** Members of the file still holding JSON text in a value column. */
function jsonMembers(sqlitePath: string): number {
  const db = new Database(sqlitePath, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM member_records WHERE typeof(attributes) = 'text' OR typeof(hashes) = 'text' OR typeof(sealed) = 'text'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * Runs the Worker's Cron Trigger (wrangler dev --test-scheduled: GET /__scheduled) until no member holds JSON, as the
 * minute's ticks would in production (each re-packs up to REPACK_MEMBERS_PER_TICK), then measures again.
 */
async function repackThroughCron(baseUrl: string, sqlitePath: string): Promise<{ ticks: number; seconds: number; measured: MemberBytes }> {
  const start = performance.now();
  let ticks = 0;
  for (let left = jsonMembers(sqlitePath); left > 0; ticks++) {
    if (ticks > 1_000) throw new Error(`the re-pack left ${left} members in JSON after ${ticks} ticks`);
    const res = await fetch(`${baseUrl}/__scheduled?cron=*+*+*+*+*`);
    await res.text();
    // The tick's work runs in waitUntil: wait until the count moves (or a few seconds pass).
    for (let waited = 0; waited < 100 && jsonMembers(sqlitePath) === left; waited++) await new Promise((r) => setTimeout(r, 100));
    left = jsonMembers(sqlitePath);
  }
  return { ticks, seconds: (performance.now() - start) / 1000, measured: memberBytesOf(sqlitePath) };
}

/**
 * The same rows imported in privacy mode (sealed here as the tab seals them: one envelope per row, sealBatch) into a
 * fresh local D1 of their own, then that file measured: what a private member costs (one private envelope naming its
 * sensitive fields, its batch key's id, the tab's nonce and tag) beside a server-sealed one. Null when this build has
 * no privacy mode.
 */
async function privateMemberBytes(headers: string[], sample: readonly string[][]): Promise<MemberBytes | null> {
  const server = await startLocalServer();
  try {
    const key = await sealingKeyOf(server.baseUrl);
    if (!key) return null;
    const start = performance.now();
    const sender = await ImportSender.start(server.baseUrl, { ...benchImportBody(headers, 'bench member bytes, private', sample.length), privacyMode: true });
    if (!sender.privacyMode) return null;
    for (let first = 0; first < sample.length; first += BATCH_ROWS) await sender.put(await sealBatch(key, first + 1, sample.slice(first, first + BATCH_ROWS)));
    const counts = await sender.finish();
    const seconds = (performance.now() - start) / 1000;
    const measured = memberBytesOf(localD1File(server.persistDir));
    console.log(`\n## Storage in privacy mode (${counts.inserted.toLocaleString('en-US')} members, the same rows sealed as the tab seals them: one envelope a row)`);
    console.log(`  (that import, sealing included: ${seconds.toFixed(2)} s)`);
    for (const line of formatMemberBytes(measured)) console.log(line);
    return measured;
  } finally {
    server.stop();
  }
}

/**
 * Bytes per stored member, the product's way: the bench's file (10 columns, email and mobile sensitive) imported
 * through the real Worker on a fresh local D1, then that D1 file measured; then the same in privacy mode
 * (privateMemberBytes; BENCH_MEMBER_BYTES_PRIVATE=0 leaves it out).
 */
export async function runMemberBytesBench(rows = Number(process.env.BENCH_MEMBER_BYTES_ROWS ?? 20_000)): Promise<MemberBytes> {
  const file = `bench-data/audience-${rows}.csv`;
  await generateCsv(file, rows);
  const sample: string[][] = [];
  const reader = createCsvReader({}, (batch) => {
    for (const r of batch) sample.push(r);
  });
  for await (const b of createReadStream(file, { highWaterMark: 1 << 20 })) reader.push(b as Uint8Array);
  const { headers } = reader.end();
  const repack = process.env.BENCH_MEMBER_BYTES_REPACK === '1';
  const server = await startLocalServer({}, { testScheduled: repack });
  try {
    const start = performance.now();
    const sender = await ImportSender.start(server.baseUrl, benchImportBody(headers, 'bench member bytes', sample.length));
    for (let i = 0; i < sample.length; i++) await sender.add(i + 1, sample[i] as string[]);
    const counts = await sender.finish();
    const seconds = (performance.now() - start) / 1000;
    const measured = memberBytesOf(localD1File(server.persistDir));
    console.log(`\n## Storage (${counts.inserted.toLocaleString('en-US')} members imported through the Worker, SQLite dbstat of the local D1 file)`);
    console.log(`  (that import: ${seconds.toFixed(2)} s, ${Math.round(sample.length / seconds).toLocaleString('en-US')} rows/s — a small run, for noticing a change, not the ingest figure)`);
    for (const line of formatMemberBytes(measured)) console.log(line);
    if (process.env.BENCH_MEMBER_BYTES_PRIVATE !== '0') await privateMemberBytes(headers, sample);
    if (!repack) return measured;
    const repacked = await repackThroughCron(server.baseUrl, localD1File(server.persistDir));
    console.log(`\n## Storage after the background re-pack (${repacked.ticks} Cron ticks, ${repacked.seconds.toFixed(1)} s; memberRepack.ts)`);
    for (const line of formatMemberBytes(repacked.measured)) console.log(line);
    return repacked.measured;
  } finally {
    server.stop();
  }
}
