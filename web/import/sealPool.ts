import type { WorkspaceSealingKey } from '../../shared/schema/privacy.ts';
import { type PackedBatchRows, packedTransferables } from './batchRows.ts';
import type { SensitivePosition } from './privateCells.ts';
import type { SealReply, SealRequest } from './sealMessages.ts';
import { measureSince, SAVE_TIMINGS } from './saveTimings.ts';

/** Most workers a pool starts: more cores than this only add memory, the network is the limit by then. */
export const MAX_SEAL_WORKERS = 4;

/**
 * Workers for the user's cores, one left for the tab (the grid, the page, the sending): at least one, at most
 * MAX_SEAL_WORKERS. `hardwareConcurrency` is absent in some browsers and may be 1.
 */
export function sealWorkerCount(hardwareConcurrency: number | undefined): number {
  const cores = Number.isFinite(hardwareConcurrency) && (hardwareConcurrency ?? 0) > 0 ? Math.floor(hardwareConcurrency as number) : 2;
  return Math.max(1, Math.min(MAX_SEAL_WORKERS, cores - 1));
}

export interface SealPoolSetup {
  key: WorkspaceSealingKey;
  positions: SensitivePosition[];
  defaultCountry: string;
}

export interface SealPool {
  readonly size: number;
  /**
   * Seals one batch in a worker: its sensitive values normalised, refused or hashed and sealed, the body as UTF-8
   * JSON bytes. The packed rows are given up: their buffers move to the worker.
   */
  seal(batch: { seq: number; idempotencyKey: string; rows: PackedBatchRows }): Promise<Uint8Array>;
  /** Stops every worker; batches still sealing are refused. */
  close(): void;
}

type Task = { message: Extract<SealRequest, { type: 'seal' }>; started: number; resolve: (body: Uint8Array) => void; reject: (error: Error) => void };
type Slot = { worker: Worker; task: Task | null };

/**
 * A small pool of module Web Workers for the per-batch work of a privacy-mode import, so hashing and sealing
 * use the user's cores and never the tab's main thread. Workers start on first use; each seals one batch at a
 * time, the rest wait in order.
 */
export function createSealPool(setup: SealPoolSetup, size = sealWorkerCount(navigator.hardwareConcurrency)): SealPool {
  const slots: Slot[] = [];
  const queue: Task[] = [];
  let nextId = 0;
  let closed = false;

  const fail = (slot: Slot, error: Error) => {
    const task = slot.task;
    slot.task = null;
    task?.reject(error);
  };

  const start = (): Slot => {
    const worker = new Worker(new URL('./seal.worker.ts', import.meta.url), { type: 'module', name: `seal-${slots.length + 1}` });
    const slot: Slot = { worker, task: null };
    worker.onmessage = (event: MessageEvent<SealReply>) => {
      const reply = event.data;
      const task = slot.task;
      if (!task || task.message.id !== reply.id) return;
      slot.task = null;
      measureSince(SAVE_TIMINGS.seal, task.started);
      if ('body' in reply) {
        // The worker's own steps, as spans of the same length on the page's timeline (their sums are what count).
        for (const [name, ms] of [[SAVE_TIMINGS.judge, reply.steps.judgeMs], [SAVE_TIMINGS.crypto, reply.steps.cryptoMs], [SAVE_TIMINGS.encode, reply.steps.encodeMs]] as const) {
          performance.measure(name, { start: task.started, duration: ms });
        }
        task.resolve(new Uint8Array(reply.body));
      }
      else task.reject(new Error(reply.error));
      dispatch();
    };
    worker.onerror = (event) => {
      event.preventDefault();
      fail(slot, new Error(`The browser stopped sealing the sensitive values (${event.message || 'worker error'}).`));
      // A worker that failed once is not trusted with the next batch: a fresh one takes its place.
      worker.terminate();
      slots.splice(slots.indexOf(slot), 1);
      dispatch();
    };
    worker.postMessage({ type: 'setup', key: setup.key, positions: setup.positions, defaultCountry: setup.defaultCountry } satisfies SealRequest);
    slots.push(slot);
    return slot;
  };

  const dispatch = () => {
    while (queue.length > 0 && !closed) {
      const slot = slots.find((s) => s.task === null) ?? (slots.length < size ? start() : null);
      if (!slot) return;
      const task = queue.shift() as Task;
      slot.task = task;
      task.started = performance.now();
      slot.worker.postMessage(task.message, packedTransferables(task.message.rows));
      measureSince(SAVE_TIMINGS.post, task.started);
    }
  };

  return {
    size,
    seal(batch) {
      if (closed) return Promise.reject(new Error('the sealing pool is closed'));
      return new Promise<Uint8Array>((resolve, reject) => {
        queue.push({ message: { type: 'seal', id: nextId++, ...batch }, started: 0, resolve, reject });
        dispatch();
      });
    },
    close() {
      closed = true;
      const stopped = new Error('sealing stopped');
      for (const slot of slots) {
        slot.worker.terminate();
        fail(slot, stopped);
      }
      slots.length = 0;
      for (const task of queue.splice(0)) task.reject(stopped);
    },
  };
}
