/**
 * A query record as the grid wants it: the selected fields only, every value a string or null. Salesforce sends
 * `attributes` and nested objects (relationships, compound values) alongside; they are dropped, never stringified.
 * Picklist values become their labels, which is what users see in Salesforce.
 */
export function flattenRecord(
  record: Readonly<Record<string, unknown>>,
  select: readonly string[],
  picklistLabels: ReadonlyMap<string, ReadonlyMap<string, string>>,
): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const name of select) {
    const value = record[name];
    const labels = picklistLabels.get(name);
    if (typeof value === 'string') {
      out[name] = labels ? labelsOf(value, labels) : value;
    } else if (typeof value === 'number') {
      out[name] = Number.isFinite(value) ? String(value) : null;
    } else if (typeof value === 'boolean') {
      out[name] = value ? 'true' : 'false';
    } else {
      out[name] = null;
    }
  }
  return out;
}

// Multi-select picklists come as "A;B;C".
function labelsOf(value: string, labels: ReadonlyMap<string, string>): string {
  if (!value.includes(';')) return labels.get(value) ?? value;
  return value
    .split(';')
    .map((v) => labels.get(v) ?? v)
    .join(';');
}
