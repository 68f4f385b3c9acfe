import { type BatchBody, MAX_BATCH_ROWS } from './imports.ts';
import { MAX_COLUMNS } from './limits.ts';
import { BatchSealingHeader, MAX_ENVELOPE_CHARS, MIN_ENVELOPE_CHARS } from './privacy.ts';
import { RowErrorCode } from './rowErrorCode.ts';
import { isWellFormedText } from './text.ts';

/*
 * A batch of 5,000 rows × 10 cells is 50,000 values: zod's generic object/union machinery (a union tried option by
 * option, an issue object built for every option that fails, a refine per string) cost more per row than the whole
 * bare write of the row into D1. This is a hand-written check of the same body, used only as a shortcut: it answers
 * true only when BatchBody parses the value to an equal value and no string in it (keys included) is malformed, so
 * the Worker may take the value as parsed. Anything else — every refusal, and anything it is not sure of (an
 * unknown key, which zod would strip) — goes through the schema, whose answer and error details are the API's.
 * batchBodyCheck.test.ts holds it to that against the schema on valid, mutated and random bodies.
 */

const SHA256_HEX = /^[0-9a-f]{64}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const ERROR_CODES: ReadonlySet<string> = new Set(RowErrorCode.options);
// The bounds of RefusedCell's strings (shared/schema/privacy.ts).
const MAX_REFUSED_MESSAGE = 500;
const MAX_HINT = 40;

const isIntAtLeast = (v: unknown, min: number): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
const isText = (v: unknown, min: number, max: number): v is string => typeof v === 'string' && v.length >= min && v.length <= max && isWellFormedText(v);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Exactly these keys and no other (any order): the schema would strip another. */
function hasOnlyKeys(o: Record<string, unknown>, required: readonly string[], optional: readonly string[] = []): boolean {
  let count = 0;
  for (const key in o) {
    if (!Object.hasOwn(o, key)) return false;
    if (!required.includes(key) && !optional.includes(key)) return false;
    count++;
  }
  for (const key of required) if (!Object.hasOwn(o, key)) return false;
  return count >= required.length;
}

/** A SealedCell `{ h, c }`, a SealedAlongCell `{ h }` or a RefusedCell `{ problem, message, hint }` with nothing else. */
function isPrivateCell(cell: Record<string, unknown>): boolean {
  if ('h' in cell) {
    const { h, c } = cell;
    if (typeof h !== 'string' || !SHA256_HEX.test(h)) return false;
    if (c === undefined) return hasOnlyKeys(cell, ['h']);
    return hasOnlyKeys(cell, ['h', 'c']) && typeof c === 'string' && c.length >= MIN_ENVELOPE_CHARS && c.length <= MAX_ENVELOPE_CHARS && BASE64URL.test(c);
  }
  const { problem, message, hint } = cell;
  return (
    hasOnlyKeys(cell, ['problem', 'message', 'hint']) &&
    typeof problem === 'string' &&
    ERROR_CODES.has(problem) &&
    isText(message, 1, MAX_REFUSED_MESSAGE) &&
    (hint === null || isText(hint, 0, MAX_HINT))
  );
}

function isRow(r: unknown): boolean {
  if (!isRecord(r) || !hasOnlyKeys(r, ['row', 'values'], ['line', 'fieldCount'])) return false;
  if (!isIntAtLeast(r.row, 1)) return false;
  if (r.line !== undefined && !isIntAtLeast(r.line, 1)) return false;
  if (r.fieldCount !== undefined && !isIntAtLeast(r.fieldCount, 0)) return false;
  const { values } = r;
  if (!Array.isArray(values) || values.length > MAX_COLUMNS) return false;
  for (let i = 0; i < values.length; i++) {
    const cell: unknown = values[i];
    if (typeof cell === 'string') {
      if (!isWellFormedText(cell)) return false;
    } else if (!isRecord(cell) || !isPrivateCell(cell)) return false;
  }
  return true;
}

/**
 * The sealing header comes once a batch, so the schema itself judges it (whatever fields it grows, a cipher for
 * one); the shortcut adds only that the schema must give it back unchanged (no key stripped or added, no value
 * changed) and that its text is well formed.
 */
function isPlainSealingHeader(sealing: unknown): boolean {
  if (!isRecord(sealing)) return false;
  let count = 0;
  for (const key in sealing) {
    const v = sealing[key];
    if (!Object.hasOwn(sealing, key) || !isWellFormedText(key) || (typeof v === 'string' && !isWellFormedText(v))) return false;
    count++;
  }
  const parsed = BatchSealingHeader.safeParse(sealing);
  if (!parsed.success) return false;
  const out: Record<string, unknown> = parsed.data;
  let outCount = 0;
  for (const key in out) {
    if (!Object.is(out[key], sealing[key])) return false;
    outCount++;
  }
  return outCount === count;
}

/**
 * True when `value` is certainly a valid BatchBody as it is (BatchBody.parse would return an equal value) and holds
 * no malformed text; false means "ask the schema", not "invalid".
 */
export function isPlainlyValidBatchBody(value: unknown): value is BatchBody {
  if (!isRecord(value) || !hasOnlyKeys(value, ['seq', 'idempotencyKey', 'rows'], ['sealing'])) return false;
  if (!isIntAtLeast(value.seq, 0) || !isText(value.idempotencyKey, 8, 128)) return false;
  const { rows, sealing } = value;
  if (sealing !== undefined && !isPlainSealingHeader(sealing)) return false;
  if (!Array.isArray(rows) || rows.length < 1 || rows.length > MAX_BATCH_ROWS) return false;
  for (let i = 0; i < rows.length; i++) if (!isRow(rows[i])) return false;
  return true;
}
