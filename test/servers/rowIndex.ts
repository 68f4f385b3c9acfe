/**
 * Equality indexes over a fake CRM's rows, as the real CRMs keep them on their key columns (Salesforce: Id, Name,
 * Email, lookups, external ids; Dataverse: the primary key and alternate keys), so that looking 200 values up costs
 * O(200), not a scan of the whole table. An index only narrows: it hands back rows that may match, and the caller
 * still applies its full condition, so query semantics stay those of the fake's own evaluator.
 *
 * Keys are the values as text in lower case (both CRMs compare text without case). Rows a write adds or changes in
 * place are announced with `noted` (add-only: an entry for a value the row no longer holds is left behind and
 * filtered out by the caller's condition); anything else that replaces, removes or reorders rows calls `reset`, and
 * the index is rebuilt from the rows at the next lookup.
 */
export class RowIndex<Row extends object> {
  private readonly byColumn = new Map<string, Map<string, Set<Row>>>();
  /** Table order of each row, so candidates come back in the order a scan would have found them. */
  private order = new Map<Row, number>();
  private built = false;

  constructor(
    private readonly rows: () => readonly Row[],
    private readonly valueOf: (row: Row, column: string) => unknown,
  ) {}

  static key(value: unknown): string | null {
    if (value === null || value === undefined || typeof value === 'object') return null;
    return String(value).toLowerCase();
  }

  /** Rows whose `column` may equal one of `values` (text compared without case), in table order. */
  candidates(column: string, values: Iterable<unknown>): Row[] {
    const index = this.column(column);
    const found = new Set<Row>();
    for (const value of values) {
      const key = RowIndex.key(value);
      if (key === null) continue;
      for (const row of index.get(key) ?? []) found.add(row);
    }
    return [...found].sort((a, b) => (this.order.get(a) ?? 0) - (this.order.get(b) ?? 0));
  }

  /** A row added at the end of the table, or changed in place. */
  noted(row: Row): void {
    if (!this.built) return;
    if (!this.order.has(row)) this.order.set(row, this.order.size);
    for (const [column, index] of this.byColumn) add(index, RowIndex.key(this.valueOf(row, column)), row);
  }

  /** Rows replaced, removed or reordered outside `noted`: rebuilt at the next lookup. */
  reset(): void {
    this.byColumn.clear();
    this.order = new Map();
    this.built = false;
  }

  private column(column: string): Map<string, Set<Row>> {
    if (!this.built) {
      this.rows().forEach((row, i) => this.order.set(row, i));
      this.built = true;
    }
    let index = this.byColumn.get(column);
    if (!index) {
      index = new Map();
      for (const row of this.rows()) add(index, RowIndex.key(this.valueOf(row, column)), row);
      this.byColumn.set(column, index);
    }
    return index;
  }
}

function add<Row>(index: Map<string, Set<Row>>, key: string | null, row: Row): void {
  if (key === null) return;
  let rows = index.get(key);
  if (!rows) {
    rows = new Set();
    index.set(key, rows);
  }
  rows.add(row);
}
