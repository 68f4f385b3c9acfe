import { identifierValue, planRecord, propertiesRead, sameIdentifier, type PlanRun, type PlanSettings, type RecordPlan, type RecordSnapshot } from '../../shared/crmExport/planPush.ts';
import type { CrmWriter } from '../connectors/connector.ts';
import type { ScopedMember } from './pushMembers.ts';

/** Values handed to one findBy / getByIds call; the connector splits them into queries by its CRM's URL limits. */
const LOOKUP_CHUNK = 1000;

/**
 * Lookups in flight at once. Both CRMs serve concurrent requests of one user (Salesforce counts only long-running
 * ones against its limit of 25; Dataverse allows 52), and a batch of thousands of members needs tens of lookups,
 * each one a round trip of tens to hundreds of milliseconds to a real CRM. Eight: a batch's lookups run while the
 * batch before is written (up to four Dataverse $batch requests), and should end before that write does.
 */
const LOOKUPS_IN_FLIGHT = 8;

const chunks = <T>(items: readonly T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** An identifier value as sameIdentifier compares it (trimmed, lower case); null when empty. */
const identifierKey = (value: string | null | undefined): string | null => value?.trim().toLowerCase() || null;

/** The lookups of `parts`, at most LOOKUPS_IN_FLIGHT at a time, their answers concatenated in the order of `parts`. */
export async function lookUpAll<T, R>(parts: readonly T[], lookUp: (part: T) => Promise<R[]>): Promise<R[]> {
  const answers: R[][] = new Array(parts.length);
  let next = 0;
  const worker = async () => {
    while (next < parts.length) {
      const at = next++;
      answers[at] = await lookUp(parts[at] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(LOOKUPS_IN_FLIGHT, parts.length) }, worker));
  return answers.flat();
}

/** `seen`: the ids of the CRM records the plan was made from (remembered and found), for overlappingWrites.ts. */
export type PlannedMember = { member: ScopedMember; plan: RecordPlan; seen: readonly string[] };

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
  for (const r of await lookUpAll(chunks(rememberedIds, LOOKUP_CHUNK), (ids) => writer.getByIds(object, ids, fields))) byId.set(r.id, r);

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
    const found = await lookUpAll(chunks(values, LOOKUP_CHUNK), (part) => writer.findBy(object, identifier.crmProperty, part, fields));
    // By value as the CRMs compare it (sameIdentifier: trimmed, without case), so each member's finds cost one look-up.
    const foundBy = new Map<string, RecordSnapshot[]>();
    for (const r of found) {
      const key = identifierKey(r.values[identifier.crmProperty]);
      if (key !== null) foundBy.set(key, [...(foundBy.get(key) ?? []), r]);
    }
    for (const m of looking) {
      const v = valueOf.get(m.key);
      const list = finds.get(m.key)?.[i];
      const key = v === undefined ? null : identifierKey(v);
      if (key !== null && list) list.push(...(foundBy.get(key) ?? []).filter((r) => sameIdentifier(r.values[identifier.crmProperty], v)));
    }
    looking = looking.filter((m) => (finds.get(m.key)?.[i]?.length ?? 0) === 0);
    if (looking.length === 0) break;
  }
  return members.map((member) => {
    const record = byId.get(remembered.get(member.key) ?? '') ?? null;
    const byIdentifier = finds.get(member.key) ?? [];
    const seen = [...(record ? [record.id] : []), ...byIdentifier.flatMap((found) => found.map((r) => r.id))];
    return { member, plan: planRecord(member, settings, run, { remembered: record, byIdentifier }), seen };
  });
}
