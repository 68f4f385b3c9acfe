import type { CrmKind } from '../../shared/schema/crm.ts';
import { dynamicsProvider } from './dynamics/index.ts';
import type { CrmProvider } from './provider.ts';
import { salesforceProvider } from './salesforce/index.ts';

/** Every CRM this app connects to, by the `kind` stored with a connection and used in /api/connections/:crm/… */
export const PROVIDERS: { readonly [K in CrmKind]: CrmProvider<never> } = {
  salesforce: salesforceProvider as CrmProvider<never>,
  dynamics: dynamicsProvider as CrmProvider<never>,
};

export function providerOf(kind: string): CrmProvider<unknown> | null {
  return Object.hasOwn(PROVIDERS, kind) ? (PROVIDERS[kind as CrmKind] as CrmProvider<unknown>) : null;
}
