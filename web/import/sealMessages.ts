import type { WorkspaceSealingKey } from '../../shared/schema/privacy.ts';
import type { PackedBatchRows } from './batchRows.ts';
import type { SensitivePosition } from './privateCells.ts';
import type { SealSteps } from './sealBatch.ts';

/** What a seal worker is told: once what every batch of the import shares, then one message per batch. */
export type SealRequest =
  | { type: 'setup'; key: WorkspaceSealingKey; positions: SensitivePosition[]; defaultCountry: string }
  | { type: 'seal'; id: number; seq: number; idempotencyKey: string; rows: PackedBatchRows };

/**
 * The batch body as UTF-8 JSON (its buffer transferred, not copied) and where the worker's time went, or why it
 * could not be sealed.
 */
export type SealReply = { id: number; body: ArrayBuffer; steps: SealSteps } | { id: number; error: string };
