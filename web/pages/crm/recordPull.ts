import type { CrmRecordPage } from '../../../shared/schema/crm.ts';
import { packRows } from '../../rows/rowChunk.ts';
import { RowStore } from '../../rows/rowStore.ts';
import { type PulledColumn, recordRow } from './crmColumns.ts';

/** Asks for the page at `cursor` (null: the first one). */
export type PageSource = (cursor: string | null, signal: AbortSignal | undefined) => Promise<CrmRecordPage>;

/** The part of a pull that outlives the page: rows in column order, the cursor of the next page, the total. */
export interface PulledSoFar {
  rows: string[][];
  cursor: string | null;
  total: number | null;
}

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

  /**
   * A pull that stopped in an earlier page of this tab (the user left to sign in again): its rows back in the store
   * and its cursor where it was, so `run` continues with the page that was not pulled yet.
   */
  static resume(columns: readonly PulledColumn[], saved: PulledSoFar): RecordPull {
    const pull = new RecordPull(columns, saved.total);
    if (saved.rows.length > 0) pull.store.append(packRows(saved.rows));
    pull.#pulled = saved.rows.length;
    pull.#cursor = saved.cursor;
    return pull;
  }

  /** What `resume` needs: the rows so far (as the grid would show them) and the cursor of the next page. */
  pulledSoFar(): PulledSoFar {
    const rows: string[][] = [];
    for (let r = 0; r < this.store.rowCount; r++) {
      const row: string[] = [];
      for (let c = 0; c < this.store.columnCount; c++) row.push(this.store.original(r, c) ?? '');
      rows.push(row);
    }
    return { rows, cursor: this.#cursor, total: this.#total };
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
