import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sealBatchCells, checkSensitiveCell, type CellToSeal } from '../../shared/privacy/index.ts';
import type { PrivateCell, WorkspaceSealingKey } from '../../shared/schema/privacy.ts';
import { isBlank } from '../../shared/validation/importRules.ts';
import { MAX_BATCH_ROWS, type BatchResult, type ImportCounts, type ImportSummary, type StartImportBody } from '../../shared/schema/imports.ts';

/** Rows per batch: what the SPA sends for the bench's 10 columns (MAX_BATCH_ROWS), or BENCH_BATCH_ROWS to compare sizes. */
export const BATCH_ROWS = Number(process.env.BENCH_BATCH_ROWS ?? MAX_BATCH_ROWS);

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

/** Batches sent before the first one's answer: BENCH_IN_FLIGHT, or 2 as the SPA sends (the Worker keeps their order by seq). */
export const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 2);

/**
 * Sends rows to the Worker the way the SPA does: start, batches in seq order with idempotency keys — `inFlight` of
 * them sent before the oldest is answered — then finish. A batch refused as out of order (its predecessor was not
 * committed within the Worker's wait) is sent again once the predecessor is answered.
 */
export class ImportSender {
  #seq = 0;
  #pending: { row: number; values: string[] }[] = [];
  #sent: Promise<BatchResult>[] = [];
  constructor(
    readonly baseUrl: string,
    readonly importId: string,
    /** Whether the Worker took the import in privacy mode (a build without it ignores the request). */
    readonly privacyMode = false,
    readonly inFlight = 1,
  ) {}

  static async start(baseUrl: string, body: StartImportBody | (StartImportBody & { privacyMode: true }), inFlight = 1): Promise<ImportSender> {
    const summary = await json<ImportSummary & { privacyMode?: boolean }>(
      await fetch(`${baseUrl}/api/imports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    );
    return new ImportSender(baseUrl, summary.id, summary.privacyMode === true, inFlight);
  }

  async add(row: number, values: string[]): Promise<void> {
    this.#pending.push({ row, values });
    if (this.#pending.length >= BATCH_ROWS) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const rows = this.#pending;
    this.#pending = [];
    await this.put({ rows });
  }

  /** Sends the next batch as given (plain rows, or a privacy-mode batch); returns once fewer than `inFlight` are unanswered. */
  async put(batch: PrivateBatch | { rows: { row: number; values: string[] }[] }): Promise<void> {
    const seq = this.#seq++;
    const body = JSON.stringify({ seq, idempotencyKey: `${this.importId}-${seq}`, ...batch });
    const previous = this.#sent.at(-1);
    const send = () => fetch(`${this.baseUrl}/api/imports/${this.importId}/batches/${seq}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body });
    const answer = (async () => {
      const res = await send();
      if (res.status !== 409 || !previous) return json<BatchResult>(res);
      const text = await res.text();
      if (!text.includes('batch_out_of_order')) throw new Error(`409 ${text}`);
      await previous;
      return json<BatchResult>(await send());
    })();
    answer.catch(() => {}); // awaited below or in finish(); a failure surfaces there
    this.#sent.push(answer);
    while (this.#sent.length >= this.inFlight) await this.#sent.shift();
  }

  async finish(): Promise<ImportCounts> {
    await this.flush();
    for (const answer of this.#sent.splice(0)) await answer;
    const summary = await json<ImportSummary>(await fetch(`${this.baseUrl}/api/imports/${this.importId}/finish`, { method: 'POST', headers: { 'content-type': 'application/json' } }));
    return summary.counts;
  }
}

/** The bench file's sensitive columns (index in a row) and the field types their values are normalised as. */
export const BENCH_SENSITIVE: readonly { index: number; type: CellToSeal['type'] }[] = [
  { index: 1, type: 'email' },
  { index: 2, type: 'phone' },
];

export type PrivateBatch = { rows: { row: number; values: (string | PrivateCell)[] }[]; sealing: { keyId: string; ephemeralKey: string } };

/** The workspace's public sealing key, or null when this build of the Worker has no privacy mode. */
export async function sealingKeyOf(baseUrl: string): Promise<WorkspaceSealingKey | null> {
  const res = await fetch(`${baseUrl}/api/privacy/key`);
  if (res.status === 404) return null;
  return json<WorkspaceSealingKey>(res);
}

/**
 * One privacy-mode batch as the tab builds it: each non-blank sensitive value checked and normalised with the shared
 * rules (checkSensitiveCell: refused cells carry only the problem), then all of the batch's values SHA-256-hashed and
 * sealed to the workspace key in one sealBatchCells call, ONE envelope per row (`{ h, c }` on the row's first sealed
 * cell, `{ h }` on the others), as web/import/privateCells.ts prepares them.
 */
export async function sealBatch(key: WorkspaceSealingKey, firstRow: number, rows: readonly string[][], defaultCountry = 'US'): Promise<PrivateBatch> {
  const out = rows.map((values, i) => ({ row: firstRow + i, values: values as (string | PrivateCell)[] }));
  const toSeal: CellToSeal[][] = [];
  const at: { row: number; columns: number[] }[] = [];
  out.forEach((r, i) => {
    r.values = [...(rows[i] as string[])];
    let cells: CellToSeal[] | null = null;
    const columns: number[] = [];
    for (const { index, type } of BENCH_SENSITIVE) {
      const raw = r.values[index] as string;
      if (raw === undefined || isBlank(raw)) continue;
      const verdict = checkSensitiveCell(raw, { type, defaultCountry });
      if (verdict.ok) {
        (cells ??= []).push({ type, normalized: verdict.normalized });
        columns.push(index);
      } else r.values[index] = verdict.refused;
    }
    if (cells) {
      toSeal.push(cells);
      at.push({ row: i, columns });
    }
  });
  const { sealing, rows: sealed } = await sealBatchCells(key, toSeal);
  at.forEach(({ row, columns }, k) => {
    columns.forEach((column, n) => ((out[row] as (typeof out)[number]).values[column] = sealed[k]?.[n] as PrivateCell));
  });
  return { rows: out, sealing };
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
