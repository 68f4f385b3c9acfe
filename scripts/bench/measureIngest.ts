import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_BATCH_ROWS, type BatchResult, type ImportCounts, type ImportSummary, type StartImportBody } from '../../shared/schema/imports.ts';

/** Rows per batch: the SPA's default, or BENCH_BATCH_ROWS to compare sizes. */
export const BATCH_ROWS = Number(process.env.BENCH_BATCH_ROWS ?? DEFAULT_BATCH_ROWS);

/** The field each column of the benchmark file is mapped to. */
export const BENCH_TARGETS = ['customer_id', 'email', 'mobile', 'first_name', 'last_name', 'company', 'job_title', 'city', 'country', 'description'];

/** The benchmark file's mapping: customer id is the identifier, email and mobile are sensitive. */
export function benchImportBody(headers: string[], audienceName: string, expectedRows: number): StartImportBody {
  const targets = BENCH_TARGETS;
  return {
    audienceName,
    source: { kind: 'csv', fileName: 'bench.csv', headers },
    mapping: {
      columns: headers.map((column, i) => ({ column, target: targets[i] ?? null, sensitive: i === 1 || i === 2 })),
      identifier: headers[0] as string,
      onMatch: 'update',
    },
    consent: { doubleOptIn: true },
    defaultCountry: 'US',
    batchSize: BATCH_ROWS,
    expectedRows,
  };
}

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Sends rows to the Worker the way the SPA does: start, sequential batches with idempotency keys, finish. */
export class ImportSender {
  #seq = 0;
  #pending: { row: number; values: string[] }[] = [];
  constructor(
    readonly baseUrl: string,
    readonly importId: string,
  ) {}

  static async start(baseUrl: string, body: StartImportBody): Promise<ImportSender> {
    const summary = await json<ImportSummary>(
      await fetch(`${baseUrl}/api/imports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    );
    return new ImportSender(baseUrl, summary.id);
  }

  async add(row: number, values: string[]): Promise<void> {
    this.#pending.push({ row, values });
    if (this.#pending.length >= BATCH_ROWS) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const seq = this.#seq++;
    const rows = this.#pending;
    this.#pending = [];
    await json<BatchResult>(
      await fetch(`${this.baseUrl}/api/imports/${this.importId}/batches/${seq}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ seq, idempotencyKey: `${this.importId}-${seq}`, rows }),
      }),
    );
  }

  async finish(): Promise<ImportCounts> {
    await this.flush();
    const summary = await json<ImportSummary>(await fetch(`${this.baseUrl}/api/imports/${this.importId}/finish`, { method: 'POST', headers: { 'content-type': 'application/json' } }));
    return summary.counts;
  }
}

/** A statement as the bare Worker's /statements answers it: SQL with numbered parameters (?1, ?2, …) and their values. */
export type RecordedStatement = { sql: string; params: unknown[] };

/**
 * The ceiling below the Worker: the bare Worker's own statements for the same rows (the product's member insert,
 * `INSERT … SELECT … FROM json_each(?)`), run in a plain SQLite file with every migration applied (the product's
 * members table, columns and indexes), all in one transaction. Timed: the statements' execution and the commit.
 */
export function insertWithSqlite(statements: readonly RecordedStatement[], audienceId: string): { seconds: number } {
  const dir = mkdtempSync(join(tmpdir(), 'audience-sqlite-'));
  const db = new Database(join(dir, 'raw.sqlite'));
  db.pragma('journal_mode = WAL');
  for (const file of readdirSync('migrations').filter((f) => f.endsWith('.sql')).sort()) db.exec(readFileSync(join('migrations', file), 'utf8'));
  const now = new Date().toISOString();
  db.prepare("INSERT INTO audiences (id, workspace_id, name, created_at, updated_at) VALUES (?, 'default', ?, ?, ?)").run(audienceId, audienceId, now, now);
  // better-sqlite3 binds numbered parameters by name: { 1: …, 2: … }.
  const prepared = statements.map((s) => ({ run: db.prepare(s.sql), params: Object.fromEntries(s.params.map((v, i) => [i + 1, v])) }));
  const start = performance.now();
  db.transaction(() => {
    for (const p of prepared) p.run.run(p.params);
  })();
  const seconds = (performance.now() - start) / 1000;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { seconds };
}
