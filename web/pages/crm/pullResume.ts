import { z } from 'zod';
import { CrmFilter } from '../../../shared/schema/crm.ts';

/**
 * An import from a CRM that had to wait for a new sign-in: the table, the attributes and filters as the user left
 * them (unsaved), and the records pulled so far with the cursor of the next page. Kept in sessionStorage, per
 * connection, for the round trip through the CRM's login page, which reloads the app.
 */
export const PausedCrmImport = z.object({
  connectionId: z.string(),
  object: z.string(),
  attributes: z.array(z.string()),
  /** As typed (a German "1,5" stays "1,5"); checked again when the import page is back. */
  filters: z.array(CrmFilter),
  pulled: z
    .object({
      /** The selection the rows were pulled with: rows of another selection are never continued. */
      selectionKey: z.string(),
      headers: z.array(z.string()),
      rows: z.array(z.array(z.string())),
      cursor: z.string().nullable(),
      total: z.number().int().nullable(),
    })
    .nullable(),
});
export type PausedCrmImport = z.infer<typeof PausedCrmImport>;

type Storage = Pick<globalThis.Storage, 'getItem' | 'setItem' | 'removeItem'>;
const pausedKey = (connectionId: string) => `audience-import:paused-crm-import:${connectionId}`;
const returnKey = (connectionId: string) => `audience-import:return-after-sign-in:${connectionId}`;

/**
 * Keeps the import for the round trip. A pull too big for the tab's session storage (a few MB) keeps its
 * selection and starts the pull again; the answer says which of the two happened.
 */
export function keepPausedImport(paused: PausedCrmImport, storage: Storage = sessionStorage): 'all' | 'selection' | 'nothing' {
  try {
    storage.setItem(pausedKey(paused.connectionId), JSON.stringify(paused));
    return 'all';
  } catch {
    try {
      storage.setItem(pausedKey(paused.connectionId), JSON.stringify({ ...paused, pulled: null }));
      return 'selection';
    } catch {
      return 'nothing';
    }
  }
}

/** The paused import of this connection, if its table is the one the page opens. */
export function pausedImport(connectionId: string, object: string | null, storage: Storage = sessionStorage): PausedCrmImport | null {
  try {
    const text = storage.getItem(pausedKey(connectionId));
    if (!text) return null;
    const parsed = PausedCrmImport.safeParse(JSON.parse(text));
    return parsed.success && parsed.data.connectionId === connectionId && (object === null || parsed.data.object === object) ? parsed.data : null;
  } catch {
    return null;
  }
}

export function forgetPausedImport(connectionId: string, storage: Storage = sessionStorage): void {
  try {
    storage.removeItem(pausedKey(connectionId));
  } catch {
    /* storage disabled: nothing was kept */
  }
}

/** Where the sign-in started from, so coming back with this connection lands there rather than on Integrated systems. */
export function rememberReturn(connectionId: string, path: string, storage: Storage = sessionStorage): void {
  try {
    storage.setItem(returnKey(connectionId), path);
  } catch {
    /* storage disabled: the user lands on Integrated systems, with a link to import */
  }
}

/** Read once; only app paths, so a stored value can never send the browser elsewhere. */
export function takeReturn(connectionId: string, storage: Storage = sessionStorage): string | null {
  try {
    const path = storage.getItem(returnKey(connectionId));
    storage.removeItem(returnKey(connectionId));
    return path && path.startsWith('/') && !path.startsWith('//') ? path : null;
  } catch {
    return null;
  }
}
