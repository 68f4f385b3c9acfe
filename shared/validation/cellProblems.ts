import { hashInput } from '../normalize/normalizeValue.ts';
import type { FieldType } from '../schema/fields.ts';
import type { PlannedAllowedValues } from '../schema/importPlan.ts';
import type { RowErrorCode } from '../schema/imports.ts';
import {
  acceptsAnyText,
  type CellContext,
  type CellRuleCode,
  checkCell,
  duplicateIdentifierMessage,
  emptyIdentifierMessage,
  isBlank,
  predictedRejection,
  withinLengthLimit,
} from './importRules.ts';
import { sortedIndexOf } from './rowProblems.ts';

/**
 * What the grid flags in a cell: the Worker's row error codes, plus `duplicate_identifier`, which is not an error
 * (the Worker merges the rows into one member and counts a duplicate) but is worth showing before saving.
 */
export type CellProblemCode =
  | Extract<RowErrorCode, 'empty_identifier' | 'invalid_email' | 'invalid_phone' | 'invalid_value' | 'value_not_allowed'>
  | 'duplicate_identifier';

/** Codes in the order `ColumnProblems.codes` numbers them (1-based; 0 means no problem). */
export const CELL_PROBLEM_CODES: readonly CellProblemCode[] = ['empty_identifier', 'invalid_email', 'invalid_phone', 'invalid_value', 'duplicate_identifier', 'value_not_allowed'];
const EMPTY = 1;
const INVALID_EMAIL = 2;
const INVALID_PHONE = 3;
const INVALID_VALUE = 4;
const DUPLICATE = 5;
const NOT_ALLOWED = 6;
/** Transient mark between the two passes: a valid identifier, not yet compared. */
const HAS_KEY = 0xff;

/** 'error': the Worker will reject the row. 'warning': it will be imported, but not as a row of its own. */
export type ProblemSeverity = 'error' | 'warning';

export type CellProblem = { row: number; code: CellProblemCode; severity: ProblemSeverity; message: string };

export type ColumnInput = {
  /** The column's name, as messages quote it. */
  header: string;
  rowCount: number;
  /** The cell of 0-based `row` as the user sees it (edits included). */
  value: (row: number) => string;
  type: FieldType;
  isIdentifier: boolean;
  /** Messages never quote a sensitive value, and duplicates compare what the Worker compares: the hash input. */
  sensitive?: boolean;
  defaultCountry: string;
  /** The target field's allowed values (a CRM pick list), as the import's plan will carry them. */
  allowed?: PlannedAllowedValues | undefined;
  /** Rows the Worker will skip as blank (every imported value empty): no "empty identifier" for them. */
  isBlankRow?: (row: number) => boolean;
};

export type ColumnProblems = {
  /** 0-based rows with a problem, ascending. */
  readonly rows: Uint32Array;
  /** Per entry of `rows`: 1-based index into CELL_PROBLEM_CODES. */
  readonly codes: Uint8Array;
  /** Per entry of `rows`: for a duplicate, the 0-based row it repeats (its first occurrence); else -1. */
  readonly firstRows: Int32Array;
  readonly counts: Readonly<Record<CellProblemCode, number>>;
  /** Rows the Worker would reject because of this column. */
  readonly errorCount: number;
  /** The problem of one row, with its message, or null. */
  problemAt(row: number): CellProblem | null;
};

function codeNumber(code: CellRuleCode): number {
  return code === 'invalid_email' ? INVALID_EMAIL : code === 'invalid_phone' ? INVALID_PHONE : code === 'value_not_allowed' ? NOT_ALLOWED : INVALID_VALUE;
}

/** FNV-1a over UTF-16 code units: only a bucket for the duplicate search, equal keys are always compared for real. */
function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Rows checked between two yields of columnProblemSteps: ~50–500 ms of work depending on the field type. */
export const CHECK_SLICE_ROWS = 50_000;

/**
 * Predicts what the Worker will say of one column's cells, by the same rules (importRules.ts): invalid values, an
 * empty identifier, and an identifier that repeats an earlier row after normalization. Built for a million rows: one pass, typed
 * arrays, nothing kept per valid row; messages are made only when asked for (problemAt).
 */
export function columnProblems(input: ColumnInput): ColumnProblems {
  const steps = columnProblemSteps(input, Number.POSITIVE_INFINITY);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The same check in slices, for the UI thread: yields the number of rows checked so far every `sliceRows` rows
 * (phone numbers check at ~100k rows/s, so a million of them must not block the tab) and returns the result.
 */
export function* columnProblemSteps(input: ColumnInput, sliceRows = CHECK_SLICE_ROWS): Generator<number, ColumnProblems, void> {
  const { rowCount, value, isIdentifier } = input;
  const context = cellContext(input);
  const sensitive = context.sensitive;
  const codeOf = new Uint8Array(rowCount);
  // A type that accepts any text can only fail the length limit, unless it is the identifier (duplicates) or
  // limited to allowed values.
  const validate = isIdentifier || !acceptsAnyText(context.type) || context.allowed !== undefined;
  const hashes = isIdentifier ? new Uint32Array(rowCount) : null;
  let keyed = 0;

  const keyOf = (row: number): string | null => {
    const verdict = checkCell(value(row), context);
    if (!verdict.ok) return null;
    return sensitive ? hashInput(context.type, verdict.value) : verdict.value;
  };

  for (let row = 0, sliceEnd = Math.min(rowCount, sliceRows); row < rowCount; sliceEnd = Math.min(rowCount, sliceEnd + sliceRows)) {
    for (; row < sliceEnd; row++) {
      const raw = value(row);
      if (isBlank(raw)) {
        if (isIdentifier && !input.isBlankRow?.(row)) codeOf[row] = EMPTY;
        continue;
      }
      if (!validate && withinLengthLimit(raw)) continue;
      const verdict = checkCell(raw, context);
      if (!verdict.ok) {
        codeOf[row] = codeNumber(verdict.code);
      } else if (hashes) {
        hashes[row] = hashKey(sensitive ? hashInput(context.type, verdict.value) : verdict.value);
        codeOf[row] = HAS_KEY;
        keyed++;
      }
    }
    if (row < rowCount) yield row;
  }

  const firstRowOf = hashes ? markDuplicates(codeOf, hashes, keyed, keyOf) : null;
  return collect(codeOf, firstRowOf, input);
}

/**
 * Sorts the keyed rows by (hash, row) packed into one float64 each (typed-array sort, no objects), then walks
 * runs of equal hash, comparing real keys: a row equal to an earlier one is a duplicate of the earliest.
 */
function markDuplicates(codeOf: Uint8Array, hashes: Uint32Array, keyed: number, keyOf: (row: number) => string | null): Int32Array {
  const rowCount = codeOf.length;
  const firstRowOf = new Int32Array(rowCount).fill(-1);
  // 53 bits of a double: as many for the row as needed, the rest for the (shortened) hash.
  const rowBits = Math.max(1, Math.ceil(Math.log2(rowCount + 1)));
  const hashBits = Math.min(32, 53 - rowBits);
  const rowScale = 2 ** rowBits;
  const packed = new Float64Array(keyed);
  let k = 0;
  for (let row = 0; row < rowCount; row++) {
    if (codeOf[row] !== HAS_KEY) continue;
    codeOf[row] = 0;
    packed[k++] = ((hashes[row] as number) >>> (32 - hashBits)) * rowScale + row;
  }
  packed.sort();

  for (let start = 0; start < keyed; ) {
    const bucket = Math.floor((packed[start] as number) / rowScale);
    let end = start + 1;
    while (end < keyed && Math.floor((packed[end] as number) / rowScale) === bucket) end++;
    if (end - start > 1) {
      const firstByKey = new Map<string, number>();
      for (let i = start; i < end; i++) {
        const row = (packed[i] as number) % rowScale;
        const key = keyOf(row) as string;
        const first = firstByKey.get(key);
        if (first === undefined) firstByKey.set(key, row);
        else {
          codeOf[row] = DUPLICATE;
          firstRowOf[row] = first;
        }
      }
    }
    start = end;
  }
  return firstRowOf;
}

function collect(codeOf: Uint8Array, firstRowOf: Int32Array | null, input: ColumnInput): ColumnProblems {
  let total = 0;
  for (let row = 0; row < codeOf.length; row++) if (codeOf[row] !== 0) total++;
  const rows = new Uint32Array(total);
  const codes = new Uint8Array(total);
  const firstRows = new Int32Array(total).fill(-1);
  const tally = new Uint32Array(CELL_PROBLEM_CODES.length + 1);
  let k = 0;
  for (let row = 0; row < codeOf.length; row++) {
    const code = codeOf[row] as number;
    if (code === 0) continue;
    rows[k] = row;
    codes[k] = code;
    if (code === DUPLICATE && firstRowOf) firstRows[k] = firstRowOf[row] as number;
    tally[code] = (tally[code] ?? 0) + 1;
    k++;
  }
  const counts = Object.fromEntries(CELL_PROBLEM_CODES.map((c, i) => [c, tally[i + 1] ?? 0])) as Record<CellProblemCode, number>;
  const errorCount = total - counts.duplicate_identifier;

  return {
    rows,
    codes,
    firstRows,
    counts,
    errorCount,
    problemAt(row: number): CellProblem | null {
      const at = sortedIndexOf(rows, row);
      if (at < 0) return null;
      const code = CELL_PROBLEM_CODES[(codes[at] as number) - 1] as CellProblemCode;
      return {
        row,
        code,
        severity: code === 'duplicate_identifier' ? 'warning' : 'error',
        message: problemMessage(code, input, row, firstRows[at] as number),
      };
    },
  };
}

const cellContext = (input: ColumnInput): CellContext => ({ type: input.type, sensitive: input.sensitive === true, defaultCountry: input.defaultCountry, allowed: input.allowed });

function problemMessage(code: CellProblemCode, input: ColumnInput, row: number, firstRow: number): string {
  switch (code) {
    case 'empty_identifier':
      return predictedRejection(emptyIdentifierMessage(input.header));
    case 'duplicate_identifier':
      return duplicateIdentifierMessage(firstRow + 1);
    default: {
      const verdict = checkCell(input.value(row), cellContext(input));
      return verdict.ok ? 'This value has changed since the column was checked.' : predictedRejection(verdict.message);
    }
  }
}
