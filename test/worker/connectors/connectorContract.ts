import { describe, expect, it } from 'vitest';
import { CrmField, CrmObject, CrmRecordPage, type CrmFilter } from '../../../shared/schema/crm.ts';
import { CrmError, type Connector } from '../../../worker/connectors/connector.ts';

/**
 * What every Connector must do, whatever the CRM behind it (the way hono's routers share one case suite). A
 * connector test file calls `connectorContract(name, setup)`; `setup` seeds its fake CRM with the given leads and
 * returns a connector over them, plus the CRM's names for the lead object and fields.
 */

export type ContractLead = { firstName: string | null; lastName: string; email: string | null };

export type ContractFixture = {
  connector: Connector;
  /** The object holding the leads: "Contact" in Salesforce, "contact" in Dataverse. */
  leadObject: string;
  fields: { id: string; firstName: string; lastName: string; email: string };
  /** Records per page the connector was set up with; the dataset spans several pages of it. */
  pageSize: number;
};

export type ContractSetup = (leads: readonly ContractLead[]) => Promise<ContractFixture>;

/** Names that break naive query building: quotes, backslashes, LIKE/SQL wildcards, non-ASCII, markup. */
export const TRICKY_LEADS: readonly ContractLead[] = [
  { firstName: 'Conan', lastName: "O'Brien", email: 'conan@example.com' },
  { firstName: 'Siobhan', lastName: "O'Brien", email: null },
  { firstName: '100%', lastName: 'Percent', email: 'percent@example.com' },
  { firstName: 'Under_score', lastName: 'Wildcard', email: 'under_score@example.com' },
  // Matches "r_s" only if _ were a wildcard.
  { firstName: 'Pierres', lastName: 'Lookalike', email: 'pierres@example.com' },
  { firstName: 'Back\\slash', lastName: 'Slash', email: 'slash@example.com' },
  { firstName: 'Zoë', lastName: 'Ångström', email: 'zoe@example.com' },
  { firstName: null, lastName: 'Tables"; DROP TABLE contacts; --', email: null },
  { firstName: 'Quote', lastName: "x' or 1 eq 1 or lastname eq '", email: 'quote@example.com' },
];

export function contractLeads(plain: number): ContractLead[] {
  const leads: ContractLead[] = Array.from({ length: plain }, (_, i) => ({
    firstName: `First${i + 1}`,
    lastName: `Plain${String(i + 1).padStart(4, '0')}`,
    email: i % 7 === 3 ? null : `plain${i + 1}@example.com`,
  }));
  return [...leads, ...TRICKY_LEADS];
}

async function pullAll(f: ContractFixture, select: string[], filters: CrmFilter[]): Promise<{ records: Record<string, string | null>[]; pages: number }> {
  const records: Record<string, string | null>[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: CrmRecordPage = CrmRecordPage.parse(await f.connector.page(f.leadObject, select, filters, cursor));
    records.push(...page.records);
    cursor = page.nextCursor;
    pages++;
    if (pages > 1000) throw new Error('the pull does not end');
  } while (cursor !== null);
  return { records, pages };
}

/** The CrmError a call fails with (any other outcome fails the test). */
export async function crmFailure(p: Promise<unknown>): Promise<CrmError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CrmError) return e;
    throw e;
  }
  throw new Error('expected a CrmError');
}

export function connectorContract(name: string, setup: ContractSetup): void {
  const leads = contractLeads(130);

  describe(`${name} satisfies the Connector contract`, () => {
    let fixture: Promise<ContractFixture> | null = null;
    const ready = () => (fixture ??= setup(leads));

    it('lists its objects with a lead object among them', async () => {
      const f = await ready();
      const objects = CrmObject.array().parse(await f.connector.listObjects());
      expect(objects.find((o) => o.name === f.leadObject)?.role).toBe('lead');
      expect(new Set(objects.map((o) => o.name)).size).toBe(objects.length);
    });

    it('describes the lead object: unique names, the contract fields, no compound offered beside its parts', async () => {
      const f = await ready();
      const fields = CrmField.array().parse(await f.connector.describe(f.leadObject));
      const names = new Set(fields.map((x) => x.name));
      expect(names.size).toBe(fields.length);
      for (const n of Object.values(f.fields)) expect(names.has(n)).toBe(true);
      for (const x of fields) if (x.compoundOf) expect(names.has(x.compoundOf)).toBe(false);
    });

    it('counts and pulls every record exactly once across several pages, values as strings or null', async () => {
      const f = await ready();
      const select = [f.fields.id, f.fields.firstName, f.fields.lastName, f.fields.email];
      expect(await f.connector.count(f.leadObject, [])).toBe(leads.length);
      const { records, pages } = await pullAll(f, select, []);
      expect(pages).toBeGreaterThan(1);
      expect(records).toHaveLength(leads.length);
      expect(new Set(records.map((r) => r[f.fields.id])).size).toBe(leads.length);
      for (const r of records) expect(Object.keys(r).sort()).toEqual([...select].sort());
      const got = records.map((r) => `${r[f.fields.firstName]}|${r[f.fields.lastName]}|${r[f.fields.email]}`).sort();
      expect(got).toEqual(leads.map((l) => `${l.firstName}|${l.lastName}|${l.email}`).sort());
    });

    it('answers the same cursor with the same page, so a failed page is retried without duplicates', async () => {
      const f = await ready();
      const select = [f.fields.id, f.fields.lastName];
      const first = await f.connector.page(f.leadObject, select, [], null);
      expect(first.records.length).toBeLessThanOrEqual(f.pageSize);
      expect(first.nextCursor).not.toBeNull();
      const again = await f.connector.page(f.leadObject, select, [], first.nextCursor);
      const retried = await f.connector.page(f.leadObject, select, [], first.nextCursor);
      expect(retried.records).toEqual(again.records);
      const firstIds = new Set(first.records.map((r) => r[f.fields.id]));
      expect(again.records.some((r) => firstIds.has(r[f.fields.id]))).toBe(false);
    });

    const filterCases: [string, (f: ContractFixture) => CrmFilter, (l: ContractLead) => boolean][] = [
      ['equals with a quote', (f) => ({ field: f.fields.lastName, operator: 'equals', value: "O'Brien" }), (l) => l.lastName === "O'Brien"],
      [
        'equals with an injection attempt',
        (f) => ({ field: f.fields.lastName, operator: 'equals', value: "x' or 1 eq 1 or lastname eq '" }),
        (l) => l.lastName === "x' or 1 eq 1 or lastname eq '",
      ],
      ['contains a percent sign, literally', (f) => ({ field: f.fields.firstName, operator: 'contains', value: '0%' }), (l) => !!l.firstName?.includes('0%')],
      ['contains an underscore, literally', (f) => ({ field: f.fields.firstName, operator: 'contains', value: 'r_s' }), (l) => !!l.firstName?.includes('r_s')],
      ['starts with a backslash name', (f) => ({ field: f.fields.firstName, operator: 'starts_with', value: 'Back\\' }), (l) => !!l.firstName?.startsWith('Back\\')],
      ['starts with', (f) => ({ field: f.fields.lastName, operator: 'starts_with', value: 'Plain01' }), (l) => l.lastName.startsWith('Plain01')],
      ['not equals', (f) => ({ field: f.fields.lastName, operator: 'not_equals', value: "O'Brien" }), (l) => l.lastName !== "O'Brien"],
      ['is empty', (f) => ({ field: f.fields.email, operator: 'is_empty', value: '' }), (l) => l.email === null],
      ['is not empty', (f) => ({ field: f.fields.email, operator: 'is_not_empty', value: '' }), (l) => l.email !== null],
      ['non-ASCII equals', (f) => ({ field: f.fields.firstName, operator: 'equals', value: 'Zoë' }), (l) => l.firstName === 'Zoë'],
    ];

    it.each(filterCases)('filters: %s', async (_, filterOf, expected) => {
      const f = await ready();
      const filter = filterOf(f);
      const want = leads.filter(expected).map((l) => l.lastName).sort();
      expect(want.length).toBeGreaterThan(0);
      const { records } = await pullAll(f, [f.fields.id, f.fields.lastName], [filter]);
      expect(records.map((r) => r[f.fields.lastName]).sort()).toEqual(want);
      expect(await f.connector.count(f.leadObject, [filter])).toBe(want.length);
    });

    it('ANDs filters', async () => {
      const f = await ready();
      const filters: CrmFilter[] = [
        { field: f.fields.lastName, operator: 'starts_with', value: 'Plain00' },
        { field: f.fields.email, operator: 'is_empty', value: '' },
      ];
      const want = leads.filter((l) => l.lastName.startsWith('Plain00') && l.email === null).length;
      expect(want).toBeGreaterThan(0);
      expect((await pullAll(f, [f.fields.id], filters)).records).toHaveLength(want);
    });

    it('refuses unknown fields, in the selection and in filters, with a 400 CrmError', async () => {
      const f = await ready();
      const unknownSelect = await crmFailure(f.connector.page(f.leadObject, [f.fields.id, 'NoSuchField__x'], [], null));
      expect(unknownSelect.status).toBe(400);
      const unknownFilter = await crmFailure(f.connector.count(f.leadObject, [{ field: 'NoSuchField__x', operator: 'equals', value: 'x' }]));
      expect(unknownFilter.status).toBe(400);
    });

    it('refuses a cursor it did not issue instead of following it', async () => {
      const f = await ready();
      const e = await crmFailure(f.connector.page(f.leadObject, [f.fields.id], [], 'https://attacker.example/steal?token='));
      expect(e.status).toBe(400);
    });
  });
}
