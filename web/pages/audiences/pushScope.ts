import type { PushScope } from '../../../shared/schema/crmExport.ts';

/** The audience page's applied search as it stands. */
export type AppliedSearch = { identifier?: string; field?: string; value?: string };

/**
 * What "Sync to CRM" sends from the audience page: the members the search shows (an identifier wins over a field
 * filter, as one member is the narrower answer), else the whole audience.
 */
export function scopeOfSearch(search: AppliedSearch): PushScope {
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
