import { createSignal } from 'solid-js';
import type { CrmConnection } from '../../../shared/schema/crm.ts';

/**
 * Connections whose login a CRM refused since their list was read. The Worker marks them too, but lists already on
 * screen (the import page's Integrated systems, the connection cards) were read before: without this they would go
 * on saying "Connected" beside a notice that says the opposite.
 */
const [refused, setRefused] = createSignal<ReadonlySet<string>>(new Set());

export function noteLoginRefused(connectionId: string): void {
  if (!refused().has(connectionId)) setRefused(new Set([...refused(), connectionId]));
}

/** A new sign-in went through: the list the page reads next is right again. */
export function noteSignedIn(connectionId: string): void {
  if (refused().has(connectionId)) setRefused(new Set([...refused()].filter((id) => id !== connectionId)));
}

/** The connection's state as last learned, from its list or from a call the CRM refused since. */
export function connectionStatus(connection: Pick<CrmConnection, 'id' | 'status'>): CrmConnection['status'] {
  return refused().has(connection.id) ? 'needs_reauth' : connection.status;
}
