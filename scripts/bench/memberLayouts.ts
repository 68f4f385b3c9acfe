/**
 * Candidate stored layouts of a member, side by side on the same rows (issue 12, ≤ 300 B per member): bytes per member
 * from SQLite's dbstat (table + the product's indexes, pages) and the cost of the insert, each layout written the way
 * the product writes (`INSERT … SELECT … FROM json_each(?)`, 1 MB JSON parameters, BLOB columns passed as hex and
 * stored with `unhex`), in plain SQLite (better-sqlite3), in one transaction (as the bench's raw-SQLite figure), JSON chunks of the product's batches of 2,000 rows.
 *
 * Run (Node 20 cannot run .ts; bundled as scripts/bench.mjs does, inside node_modules so better-sqlite3 resolves):
 *   npx esbuild scripts/bench/memberLayouts.ts --bundle --platform=node --format=esm --packages=external \
 *     --outfile=node_modules/.cache/member-layouts.mjs && node node_modules/.cache/member-layouts.mjs
 * Env: BENCH_LAYOUT_ROWS (default 20,000 for bytes), BENCH_LAYOUT_INSERT_ROWS (default 100,000 for rows/s), BENCH_LAYOUT_ROUNDS (3).
 *
 * The values are the bench file's (scripts/bench/generateCsv.ts): customer id the identifier, email and mobile
 * sensitive (HMAC-SHA-256 keyed hash + AES-256-GCM under a random key, as the Worker makes them), 8 plain values.
 */
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createCsvReader } from '../../shared/csv/index.ts';
import { jsonChunks } from '../../worker/store/jsonChunks.ts';
import { generateCsv } from './generateCsv.ts';
import { BENCH_TARGETS } from './measureIngest.ts';

const HASH_KEY = randomBytes(32);
const SEAL_KEY = randomBytes(32);
const SENSITIVE = new Set([1, 2]);
// Per-workspace field numbers (given once, never reused): the bench's 10 fields are 1..10.
const FIELD_REF = new Map(BENCH_TARGETS.map((f, i) => [f, i + 1]));

let counter = 0;

type Source = { key: string; plain: [string, string][]; sensitive: [string, string][] };

const hmac = (v: string) => createHmac('sha256', HASH_KEY).update(v).digest();
function seal(plaintext: Buffer): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', SEAL_KEY, iv);
  return Buffer.concat([iv, c.update(plaintext), c.final(), c.getAuthTag()]);
}

/** varint (LEB128): field refs and lengths under 128 take one byte. */
function varint(n: number, out: number[]): void {
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
}

/** [ref][2·len][utf-8] per value; 2·len+1 = 1 means "the value is identifier_key" (stored once). */
function packValues(entries: [string, string][], identifierKey: string | null): Buffer {
  const out: number[] = [];
  const parts: Buffer[] = [];
  for (const [field, value] of entries) {
    varint(FIELD_REF.get(field) ?? 0, out);
    if (identifierKey !== null && value === identifierKey) {
      out.push(1);
      continue;
    }
    const bytes = Buffer.from(value, 'utf8');
    varint(bytes.length * 2, out);
    parts.push(Buffer.from(out.splice(0)), bytes);
  }
  parts.push(Buffer.from(out));
  return Buffer.concat(parts);
}

type Layout = {
  name: string;
  /** SQL of the three stored columns from `j` (an item array: [key, attributes, hashes, sealed]). */
  columns: string;
  item: (s: Source) => unknown[];
};

const LAYOUTS: Layout[] = [
  {
    name: 'today: JSON by field name, hex HMAC, base64 AES-GCM per value',
    columns: 'j.value -> 1, j.value -> 2, j.value -> 3',
    item: (s) => [
      s.key,
      Object.fromEntries(s.plain),
      Object.fromEntries(s.sensitive.map(([f, v]) => [f, hmac(v).toString('hex')])),
      Object.fromEntries(s.sensitive.map(([f, v]) => [f, seal(Buffer.from(v)).toString('base64')])),
    ],
  },
  {
    name: 'JSON by field number (migration 0190): hex HMAC-256, base64 per value',
    columns: 'j.value -> 1, j.value -> 2, j.value -> 3',
    item: (s) => [
      s.key,
      Object.fromEntries(s.plain.map(([f, v]) => [FIELD_REF.get(f), v])),
      Object.fromEntries(s.sensitive.map(([f, v]) => [FIELD_REF.get(f), hmac(v).toString('hex')])),
      Object.fromEntries(s.sensitive.map(([f, v]) => [FIELD_REF.get(f), seal(Buffer.from(v)).toString('base64')])),
    ],
  },
  {
    name: 'JSON by field number, identifier once; hex HMAC-128; base64 per value',
    columns: 'j.value -> 1, j.value -> 2, j.value -> 3',
    item: (s) => [
      s.key,
      Object.fromEntries(s.plain.map(([f, v]) => [FIELD_REF.get(f), v === s.key ? 0 : v])),
      Object.fromEntries(s.sensitive.map(([f, v]) => [FIELD_REF.get(f), hmac(v).subarray(0, 16).toString('hex')])),
      Object.fromEntries(s.sensitive.map(([f, v]) => [FIELD_REF.get(f), seal(Buffer.from(v)).toString('base64')])),
    ],
  },
  {
    name: 'packed BLOBs: values by number, HMAC-256, AES-GCM per value',
    columns: 'unhex(j.value ->> 1), unhex(j.value ->> 2), unhex(j.value ->> 3)',
    item: (s) => [
      s.key,
      packValues(s.plain, s.key).toString('hex'),
      Buffer.concat(s.sensitive.flatMap(([f, v]) => [Buffer.from([FIELD_REF.get(f) ?? 0]), hmac(v)])).toString('hex'),
      Buffer.concat(
        s.sensitive.flatMap(([f, v]) => {
          const env = seal(Buffer.from(v));
          return [Buffer.from([FIELD_REF.get(f) ?? 0, env.length]), env];
        }),
      ).toString('hex'),
    ],
  },
  {
    name: 'packed BLOBs, HMAC-128, AES-GCM per value',
    columns: 'unhex(j.value ->> 1), unhex(j.value ->> 2), unhex(j.value ->> 3)',
    item: (s) => [
      s.key,
      packValues(s.plain, s.key).toString('hex'),
      Buffer.concat(s.sensitive.flatMap(([f, v]) => [Buffer.from([FIELD_REF.get(f) ?? 0]), hmac(v).subarray(0, 16)])).toString('hex'),
      Buffer.concat(
        s.sensitive.flatMap(([f, v]) => {
          const env = seal(Buffer.from(v));
          return [Buffer.from([FIELD_REF.get(f) ?? 0, env.length]), env];
        }),
      ).toString('hex'),
    ],
  },
  {
    name: 'packed BLOBs, HMAC-128, one AES-GCM envelope per member',
    columns: 'unhex(j.value ->> 1), unhex(j.value ->> 2), unhex(j.value ->> 3)',
    item: (s) => [
      s.key,
      packValues(s.plain, s.key).toString('hex'),
      Buffer.concat(s.sensitive.flatMap(([f, v]) => [Buffer.from([FIELD_REF.get(f) ?? 0]), hmac(v).subarray(0, 16)])).toString('hex'),
      seal(packValues(s.sensitive, null)).toString('hex'),
    ],
  },
  {
    // Hashes and the envelope in one column: [count][refs][16-byte HMACs][iv ‖ AES-GCM(len ‖ value …) ‖ tag], the
    // values in the refs' order (no refs inside the envelope); `sealed` is left empty (X'').
    name: 'packed BLOBs, HMAC-128 + one envelope in one column',
    columns: "unhex(j.value ->> 1), unhex(j.value ->> 2), X''",
    item: (s) => {
      const values: number[] = [];
      const parts: Buffer[] = [];
      for (const [, v] of s.sensitive) {
        const b = Buffer.from(v, 'utf8');
        varint(b.length, values);
        parts.push(Buffer.from(values.splice(0)), b);
      }
      return [
        s.key,
        packValues(s.plain, s.key).toString('hex'),
        Buffer.concat([
          Buffer.from([s.sensitive.length, ...s.sensitive.map(([f]) => FIELD_REF.get(f) ?? 0)]),
          ...s.sensitive.map(([, v]) => hmac(v).subarray(0, 16)),
          seal(Buffer.concat(parts)),
        ]).toString('hex'),
      ];
    },
  },
  {
    // One envelope per member under a per-batch key (HKDF of the data key and a batch salt, stored once a batch), its
    // nonce the member's counter in the batch: the member stores [batch ref][counter] instead of a 12-byte nonce.
    name: 'packed BLOBs, HMAC-128, one envelope per member, batch key + counter nonce',
    columns: 'unhex(j.value ->> 1), unhex(j.value ->> 2), unhex(j.value ->> 3)',
    item: (s) => {
      const head: number[] = [];
      varint(1000 + (counter >> 12), head);
      varint(counter++ & 0xfff, head);
      return [
        s.key,
        packValues(s.plain, s.key).toString('hex'),
        Buffer.concat(s.sensitive.flatMap(([f, v]) => [Buffer.from([FIELD_REF.get(f) ?? 0]), hmac(v).subarray(0, 16)])).toString('hex'),
        Buffer.concat([Buffer.from(head), seal(packValues(s.sensitive, null)).subarray(12)]).toString('hex'),
      ];
    },
  },
  {
    name: 'packed BLOBs, HMAC-128 + one envelope (batch key + counter) in one column',
    columns: "unhex(j.value ->> 1), unhex(j.value ->> 2), X''",
    item: (s) => {
      const head: number[] = [s.sensitive.length, ...s.sensitive.map(([f]) => FIELD_REF.get(f) ?? 0)];
      varint(1000 + (counter >> 12), head);
      varint(counter++ & 0xfff, head);
      return [
        s.key,
        packValues(s.plain, s.key).toString('hex'),
        Buffer.concat([Buffer.from(head), ...s.sensitive.map(([, v]) => hmac(v).subarray(0, 16)), seal(packValues(s.sensitive, null)).subarray(12)]).toString('hex'),
      ];
    },
  },
];

const SCHEMA = `
CREATE TABLE member_records (
  id INTEGER PRIMARY KEY, audience_ref INTEGER NOT NULL, identifier_key TEXT NOT NULL,
  attributes NOT NULL, hashes NOT NULL, sealed NOT NULL,
  created_import INTEGER, previous_import INTEGER, updated_import INTEGER,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, hash_scheme INTEGER NOT NULL DEFAULT 1, removed_from_source_at TEXT);
CREATE UNIQUE INDEX member_records_by_identifier ON member_records (audience_ref, identifier_key);
CREATE INDEX member_records_by_audience ON member_records (audience_ref);
CREATE INDEX member_records_unkeyed ON member_records (id) WHERE hash_scheme = 0;`;

const insertSql = (l: Layout) =>
  `INSERT INTO member_records (audience_ref, identifier_key, attributes, hashes, sealed, created_import, updated_import, created_at, updated_at)
   SELECT ?1, j.value ->> 0, ${l.columns}, ?2, ?2, ?3, ?3 FROM json_each(?4) AS j`;

async function readSources(rows: number): Promise<Source[]> {
  const file = `bench-data/audience-${rows}.csv`;
  await generateCsv(file, rows);
  const out: Source[] = [];
  let header = true;
  const reader = createCsvReader({}, (batch) => {
    for (const r of batch) {
      if (header) {
        header = false;
        continue;
      }
      const plain: [string, string][] = [];
      const sensitive: [string, string][] = [];
      r.forEach((v, i) => (SENSITIVE.has(i) ? sensitive : plain).push([BENCH_TARGETS[i] as string, v.trim()]));
      out.push({ key: (r[0] ?? '').trim(), plain, sensitive });
    }
  });
  for await (const b of createReadStream(file, { highWaterMark: 1 << 20 })) reader.push(b as Uint8Array);
  reader.end();
  return out.slice(0, rows);
}

function freshDb(dir: string, name: string): Database.Database {
  const db = new Database(join(dir, `${name}.sqlite`));
  db.pragma('journal_mode = WAL');
  db.exec(SCHEMA);
  return db;
}

/** Inserts `chunks` (one batch = the chunks of 2,000 rows) and returns seconds. */
function insertAll(db: Database.Database, layout: Layout, batches: string[][]): number {
  const stmt = db.prepare(insertSql(layout));
  const now = Date.now();
  const t = performance.now();
  // One transaction over everything, as the bench's raw-SQLite figure (measureIngest.ts insertWithSqlite) runs it;
  // better-sqlite3 binds numbered parameters by name.
  db.transaction(() => {
    for (const chunks of batches) for (const c of chunks) stmt.run({ 1: 1, 2: 7, 3: now, 4: c });
  })();
  return (performance.now() - t) / 1000;
}

function bytesOf(db: Database.Database): { table: number; indexes: number; columns: Record<string, number> } {
  const stat = (name: string) => (db.prepare('SELECT coalesce(sum(pgsize), 0) AS b FROM dbstat WHERE name = ?').get(name) as { b: number }).b;
  const { n } = db.prepare('SELECT count(*) AS n FROM member_records').get() as { n: number };
  const idx = ['member_records_by_identifier', 'member_records_by_audience', 'member_records_unkeyed'].reduce((s, i) => s + stat(i), 0);
  const col = (c: string) => (db.prepare(`SELECT avg(length(CAST(${c} AS BLOB))) AS b FROM member_records`).get() as { b: number }).b;
  return {
    table: stat('member_records') / n,
    indexes: idx / n,
    columns: { attributes: col('attributes'), hashes: col('hashes'), sealed: col('sealed'), identifier_key: col('identifier_key') },
  };
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] as number;

async function main(): Promise<void> {
  const bytesRows = Number(process.env.BENCH_LAYOUT_ROWS ?? 20_000);
  const insertRows = Number(process.env.BENCH_LAYOUT_INSERT_ROWS ?? 100_000);
  const rounds = Number(process.env.BENCH_LAYOUT_ROUNDS ?? 3);
  const sources = await readSources(Math.max(bytesRows, insertRows));
  const dir = mkdtempSync(join(tmpdir(), 'member-layouts-'));
  try {
    console.log(`## Member layouts: ${bytesRows.toLocaleString('en-US')} members for bytes, ${insertRows.toLocaleString('en-US')} for insert (median of ${rounds}, interleaved)`);
    const prepared = LAYOUTS.map((l) => {
      const t = performance.now();
      const items = sources.slice(0, insertRows).map(l.item);
      const buildUs = ((performance.now() - t) * 1000) / insertRows;
      const batches: string[][] = [];
      for (let i = 0; i < items.length; i += 2000) batches.push(jsonChunks(items.slice(i, i + 2000)));
      const jsonBytes = batches.flat().reduce((s, c) => s + c.length, 0) / insertRows;
      return { l, batches, buildUs, jsonBytes };
    });
    const seconds: number[][] = LAYOUTS.map(() => []);
    for (let r = 0; r < rounds; r++) {
      prepared.forEach((p, i) => {
        const db = freshDb(dir, `ins-${i}-${r}`);
        seconds[i]?.push(insertAll(db, p.l, p.batches));
        db.close();
        rmSync(join(dir, `ins-${i}-${r}.sqlite`), { force: true });
        rmSync(join(dir, `ins-${i}-${r}.sqlite-wal`), { force: true });
        rmSync(join(dir, `ins-${i}-${r}.sqlite-shm`), { force: true });
      });
    }
    const base = median(seconds[0] as number[]);
    prepared.forEach((p, i) => {
      const db = freshDb(dir, `bytes-${i}`);
      insertAll(db, p.l, p.batches.slice(0, Math.ceil(bytesRows / 2000)));
      const b = bytesOf(db);
      db.close();
      const s = median(seconds[i] as number[]);
      console.log(`\n${p.l.name}`);
      console.log(
        `  ${(b.table + b.indexes).toFixed(0)} B/member (table ${b.table.toFixed(0)}, indexes ${b.indexes.toFixed(0)}); columns: ` +
          Object.entries(b.columns).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', '),
      );
      console.log(
        `  insert ${Math.round(insertRows / s).toLocaleString('en-US')} rows/s (${(base / s).toFixed(2)}× today's layout); JSON to SQLite ${p.jsonBytes.toFixed(0)} B/row; building it in JS ${p.buildUs.toFixed(1)} µs/row (crypto included)`,
      );
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
