/**
 * Why a file cannot be read. `message` is written for the marketer who picked the file; `code` is for programs
 * (the parse worker maps `invalid_encoding` to a Windows-1252 retry, the page shows the rest as they are).
 */
export type CsvErrorCode =
  | 'empty_file'
  | 'header_only'
  | 'binary_file'
  | 'invalid_encoding'
  | 'row_too_long'
  | 'too_many_columns';

export class CsvError extends Error {
  override readonly name = 'CsvError';
  readonly code: CsvErrorCode;
  /** 1-based data row number the problem was found at (or near), when it concerns a place in the file. */
  readonly row: number | null;

  constructor(code: CsvErrorCode, message: string, row: number | null = null) {
    super(message);
    this.code = code;
    this.row = row;
  }
}

/** Errors lose their class when posted between threads; this also recognises the plain `{ name, code }` copy. */
export function isCsvError(error: unknown): error is CsvError {
  return (
    error instanceof CsvError ||
    (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'CsvError' && typeof (error as { code?: unknown }).code === 'string')
  );
}
