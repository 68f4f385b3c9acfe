import { Buffer } from 'node:buffer';

// D1 caps a string value (and so a bound JSON parameter) at 2 MB; chunks stay well under it.
export const MAX_JSON_PARAM_BYTES = 1_000_000;

/**
 * Packs items into JSON arrays of at most `maxBytes` each: one bound parameter then carries many rows to an
 * `INSERT … SELECT … FROM json_each(?)`, instead of hitting D1's 100-bound-parameters-per-statement limit.
 */
export function jsonChunks(items: readonly unknown[], maxBytes = MAX_JSON_PARAM_BYTES): string[] {
  const chunks: string[] = [];
  let parts: string[] = [];
  let bytes = 2;
  for (const item of items) {
    const json = JSON.stringify(item);
    const size = Buffer.byteLength(json, 'utf8') + 1;
    if (parts.length && bytes + size > maxBytes) {
      chunks.push(`[${parts.join(',')}]`);
      parts = [];
      bytes = 2;
    }
    parts.push(json);
    bytes += size;
  }
  if (parts.length) chunks.push(`[${parts.join(',')}]`);
  return chunks;
}
