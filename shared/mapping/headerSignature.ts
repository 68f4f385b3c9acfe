/**
 * Identifies "the same file layout" across uploads: header names case- and spacing-insensitive, order ignored
 * (exports from the same CRM report sometimes shuffle columns).
 */
export function headerSignature(headers: readonly string[]): string {
  return [...new Set(headers.map((h) => h.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ')))]
    .sort()
    .join('\u001f');
}
