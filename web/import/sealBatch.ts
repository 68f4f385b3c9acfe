import type { CellToSeal, SealedRowCells } from '../../shared/privacy/index.ts';
import type { BatchSealingHeader } from '../../shared/schema/privacy.ts';
import type { PrivateBatchRow } from '../../shared/schema/imports.ts';
import { placeSealed, prepareSealing, type SensitivePosition } from './privateCells.ts';

/** shared/privacy's sealBatchCells with the workspace key bound: hashes the values of one batch and seals each row's in one envelope. */
export type SealCells = (rows: CellToSeal[][]) => Promise<{ sealing: BatchSealingHeader; rows: SealedRowCells[] }>;

/** One batch of a privacy-mode import, as the sender hands it to a pool worker. */
export interface SealBatchInput {
  seq: number;
  idempotencyKey: string;
  /** This batch's rows with plain values, built from the row store (buildBatchRows): changed in place. */
  rows: PrivateBatchRow[];
  positions: readonly SensitivePosition[];
  defaultCountry: string;
}

/** Milliseconds a batch spent in each step of sealBatchBody: checking and normalising, crypto, JSON and UTF-8. */
export interface SealSteps {
  judgeMs: number;
  cryptoMs: number;
  encodeMs: number;
}

/**
 * Builds a privacy-mode batch body: every sensitive value normalised by the shared rules and either refused or
 * hashed and sealed (one sealing key per batch, one envelope per row), then the whole body as UTF-8 JSON bytes. Bytes, because the
 * body is final here: a retry sends exactly these bytes again under the same idempotency key, and an
 * ArrayBuffer moves back to the tab without a copy.
 */
export async function sealBatchBody(input: SealBatchInput, seal: SealCells, steps?: SealSteps): Promise<Uint8Array> {
  const t0 = performance.now();
  const work = prepareSealing(input.rows, input.positions, input.defaultCountry);
  const t1 = performance.now();
  const { sealing, rows } = await seal(work.rows);
  const t2 = performance.now();
  placeSealed(input.rows, work, rows);
  const bytes = new TextEncoder().encode(JSON.stringify({ seq: input.seq, idempotencyKey: input.idempotencyKey, sealing, rows: input.rows }));
  if (steps) Object.assign(steps, { judgeMs: t1 - t0, cryptoMs: t2 - t1, encodeMs: performance.now() - t2 } satisfies SealSteps);
  return bytes;
}
