import { batch, createEffect, createMemo, createResource, createSignal, on, type Resource, untrack } from 'solid-js';
import { defaultAttributePicks, defaultAttributes } from '../../../shared/crm/defaultAttributes.ts';
import type { CrmConnection, CrmImportConfig } from '../../../shared/schema/crm.ts';
import { connectionsApi } from '../../api/connections.ts';
import { splitKnown } from './attributeSelection.ts';
import { planColumns } from './crmColumns.ts';
import { createCrmFilters } from './crmFilters.ts';
import { orderObjects } from './objectOrder.ts';
import type { PausedCrmImport } from './pullResume.ts';

/**
 * A resource's value without its side effects: undefined after a failure (reading it would throw) and while it
 * loads (reading it would suspend the whole page); `keepStale` keeps the previous value during a refetch of the
 * same thing (a list read again), never wanted when the source changed (another table's fields).
 */
export function resourceValue<T>(r: Resource<T>, keepStale = false): T | undefined {
  if (r.error) return undefined;
  if (r.state === 'ready' || (keepStale && r.state === 'refreshing')) return r.latest;
  return undefined;
}

/**
 * What a CRM import reads: the table, its attributes and its filters, pre-filled once per table from a paused
 * import (the user came back from signing in again), else the table's saved import, else the defaults.
 */
export function createCrmSelection(options: {
  connection: CrmConnection;
  crm: string;
  initialObject: string | null;
  paused: PausedCrmImport | null;
  locale: string;
  timeZone: string;
}) {
  const { connection } = options;
  const [objects, { refetch: refetchObjects }] = createResource(() => connectionsApi.objects(connection.id));
  const [configs, { refetch: refetchConfigs }] = createResource(() => connectionsApi.configs(connection.id));
  const tables = createMemo(() => orderObjects(resourceValue(objects, true) ?? [], resourceValue(configs, true) ?? []));
  const [objectName, setObjectName] = createSignal<string | null>(options.initialObject);
  const object = createMemo(() => tables().find((o) => o.name === objectName()) ?? null);
  const config = createMemo<CrmImportConfig | null>(() => resourceValue(configs, true)?.find((c) => c.object === objectName()) ?? null);

  const [fields, { refetch: refetchFields }] = createResource(objectName, (name) => connectionsApi.fields(connection.id, name));
  const picks = createMemo(() => {
    const o = object();
    const f = resourceValue(fields);
    return o && f ? defaultAttributePicks(connection.kind, o, f) : [];
  });
  const defaults = createMemo(() => defaultAttributes(picks()));

  const [selected, setSelected] = createSignal<string[]>([]);
  /** Attributes of the saved import the table does not have any more: left out, and said so. */
  const [missing, setMissing] = createSignal<string[]>([]);
  const filters = createCrmFilters({ fields: () => resourceValue(fields), crm: options.crm, locale: options.locale, timeZone: options.timeZone });
  /** Set once the paused import's selection is back on the page. */
  const [restored, setRestored] = createSignal<PausedCrmImport | null>(null);

  // Each table starts once, when its fields are in: the saved configs are read again after an import starts, and
  // must not undo the user's choices. The defaults depend on the table's kind, so the list of tables must be in
  // too: a table opened from a link (?object=Contact) whose fields came first would otherwise start with nothing.
  const tablesSettled = () => objects.state === 'ready' || objects.state === 'refreshing' || Boolean(objects.error);
  let initialized: string | null = null;
  createEffect(
    on([objectName, () => resourceValue(fields), () => (configs.state === 'ready' || configs.state === 'refreshing' || configs.error ? (resourceValue(configs, true) ?? []) : undefined), tablesSettled], ([name, f, c, settled]) => {
      if (!name || !f || c === undefined || !settled || initialized === name) return;
      initialized = name;
      const paused = options.paused?.object === name ? options.paused : null;
      const saved = untrack(config);
      batch(() => {
        if (paused) {
          // As the user left them, unsaved; a field the table lost since is kept and flagged, not dropped.
          setSelected(paused.attributes);
          setMissing([]);
          filters.load(paused.filters, 'typed');
          setRestored(paused);
        } else if (saved) {
          const { known, missing: lost } = splitKnown(saved.attributes, f);
          setSelected(known);
          setMissing(lost);
          filters.load(saved.filters, 'saved');
        } else {
          setSelected(defaults());
          setMissing([]);
          filters.load([], 'saved');
        }
      });
    }),
  );

  const selectionKey = createMemo(() => JSON.stringify([objectName(), selected(), filters.readyFilters()]));
  const columns = createMemo(() => planColumns(selected(), resourceValue(fields) ?? [], picks()));

  return {
    objects,
    refetchObjects: () => void refetchObjects(),
    configs,
    refetchConfigs: () => void refetchConfigs(),
    tables,
    objectName,
    setObjectName,
    object,
    config,
    fields,
    refetchFields: () => void refetchFields(),
    picks,
    defaults,
    selected,
    setSelected,
    missing,
    filters,
    selectionKey,
    columns,
    restored,
  };
}

export type CrmSelection = ReturnType<typeof createCrmSelection>;
