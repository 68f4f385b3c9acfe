import type { RowError } from '../../shared/schema/imports.ts';
import { jsonChunks } from './jsonChunks.ts';

type ErrorRow = { row_number: number; line_number: number | null; column_name: string | null; code: RowError['code']; message: string; value: string | null };

const toRowError = (r: ErrorRow): RowError => ({
  row: r.row_number,
  ...(r.line_number === null ? {} : { line: r.line_number }),
  column: r.column_name,
  code: r.code,
  message: r.message,
  value: r.value,
});

/** A batch's row errors, numbered in order so a replay and the report list them exactly as first answered. */
export function insertErrorsStatements(
  db: D1Database,
  workspaceId: string,
  importId: string,
  seq: number,
  errors: readonly RowError[],
): D1PreparedStatement[] {
  const items = errors.map((e, ordinal) => [ordinal, e.row, e.column, e.code, e.message, e.value, e.line ?? null]);
  return jsonChunks(items).map((json) =>
    db
      .prepare(
        `INSERT INTO import_errors (workspace_id, import_id, seq, ordinal, row_number, column_name, code, message, value, line_number)
         SELECT ?1, ?2, ?3, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5, j.value ->> 6
         FROM json_each(?4) AS j`,
      )
      .bind(workspaceId, importId, seq, json),
  );
}

export async function batchErrors(db: D1Database, workspaceId: string, importId: string, seq: number): Promise<RowError[]> {
  const { results } = await db
    .prepare(
      `SELECT row_number, line_number, column_name, code, message, value FROM import_errors
       WHERE workspace_id = ? AND import_id = ? AND seq = ? ORDER BY ordinal`,
    )
    .bind(workspaceId, importId, seq)
    .all<ErrorRow>();
  return results.map(toRowError);
}

export type ErrorCursor = { seq: number; ordinal: number };

/** Errors in source order after `after` (keyset paging, so a million-error report streams in constant memory). */
export async function importErrorsPage(
  db: D1Database,
  workspaceId: string,
  importId: string,
  limit: number,
  after: ErrorCursor | null,
): Promise<{ errors: RowError[]; next: ErrorCursor | null }> {
  const { results } = await db
    .prepare(
      `SELECT seq, ordinal, row_number, line_number, column_name, code, message, value FROM import_errors
       WHERE workspace_id = ? AND import_id = ? AND (seq, ordinal) > (?, ?)
       ORDER BY seq, ordinal LIMIT ?`,
    )
    .bind(workspaceId, importId, after?.seq ?? -1, after?.ordinal ?? -1, limit)
    .all<ErrorRow & ErrorCursor>();
  const last = results.at(-1);
  return {
    errors: results.map(toRowError),
    next: last && results.length === limit ? { seq: last.seq, ordinal: last.ordinal } : null,
  };
}
