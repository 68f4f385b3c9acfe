import { identifierValue, planRecord, propertiesRead, sameIdentifier, type PlanRun, type PlanSettings, type RecordPlan, type RecordSnapshot } from '../../shared/crmExport/planPush.ts';
import type { CrmWriter } from '../connectors/connector.ts';
import type { ScopedMember } from './pushMembers.ts';

/** The CrmWriter's lookups take at most 200 values a call. */
const LOOKUP_CHUNK = 200;

const chunks = <T>(items: readonly T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

export type PlannedMember = { member: ScopedMember; plan: RecordPlan };

/**
 * Plans a batch of members against the CRM as it is: reads their remembered records (getByIds), then for the
 * members still without one the first identifier, then the next for those it found nothing for — one findBy per
 * 200 values per round, never one call per member — and hands each member's finds to planRecord.
 */
export async function planBatch(
  writer: CrmWriter,
  object: string,
  settings: PlanSettings,
  run: PlanRun,
  members: readonly ScopedMember[],
  remembered: ReadonlyMap<string, string>,
): Promise<PlannedMember[]> {
  const fields = propertiesRead(settings);
  const rememberedIds = [...new Set(members.flatMap((m) => remembered.get(m.key) ?? []))];
  const byId = new Map<string, RecordSnapshot>();
  for (const ids of chunks(rememberedIds, LOOKUP_CHUNK)) for (const r of await writer.getByIds(object, ids, fields)) byId.set(r.id, r);

  const identifiers = settings.people.identifiers;
  const finds = new Map<string, RecordSnapshot[][]>(members.map((m) => [m.key, identifiers.map(() => [])]));
  // Members whose remembered record the CRM no longer has (deleted, merged) are matched by identifier again.
  let looking = members.filter((m) => !byId.has(remembered.get(m.key) ?? ''));
  for (const [i, identifier] of identifiers.entries()) {
    const valueOf = new Map(looking.flatMap((m) => {
      const v = identifierValue(m, identifier, settings.sensitiveAllowed);
      return v === null ? [] : [[m.key, v] as const];
    }));
    const values = [...new Set(valueOf.values())];
    const found: RecordSnapshot[] = [];
    for (const part of chunks(values, LOOKUP_CHUNK)) found.push(...(await writer.findBy(object, identifier.crmProperty, part, fields)));
    for (const m of looking) {
      const v = valueOf.get(m.key);
      const list = finds.get(m.key)?.[i];
      if (v !== undefined && list) list.push(...found.filter((r) => sameIdentifier(r.values[identifier.crmProperty], v)));
    }
    looking = looking.filter((m) => (finds.get(m.key)?.[i]?.length ?? 0) === 0);
    if (looking.length === 0) break;
  }
  return members.map((member) => ({
    member,
    plan: planRecord(member, settings, run, {
      remembered: byId.get(remembered.get(member.key) ?? '') ?? null,
      byIdentifier: finds.get(member.key) ?? [],
    }),
  }));
}
