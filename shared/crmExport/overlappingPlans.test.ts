import { describe, expect, it } from 'vitest';
import { ExportSettings } from '../schema/crmExport.ts';
import { plansToRedo, type SeenPlan, type WrittenPlan } from './overlappingPlans.ts';
import { planRecord, type PlanSettings, type PushMember, type RecordSnapshot } from './planPush.ts';

const settings: PlanSettings = {
  ...ExportSettings.parse({
    people: {
      target: 'contact',
      identifiers: [
        { platformField: 'phone', crmProperty: 'telephone1' },
        { platformField: 'email', crmProperty: 'emailaddress1' },
      ],
      fields: [
        { platformField: 'email', crmProperty: 'emailaddress1' },
        { platformField: 'first_name', crmProperty: 'firstname' },
      ],
    },
  }),
  ownerProperty: 'ownerid',
};
const run = { exportTimeValues: {}, runnerEmail: null };

function member(id: number, values: Record<string, string>): PushMember {
  return { id: String(id), key: values.email ?? String(id), values, sensitiveFields: [], updatedAt: '2026-03-10T00:00:00.000Z', engagement: null };
}

/** A member planned against what the CRM held then (`found` by its first identifier), as planBatch leaves it. */
function planned(m: PushMember, found: RecordSnapshot[] = []): SeenPlan {
  return { member: m, plan: planRecord(m, settings, run, { remembered: null, byIdentifier: [found, []] }), seen: found.map((r) => r.id) };
}

function written(p: SeenPlan, resultId: string | null): WrittenPlan {
  return { member: p.member, plan: p.plan, earlier: null, resultId };
}

const record = (id: string, values: Record<string, string | null>): RecordSnapshot => ({ id, modifiedAt: '2026-03-01T00:00:00.000Z', values });

describe('plansToRedo', () => {
  const ann = member(1, { email: 'ann@example.com', phone: '+14155550100', first_name: 'Ann' });
  const existing = record('AAAA-1', { telephone1: '+14155550199', emailaddress1: 'old@example.com', firstname: 'Old' });
  const bea = member(2, { email: 'bea@example.com', phone: '+14155550199', first_name: 'Bea' });
  const before = [written(planned(ann), 'bbbb-2'), written(planned(bea, [existing]), 'AAAA-1')];

  it('redoes a member whose identifier value the write put into a record it could not see yet, without case or spaces', () => {
    const twin = member(3, { email: 'twin@example.com', phone: ' +14155550100 ', first_name: 'Twin' });
    const byEmail = member(4, { email: 'BEA@example.com', first_name: 'Bee' });
    const other = member(5, { email: 'other@example.com', phone: '+14155550111', first_name: 'Other' });
    const next = [planned(twin), planned(byEmail), planned(other)];
    expect(plansToRedo(next, before, settings).map((p) => p.member.id)).toEqual(['3', '4']);
  });

  it('redoes a member planned from a record the write changed, ids compared without case', () => {
    const sameRecord = member(6, { email: 'six@example.com', phone: '+14155550122', first_name: 'Six' });
    expect(plansToRedo([planned(sameRecord, [record('aaaa-1', { telephone1: '+14155550122' })])], before, settings)).toHaveLength(1);
  });

  it('redoes nothing after a batch that wrote nothing: skips and conflicts leave the CRM as it was', () => {
    const skipped = { ...written(planned(ann), null), plan: { ...planned(ann).plan, action: 'skip' as const, recordId: 'AAAA-1' } };
    const next = [planned(member(7, { email: 'ann@example.com', phone: '+14155550100' }), [existing])];
    expect(plansToRedo(next, [skipped], settings)).toEqual([]);
    // The same skip after a lost write whose first try created the record counts as a write.
    expect(plansToRedo(next, [{ ...skipped, earlier: { action: 'created', changes: planned(ann).plan.changes } }], settings)).toHaveLength(1);
  });
});
