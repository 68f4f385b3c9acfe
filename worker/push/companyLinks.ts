import { z } from 'zod';
import { companyObject } from '../../shared/crmExport/exportObjects.ts';
import type { CrmKind } from '../../shared/schema/crm.ts';
import type { CompanyExport } from '../../shared/schema/crmExport.ts';
import type { PushCompanyLine, PushRecordOutcome } from '../../shared/schema/crmPush.ts';
import { keyedHasherFor } from '../crypto/keyedHash.ts';
import { jsonChunks } from '../store/jsonChunks.ts';
import { parseStoredJson } from '../store/storedJson.ts';
import type { AccountMemory, CompanyOutcome } from './pushCompanies.ts';

/** Which Accounts of a connection a push's companies are (crm_company_links, migration 0160). */
export type CompanyLinkScope = { workspaceId: string; connectionId: string; object: string; identifierProperty: string };

export function companyLinkScope(workspaceId: string, connectionId: string, kind: CrmKind, companies: CompanyExport | null): CompanyLinkScope {
  return { workspaceId, connectionId, object: companyObject(kind), identifierProperty: companies?.identifier.crmProperty ?? '' };
}

/** Members named per company and batch in the report: enough to find them; the count says how many in all. */
const MEMBERS_NAMED = 20;
/** Companies answered with a report: the refused and conflicting first. */
export const REPORT_COMPANIES = 500;

/**
 * crm_company_links as the push reads them: company keys are HMACs (HASH_KEY) of the identifier value lower-cased,
 * so the table never holds a company name a sensitive field carried.
 */
export async function accountMemory(db: D1Database, hashKey: string | undefined, scope: CompanyLinkScope): Promise<AccountMemory> {
  return {
    async keysOf(values) {
      return values.length === 0 ? [] : (await keyedHasherFor(hashKey)).hexAll(values);
    },
    async recall(keys) {
      if (keys.length === 0) return new Map();
      const { results } = await db
        .prepare(
          `SELECT l.company_key, l.record_id FROM json_each(?5) AS j CROSS JOIN crm_company_links AS l
           WHERE l.workspace_id = ?1 AND l.connection_id = ?2 AND l.object = ?3 AND l.identifier_property = ?4 AND l.company_key = j.value`,
        )
        .bind(scope.workspaceId, scope.connectionId, scope.object, scope.identifierProperty, JSON.stringify(keys))
        .all<{ company_key: string; record_id: string }>();
      return new Map(results.map((r) => [r.company_key, r.record_id]));
    },
  };
}

/**
 * A batch's companies in its D1 transaction: the report rows (one per company and batch: a batch committed twice
 * writes the same rows again, ignored) and the links of the Accounts written or matched, replacing an older link
 * (the Account it named was deleted or merged in the CRM and a new one found or created).
 */
export function companiesWrittenStatements(
  db: D1Database,
  scope: CompanyLinkScope,
  push: { id: string; batchAfter: number },
  outcomes: readonly CompanyOutcome[],
  now: string,
): D1PreparedStatement[] {
  const rows = outcomes.map((o) => [o.key, o.label, o.recordId, o.action, o.message, o.vendorCode, JSON.stringify(o.members.map((m) => m.label))]);
  const links = outcomes.filter((o) => o.recordId !== null && o.action !== 'failed' && o.action !== 'conflict').map((o) => [o.key, o.recordId]);
  return [
    ...jsonChunks(rows).map((json) =>
      db
        .prepare(
          `INSERT OR IGNORE INTO push_companies (workspace_id, push_id, batch_after, company_key, company_label, record_id, action, message, vendor_code, members)
           SELECT ?1, ?2, ?3, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5, j.value ->> 6
           FROM json_each(?4) AS j`,
        )
        .bind(scope.workspaceId, push.id, push.batchAfter, json),
    ),
    ...jsonChunks(links).map((json) =>
      db
        .prepare(
          `INSERT INTO crm_company_links (workspace_id, connection_id, object, identifier_property, company_key, record_id, linked_at)
           SELECT ?1, ?2, ?3, ?4, j.value ->> 0, j.value ->> 1, ?5 FROM json_each(?6) AS j WHERE true
           ON CONFLICT (workspace_id, connection_id, object, identifier_property, company_key) DO UPDATE SET
             record_id = excluded.record_id, linked_at = excluded.linked_at`,
        )
        .bind(scope.workspaceId, scope.connectionId, scope.object, scope.identifierProperty, now, json),
    ),
  ];
}

const SEVERITY: Record<PushRecordOutcome, number> = { failed: 0, conflict: 1, created: 2, updated: 3, skipped: 4 };

type CompanyRow = { company_key: string; company_label: string; record_id: string | null; action: PushRecordOutcome; message: string | null; vendor_code: string | null; members: string };

/**
 * The report's Accounts: one line per company, its batches merged — the worst outcome with its words (a company
 * refused in one batch and written in a later one shows the refusal: its first members went without a link), the
 * Account id of the last batch that had one, and its members. Refused and conflicting first, then by name.
 */
export async function pushCompanyLines(db: D1Database, workspaceId: string, pushId: string): Promise<{ lines: PushCompanyLine[]; total: number }> {
  const { results } = await db
    .prepare(
      `SELECT company_key, company_label, record_id, action, message, vendor_code, members FROM push_companies
       WHERE push_id = ? AND workspace_id = ? ORDER BY company_key, batch_after`,
    )
    .bind(pushId, workspaceId)
    .all<CompanyRow>();
  const byKey = new Map<string, PushCompanyLine>();
  for (const r of results) {
    const members = parseStoredJson(z.array(z.string()), r.members, `push_companies.members of ${r.company_key}`);
    const line = byKey.get(r.company_key);
    if (!line) {
      byKey.set(r.company_key, {
        company: r.company_label,
        recordId: r.record_id,
        action: r.action,
        message: r.message,
        vendorCode: r.vendor_code,
        memberCount: members.length,
        members: members.slice(0, MEMBERS_NAMED),
      });
      continue;
    }
    if (SEVERITY[r.action] < SEVERITY[line.action]) Object.assign(line, { action: r.action, message: r.message, vendorCode: r.vendor_code });
    if (r.record_id) line.recordId = r.record_id;
    line.memberCount += members.length;
    line.members = [...line.members, ...members].slice(0, MEMBERS_NAMED);
  }
  const lines = [...byKey.values()].sort((a, b) => SEVERITY[a.action] - SEVERITY[b.action] || a.company.localeCompare(b.company));
  return { lines: lines.slice(0, REPORT_COMPANIES), total: lines.length };
}
