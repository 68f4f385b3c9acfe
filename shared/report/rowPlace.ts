/**
 * Where a row is, in words a marketer can follow in a spreadsheet or a text editor: the data row number the grid
 * shows, and the line of the file it starts on when that is known ("row 2 (line 3 of the file)"). One wording for
 * the grid, the report and the error CSV, multi-line rows included (their line is where they start).
 */
export function rowPlace(row: number, line?: number | null): string {
  return line == null ? `row ${row}` : `row ${row} (line ${line} of the file)`;
}

/** The same, for the start of a sentence. */
export function RowPlace(row: number, line?: number | null): string {
  const place = rowPlace(row, line);
  return place.charAt(0).toUpperCase() + place.slice(1);
}
