import { hashInput } from '../normalize/normalizeValue.ts';
import type { FieldType } from '../schema/fields.ts';
import { checkSensitiveCell } from './checkSensitiveCell.ts';

export type IdentifierDigest = { ok: true; digest: string } | { ok: false; message: string };

/**
 * What the tab sends to find a member of a private audience by a sensitive identifier: the typed value checked and
 * normalised by the import's own cell rule (checkSensitiveCell, as when sealing), then the SHA-256 hex of
 * hashInput(type, normalized) — exactly the `h` sealBatchCells gives that value, which the Worker keys as on ingest.
 * An invalid value says why in the masked words of the import rules (never quoting it); nothing is sent then.
 */
export async function identifierDigest(typed: string, column: { type: FieldType; defaultCountry: string }): Promise<IdentifierDigest> {
  const verdict = checkSensitiveCell(typed, { type: column.type, defaultCountry: column.defaultCountry });
  if (!verdict.ok) return { ok: false, message: verdict.refused.message };
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(hashInput(column.type, verdict.normalized))));
  return { ok: true, digest: Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('') };
}
