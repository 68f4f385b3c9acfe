import { createMemo, createSignal } from 'solid-js';
import type { CrmField, CrmFilter } from '../../../shared/schema/crm.ts';
import { checkFilter, draftValue, type FilterDraft } from './filterValue.ts';

/**
 * The filter rows of a CRM import as the user edits them, and what of them can be sent: complete rows in the
 * CRM's form (numbers read in the user's locale), incomplete ones left out (and counted), and rows the app itself
 * finds wrong (a field the table lost, a value that is no number) flagged, which holds the preview and the pull.
 */
export function createCrmFilters(options: { fields: () => readonly CrmField[] | undefined; crm: string; locale: string; timeZone: string }) {
  const [filters, setFilters] = createSignal<FilterDraft[]>([]);
  let keys = 0;
  // A saved filter's time zone is the one it was sent with; the rows carry none, the user's own is added on sending.
  const draft = ({ timeZone: _zone, ...f }: CrmFilter): FilterDraft => ({ ...f, key: ++keys });

  const checks = createMemo(() => {
    const fields = options.fields() ?? [];
    return filters().map((f) => ({ key: f.key, check: checkFilter(f, fields, options.crm, options.locale, options.timeZone) }));
  });
  const readyFilters = createMemo<CrmFilter[]>(() => checks().flatMap((c) => (c.check.state === 'ready' ? [c.check.filter] : [])));
  const problems = createMemo(
    () => new Map(checks().flatMap((c) => (c.check.state === 'unknown_field' || c.check.state === 'invalid' ? [[c.key, c.check.message] as const] : []))),
  );

  return {
    filters,
    setFilters,
    add: () => setFilters((list) => [...list, draft({ field: '', operator: 'equals', value: '' })]),
    /** A saved import's filters (numbers as the CRM reads them) or a paused import's (as the user typed them). */
    load: (saved: readonly CrmFilter[], as: 'saved' | 'typed') =>
      setFilters(saved.map((f) => draft(as === 'saved' ? { ...f, value: draftValue(f, options.fields() ?? [], options.locale) } : f))),
    /** The rows as typed, without their editing keys: what a paused import keeps. */
    typed: (): CrmFilter[] => filters().map(({ key: _key, ...f }) => f),
    readyFilters,
    incompleteFilters: () => checks().filter((c) => c.check.state === 'incomplete').length,
    /** Per filter row (by key): why it cannot be sent. */
    problems,
  };
}

export type CrmFilters = ReturnType<typeof createCrmFilters>;
