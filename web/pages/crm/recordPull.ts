import type { CrmRecordPage } from '../../../shared/schema/crm.ts';
import { packRows } from '../../rows/rowChunk.ts';
import { RowStore } from '../../rows/rowStore.ts';
import { type PulledColumn, recordRow } from './crmColumns.ts';

/** Asks for the page at `cursor` (null: the first one). */
export type PageSource = (cursor: string | null, signal: AbortSignal | undefined) => Promise<CrmRecordPage>;

export interface PullProgress {
  pulled: number;
  /** Records the selection matches, when the CRM said so. */
  total: number | null;
}

/**
 * Records of one CRM selection, pulled page by page into a RowStore (the same packed rows a parsed file gives the
 * grid). The cursor moves on only once a page is in the store: when a page fails, `run` throws and a later `run`
 * asks for that same page again, so a dropped pull resumes without losing or repeating a record.
 */
export class RecordPull {
  readonly store: RowStore;
  #cursor: string | null = null;
  #done = false;
  #pulled = 0;
  #total: number | null;
  #running = false;

  constructor(
    readonly columns: readonly PulledColumn[],
    total: number | null = null,
  ) {
    this.store = new RowStore(columns.map((c) => c.header));
    this.#total = total;
  }

  get progress(): PullProgress {
    return { pulled: this.#pulled, total: this.#total };
  }

  get done(): boolean {
    return this.#done;
  }

  async run(fetchPage: PageSource, options: { signal?: AbortSignal; onProgress?: (p: PullProgress) => void } = {}): Promise<RowStore> {
    if (this.#running) throw new Error('this pull is already running');
    this.#running = true;
    try {
      while (!this.#done) {
        options.signal?.throwIfAborted();
        const page = await fetchPage(this.#cursor, options.signal);
        // An abort that lands while the answer is on its way must not add the page: the caller has moved on.
        options.signal?.throwIfAborted();
        if (page.records.length > 0) this.store.append(packRows(page.records.map((r) => recordRow(r, this.columns))));
        this.#pulled += page.records.length;
        if (page.total !== null) this.#total = page.total;
        if (page.nextCursor === null) {
          this.#done = true;
          this.store.finish();
        } else {
          this.#cursor = page.nextCursor;
        }
        options.onProgress?.(this.progress);
      }
      return this.store;
    } finally {
      this.#running = false;
    }
  }
}
