/**
 * Object metadata (a Salesforce describe, a Dataverse table's attribute definitions) kept between the requests of
 * one isolate, so the pages of a pull after the first reuse what the first page read. Without it every page pays
 * the describe again: one more CRM round trip per page on Salesforce (and one more API call against the org's
 * daily limit), four on Dataverse. A cursor page also flattens with the same picklist labels as the first page.
 *
 * Only cursor pages read from here; a first page, a preview and the field list always read afresh and refresh the
 * entry, so a field added in the CRM shows up at the next pull. Entries are keyed by workspace and connection (a
 * connection is one org and one user, whose field-level security shapes the describe) and expire on their own.
 */
export type PullMetadataOptions = {
  ttlMs: number;
  /** Oldest entries go first beyond this; a describe is a few hundred KB at most. */
  maxEntries: number;
  now?: () => number;
};

/** The entries of one connection, by object name. */
export interface ConnectionMetadata<T> {
  get(object: string): T | undefined;
  set(object: string, value: T): void;
}

export class PullMetadata<T> {
  readonly #entries = new Map<string, { value: T; expiresAt: number }>();
  readonly #now: () => number;

  constructor(private readonly options: PullMetadataOptions) {
    this.#now = options.now ?? Date.now;
  }

  forConnection(workspaceId: string, connectionId: string): ConnectionMetadata<T> {
    // JSON keeps the parts apart whatever characters they hold.
    const key = (object: string) => JSON.stringify([workspaceId, connectionId, object]);
    return {
      get: (object) => {
        const k = key(object);
        const entry = this.#entries.get(k);
        if (!entry) return undefined;
        if (entry.expiresAt <= this.#now()) {
          this.#entries.delete(k);
          return undefined;
        }
        return entry.value;
      },
      set: (object, value) => {
        const k = key(object);
        // Re-inserted at the end: Map order is then oldest-written first.
        this.#entries.delete(k);
        this.#entries.set(k, { value, expiresAt: this.#now() + this.options.ttlMs });
        while (this.#entries.size > this.options.maxEntries) {
          const oldest = this.#entries.keys().next().value;
          if (oldest === undefined) break;
          this.#entries.delete(oldest);
        }
      },
    };
  }
}

/**
 * The metadata one connector reads while it serves a request, for every CRM: each object loaded once (calls side
 * by side share the load), a failed load forgotten so the next call asks again, and on a cursor page (`reuse`)
 * what an earlier request of the pull kept. A fresh load refreshes the kept entry.
 */
export class RequestMetadata<T> {
  readonly #loaded = new Map<string, Promise<T>>();

  constructor(
    private readonly kept: ConnectionMetadata<T> | undefined,
    private readonly load: (object: string) => Promise<T>,
  ) {}

  get(object: string, reuse = false): Promise<T> {
    let entry = this.#loaded.get(object);
    if (entry) return entry;
    const kept = reuse ? this.kept?.get(object) : undefined;
    entry =
      kept !== undefined
        ? Promise.resolve(kept)
        : this.load(object).then((loaded) => {
            this.kept?.set(object, loaded);
            return loaded;
          });
    this.#loaded.set(object, entry);
    entry.catch(() => this.#loaded.delete(object));
    return entry;
  }
}
