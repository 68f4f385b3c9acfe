/// <reference lib="webworker" />
// Hashing and sealing a batch of a privacy-mode import runs here, on another core: the tab only builds the plain
// rows and sends the finished bytes.
import { sealBatchCells } from '../../shared/privacy/index.ts';
import { unpackBatchRows } from './batchRows.ts';
import { type SealSteps, sealBatchBody } from './sealBatch.ts';
import type { SealReply, SealRequest } from './sealMessages.ts';

declare const self: DedicatedWorkerGlobalScope;

let setup: Extract<SealRequest, { type: 'setup' }> | null = null;

self.onmessage = async (event: MessageEvent<SealRequest>) => {
  const message = event.data;
  if (message.type === 'setup') {
    setup = message;
    return;
  }
  const reply = (r: SealReply, transfer: Transferable[] = []) => self.postMessage(r, transfer);
  try {
    if (!setup) throw new Error('no sealing key yet');
    const { key, positions, defaultCountry } = setup;
    const steps: SealSteps = { judgeMs: 0, cryptoMs: 0, encodeMs: 0 };
    const rows = unpackBatchRows(message.rows);
    const bytes = await sealBatchBody({ seq: message.seq, idempotencyKey: message.idempotencyKey, rows, positions, defaultCountry }, (rowsToSeal) => sealBatchCells(key, rowsToSeal), steps);
    // The encoder's buffer may be larger than its text: only the body moves back.
    const body = (bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;
    reply({ id: message.id, body, steps }, [body]);
  } catch (error) {
    reply({ id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
};
