import type { FieldType } from '../../shared/schema/fields.ts';
import type { BatchSealingHeader, SealedCell } from '../../shared/schema/privacy.ts';
import type { PrivateBatchRow } from '../../shared/schema/imports.ts';
import { placeSealed, prepareSealing, type SensitivePosition } from './privateCells.ts';

/** shared/privacy's sealBatchCells with the workspace key bound: hashes and seals the values of one batch. */
export type SealCells = (cells: { type: FieldType; normalized: string }[]) => Promise<{ sealing: BatchSealingHeader; cells: SealedCell[] }>;

/** One batch of a privacy-mode import, as the sender hands it to a pool worker. */
export interface SealBatchInput {
  seq: number;
  idempotencyKey: string;
  /** This batch's rows with plain values, built from the row store (buildBatchRows): changed in place. */
  rows: PrivateBatchRow[];
  positions: readonly SensitivePosition[];
  defaultCountry: string;
}

/**
 * Builds a privacy-mode batch body: every sensitive value normalised by the shared rules and either refused or
 * hashed and sealed (one sealing key per batch), then the whole body as UTF-8 JSON bytes. Bytes, because the
 * body is final here: a retry sends exactly these bytes again under the same idempotency key, and an
 * ArrayBuffer moves back to the tab without a copy.
 */
export async function sealBatchBody(input: SealBatchInput, seal: SealCells): Promise<Uint8Array> {
  const work = prepareSealing(input.rows, input.positions, input.defaultCountry);
  const { sealing, cells } = await seal(work.cells);
  placeSealed(input.rows, work, cells);
  return new TextEncoder().encode(JSON.stringify({ seq: input.seq, idempotencyKey: input.idempotencyKey, sealing, rows: input.rows }));
}
