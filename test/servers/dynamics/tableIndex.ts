import { RowIndex } from '../rowIndex.ts';
import type { Expr } from './odataQuery.ts';
import type { FakeAttribute, FakeTable } from './tables.ts';

type Row = Record<string, unknown>;

const indexes = new WeakMap<FakeTable, RowIndex<Row>>();

/**
 * The equality index of a table's rows (test/servers/rowIndex.ts), by logical column name. Text is keyed in Unicode
 * NFC, lower case: the fake compares text without case (`localeCompare` of lower-cased values).
 */
export function tableIndex(table: FakeTable): RowIndex<Row> {
  let index = indexes.get(table);
  if (!index) {
    index = new RowIndex<Row>(
      () => table.rows,
      (row, column) => {
        const value = row[column];
        return typeof value === 'string' ? value.normalize('NFC') : value;
      },
    );
    indexes.set(table, index);
  }
  return index;
}

/**
 * Columns Dataverse keeps an index on: the primary key, the primary name, lookups (foreign keys) and the columns
 * of the table's alternate keys.
 */
export function isIndexedColumn(table: FakeTable, attribute: FakeAttribute, alternateKeys: readonly string[]): boolean {
  return (
    attribute.LogicalName === table.PrimaryIdAttribute ||
    attribute.LogicalName === table.PrimaryNameAttribute ||
    ['Lookup', 'Owner', 'Customer'].includes(attribute.AttributeType) ||
    alternateKeys.includes(attribute.LogicalName)
  );
}

/**
 * The rows an indexed equality of a $filter allows — `p eq 'a'`, `p eq 'a' or p eq 'b' …` (what the writer's lookups
 * send), ANDed with anything — in table order; null when the filter has none and the query scans. The caller still
 * evaluates the whole filter over them.
 */
export function indexedRows(table: FakeTable, filter: Expr, columnOf: (property: string) => FakeAttribute | undefined, alternateKeys: readonly string[]): Row[] | null {
  const equals = indexableEquals(filter);
  if (!equals) return null;
  const attribute = columnOf(equals.property);
  if (!attribute || !isIndexedColumn(table, attribute, alternateKeys)) return null;
  return tableIndex(table).candidates(
    attribute.LogicalName,
    equals.values.map((v) => v.normalize('NFC')),
  );
}

function indexableEquals(expr: Expr): { property: string; values: string[] } | null {
  switch (expr.kind) {
    case 'compare':
      return expr.op === 'eq' && typeof expr.value === 'string' ? { property: expr.property, values: [expr.value] } : null;
    case 'or': {
      const left = indexableEquals(expr.left);
      const right = left && indexableEquals(expr.right);
      return left && right && left.property === right.property ? { property: left.property, values: [...left.values, ...right.values] } : null;
    }
    case 'and':
      return indexableEquals(expr.left) ?? indexableEquals(expr.right);
    default:
      return null;
  }
}
