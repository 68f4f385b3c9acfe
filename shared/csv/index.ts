export { createCsvReader, MAX_COLUMNS, MAX_ROW_CHARS, SNIFF_BYTES } from './csvReader.ts';
export type { CsvHeader, CsvReader, CsvReaderOptions, CsvRowsCallback, CsvSummary } from './csvReader.ts';
export { CsvError, isCsvError, type CsvErrorCode } from './csvError.ts';
export { byteOrderMark, detectEncoding, ENCODING_LABELS, repairWindows1252, type CsvEncoding } from './encoding.ts';
export { CANDIDATE_DELIMITERS, detectDelimiter, sniffLayout, type Layout, type LineEnding } from './layout.ts';
export { binaryFileProblem } from './binaryFile.ts';
export { uniqueHeaders } from './uniqueHeaders.ts';
export { addRowLine, emptyRowLines, lineOfRow, type RowLines } from './rowLines.ts';
export { lenientParse } from './lenientParse.ts';
