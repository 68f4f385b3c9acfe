import type { PushScope } from '../../../shared/schema/crmExport.ts';

/** The audience page's applied search as it stands (`identifierDigest`: a private audience's, hashed in the tab). */
export type AppliedSearch = { identifier?: string; identifierDigest?: string; field?: string; value?: string };

/**
 * What "Sync to CRM" sends from the audience page: the members the search shows (an identifier wins over a field
 * filter, as one member is the narrower answer), else the whole audience. A private audience's identifier was never
 * sent in plain and is not now: the member the search found is named by its id (null: it found nobody to send).
 */
export function scopeOfSearch(search: AppliedSearch, found: readonly { id: string }[] = []): PushScope | null {
  if (search.identifierDigest) {
    const member = found.length === 1 ? found[0] : undefined;
    return member ? { kind: 'member', memberId: Number(member.id) } : null;
  }
  if (search.identifier) return { kind: 'selection', search: search.identifier };
  if (search.field && search.value) return { kind: 'filter', field: search.field, value: search.value };
  return { kind: 'audience' };
}

/** The scope in words, for the dialog's title. */
export function scopeLabel(scope: PushScope, fieldLabel: (key: string) => string): string {
  switch (scope.kind) {
    case 'audience':
      return 'every member of this audience';
    case 'selection':
      return `the member found by “${scope.search}”`;
    case 'filter':
      return `the members whose ${fieldLabel(scope.field)} is “${scope.value}”`;
    case 'member':
      return 'this member';
  }
}
