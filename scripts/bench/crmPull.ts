import { defaultAttributePicks, defaultAttributes } from '../../shared/crm/defaultAttributes.ts';
import type { CrmField, CrmKind, CrmRecordPage } from '../../shared/schema/crm.ts';
import type { ImportCounts, StartImportBody } from '../../shared/schema/imports.ts';
import { BATCH_ROWS, ImportSender } from './measureIngest.ts';

/** One CRM object read through a connection of the Worker: what the SPA would pull and how it would map it. */
export type CrmSelection = {
  kind: CrmKind;
  connectionId: string;
  object: string;
  /** The default attributes of a lead-like object, in the order the SPA shows them. */
  attributes: string[];
  /** Platform field per attribute (null: pulled but not imported). */
  targets: (string | null)[];
  /** The attribute mapped to the professional email: the identifier. */
  identifier: string;
};

export type Timed = { records: number; pages: number; seconds: number };

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The selection the SPA starts from: the object's default picks (FirstName, Email… / firstname, emailaddress1…). */
export async function defaultSelection(baseUrl: string, kind: CrmKind, connectionId: string, object: string): Promise<CrmSelection> {
  const fields = await json<CrmField[]>(await fetch(`${baseUrl}/api/connections/${connectionId}/objects/${object}/fields`));
  const picks = defaultAttributePicks(kind, { role: 'lead' }, fields).filter((p) => !p.derive);
  const attributes = defaultAttributes(picks);
  const targets = attributes.map((a) => picks.find((p) => p.source === a)?.target ?? null);
  const identifier = picks.find((p) => p.target === 'professional_email')?.source;
  if (!identifier) throw new Error(`${kind} ${object} has no email field among ${attributes.join(', ')}`);
  return { kind, connectionId, object, attributes, targets, identifier };
}

const RETRIES = 5;

/**
 * One page; a page that failed is asked for again with the same cursor, as the SPA does. Here that covers wrangler
 * dev restarting the Worker when a source file changes under it (503 "restarted mid-request", or a dropped socket).
 */
async function pullPage(baseUrl: string, s: CrmSelection, cursor: string | null): Promise<CrmRecordPage> {
  for (let attempt = 0; ; attempt++) {
    let res: Response | null = null;
    try {
      res = await fetch(`${baseUrl}/api/connections/${s.connectionId}/objects/${s.object}/pull`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ attributes: s.attributes, filters: [], cursor }),
      });
    } catch (e) {
      if (attempt >= RETRIES) throw e;
    }
    if (res && (res.status !== 503 || attempt >= RETRIES)) return json<CrmRecordPage>(res);
    await res?.body?.cancel();
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** (b) Every page through POST /api/connections/:id/objects/:name/pull, one after the other, as a client pages. */
export async function pullThroughWorker(baseUrl: string, s: CrmSelection): Promise<Timed> {
  const start = performance.now();
  let cursor: string | null = null;
  let records = 0;
  let pages = 0;
  do {
    const page: CrmRecordPage = await pullPage(baseUrl, s, cursor);
    records += page.records.length;
    pages++;
    cursor = page.nextCursor;
  } while (cursor !== null);
  return { records, pages, seconds: (performance.now() - start) / 1000 };
}

export function crmImportBody(s: CrmSelection, audienceName: string): StartImportBody {
  return {
    audienceName,
    source: { kind: s.kind, connectionId: s.connectionId, object: s.object, headers: s.attributes },
    mapping: {
      columns: s.attributes.map((column, i) => ({ column, target: s.targets[i] ?? null, sensitive: false })),
      identifier: s.identifier,
      onMatch: 'update',
    },
    consent: { doubleOptIn: true },
    defaultCountry: 'US',
    batchSize: BATCH_ROWS,
  };
}

/**
 * (c) Pulled and stored: each page's records become import rows (batches of 2,000 with idempotency keys, in
 * order), while the next page is already being pulled — one page ahead, which is all the overlap a tab needs
 * to keep both the CRM and the Worker busy without holding the whole object in memory.
 */
export async function pullAndStore(baseUrl: string, s: CrmSelection, audienceName: string): Promise<Timed & { counts: ImportCounts }> {
  const start = performance.now();
  const sender = await ImportSender.start(baseUrl, crmImportBody(s, audienceName));
  const imported = s.attributes.filter((_, i) => s.targets[i] !== null);
  const ahead = (cursor: string | null) => {
    const p = pullPage(baseUrl, s, cursor);
    // Awaited after the current page is stored; a failure must not count as unhandled in the meantime.
    p.catch(() => {});
    return p;
  };
  let next: Promise<CrmRecordPage> | null = ahead(null);
  let records = 0;
  let pages = 0;
  while (next) {
    const page: CrmRecordPage = await next;
    pages++;
    next = page.nextCursor === null ? null : ahead(page.nextCursor);
    for (const r of page.records) {
      records++;
      await sender.add(records, imported.map((a) => r[a] ?? ''));
    }
  }
  const counts = await sender.finish();
  return { records, pages, counts, seconds: (performance.now() - start) / 1000 };
}
