import { z } from 'zod';
import type { CrmField } from '../../../shared/schema/crm.ts';
import { SelectionError, type CrmRecordRef, type CrmUser, type CrmWriteOp, type CrmWriteOptions, type CrmWriteResult, type CrmWriter } from '../connector.ts';
import { jsonOrUndefined } from '../vendorAnswer.ts';
import { WEB_API_PATH, type DataverseApi } from './dataverseApi.ts';
import type { DynamicsConnector } from './dynamicsConnector.ts';
import { EntityDefinition } from './metadata.ts';
import { FORMATTED_VALUE, flattenRecord, readColumns } from './records.ts';
import { batchBody, parseBatchAnswer, type BatchOperation } from './writerBatch.ts';
import { dataverseRecord, odataEquals, type WriteFailure } from './writerValues.ts';

/**
 * Writes go as $batch requests, each operation a request of its own (no change set) with `odata.continue-on-error`,
 * so every record succeeds or fails alone with Dataverse's own error. CreateMultiple / UpdateMultiple were the other choice:
 * fewer server round trips, but on standard tables (contact, lead, account) they are one transaction, so one bad
 * email would fail the 999 good records beside it. A $batch holds at most 1,000 operations.
 */
export const BATCH_SIZE = 1000;
/**
 * $batch requests in flight at once. Dataverse serves up to 52 concurrent requests of a user, but its execution-time
 * limit (20 minutes of server time in any 5-minute window) holds a steady load to about four requests running at
 * all times; beyond that it answers 429 with a Retry-After, which the API client waits out.
 */
const BATCHES_IN_FLIGHT = 4;
/**
 * Values per lookup query: an OData filter of `or`s sized by its URL-encoded length, at most 12,000 characters (about
 * 190 email addresses), so the whole request line and headers stay within 16 KB — what common HTTP front ends accept
 * by default, and well inside the 32 KB URL Dataverse takes on a GET.
 */
const FIND_CHUNK = 1000;
const FILTER_CHARS = 12_000;

const LOGICAL_NAME = /^[a-z_][a-z0-9_]{0,127}$/;
/** Column types whose value is another record (read back as that record's id). */
const LOOKUP_TYPES = new Set(['lookup', 'customer', 'owner']);
const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

const EntityPage = z.object({ value: z.array(z.record(z.string(), z.unknown())), '@odata.nextLink': z.string().optional() });
const SystemUser = z.object({
  systemuserid: z.string(),
  fullname: z.string().nullish(),
  internalemailaddress: z.string().nullish(),
  isdisabled: z.boolean().nullish(),
});
const ErrorBody = z.object({ error: z.object({ code: z.string().optional(), message: z.string().optional() }) });

type Table = { entitySet: string; primaryId: string; fields: Map<string, CrmField> };

/** Query string with spaces as %20: Dataverse reads a literal + in a filter value as a space. */
function query(params: URLSearchParams): string {
  return params.toString().replaceAll('+', '%20');
}

/** Conditions joined with `or`, at most FIND_CHUNK of them and FILTER_CHARS URL-encoded characters a filter. */
function filters(conditions: readonly string[]): string[] {
  const out: string[] = [];
  let current: string[] = [];
  let length = 0;
  for (const c of conditions) {
    const encoded = query(new URLSearchParams({ f: `${c} or ` })).length - 2;
    if (current.length && (current.length >= FIND_CHUNK || length + encoded > FILTER_CHARS)) {
      out.push(current.join(' or '));
      current = [];
      length = 0;
    }
    current.push(c);
    length += encoded;
  }
  if (current.length) out.push(current.join(' or '));
  return out;
}

/** The CRM writer of one Dataverse environment, over the same DataverseApi (token renewal, retries) as the connector. */
export class DynamicsWriter implements CrmWriter {
  private readonly tables = new Map<string, Promise<Table>>();

  constructor(
    private readonly api: DataverseApi,
    /** Reads the table metadata (columns, choices), cached per connection like the pulls'. */
    private readonly reader: Pick<DynamicsConnector, 'describe'>,
  ) {}

  async findBy(object: string, property: string, values: string[], fields: string[]): Promise<CrmRecordRef[]> {
    const table = await this.table(object);
    const key = table.fields.get(property.toLowerCase());
    if (!key) throw new SelectionError(`"${property}" is not a column of ${object}`);
    if (!key.filterable) throw new SelectionError(`Dynamics 365 cannot look records up by "${property}"`);
    const conditions = [...new Set(values.map((v) => odataEquals(key, v)).filter((c): c is string => c !== null))];
    return this.read(object, table, fields, conditions);
  }

  async getByIds(object: string, ids: string[], fields: string[]): Promise<CrmRecordRef[]> {
    const table = await this.table(object);
    const guids = [...new Set(ids.map((id) => GUID.exec(id.trim())?.[1]?.toLowerCase()).filter((id): id is string => !!id))];
    return this.read(object, table, fields, guids.map((id) => `${table.primaryId} eq ${id}`));
  }

  async write(object: string, ops: CrmWriteOp[], options: CrmWriteOptions = {}): Promise<CrmWriteResult[]> {
    const table = await this.table(object);
    const results: (CrmWriteResult | undefined)[] = new Array(ops.length);
    const operations: { index: number; operation: BatchOperation }[] = [];
    ops.forEach((op, index) => {
      const converted = dataverseRecord(table.fields, object, op.values);
      if (!converted.ok) {
        results[index] = converted.failure;
        return;
      }
      // Duplicate detection rules apply to API writes only when asked: a push should meet the org's rules like a person would.
      const headers: Record<string, string> = { 'Content-Type': 'application/json; type=entry', 'MSCRM.SuppressDuplicateDetection': 'false' };
      if (op.kind === 'upsert') {
        // upsertKeys offers none yet (alternate keys are not read), so nothing asks for this.
        results[index] = { ok: false, vendorCode: 'invalid_field', message: `Dynamics 365 records are not upserted by ${op.by} yet.`, fields: [op.by] };
        return;
      }
      if (op.kind === 'create') {
        operations.push({ index, operation: { method: 'POST', url: `${WEB_API_PATH}${table.entitySet}`, headers, body: JSON.stringify(converted.record) } });
        return;
      }
      const id = GUID.exec(op.id.trim())?.[1];
      if (!id) {
        results[index] = { ok: false, vendorCode: 'invalid_value', message: `"${op.id}" is not a Dynamics 365 record id.`, fields: [] };
        return;
      }
      // If-Match: * makes a PATCH update only: without it a PATCH to a missing id would create that record.
      operations.push({
        index,
        operation: { method: 'PATCH', url: `${WEB_API_PATH}${table.entitySet}(${id.toLowerCase()})`, headers: { ...headers, 'If-Match': '*' }, body: JSON.stringify(converted.record) },
      });
    });
    const chunks = Array.from({ length: Math.ceil(operations.length / BATCH_SIZE) }, (_, i) => operations.slice(i * BATCH_SIZE, (i + 1) * BATCH_SIZE));
    // Several $batch requests in flight, as Microsoft advises for throughput (BATCHES_IN_FLIGHT): Dataverse runs some
    // while the next are being built and sent. Only when no record is updated twice: then the order between requests
    // cannot change what a record ends up holding.
    const updated = operations.filter((o) => o.operation.method === 'PATCH').map((o) => o.operation.url);
    const inFlight = new Set(updated).size === updated.length ? BATCHES_IN_FLIGHT : 1;
    let next = 0;
    let failed = false;
    const sender = async () => {
      while (next < chunks.length && !failed) {
        try {
          await this.sendBatch(chunks[next++] ?? [], results, options);
        } catch (e) {
          failed = true;
          throw e;
        }
      }
    };
    // Settled, all of them, before a failure is thrown: the caller then looks up what was written (a lost answer), and
    // no request of this write may still be on its way to be applied after that.
    const settled = await Promise.allSettled(Array.from({ length: Math.min(inFlight, chunks.length) }, sender));
    const refused = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (refused) throw refused.reason;
    return results.map((r) => r ?? { ok: false, vendorCode: 'UNKNOWN', message: 'Dynamics 365 gave no result for this record.', fields: [] });
  }

  /** One $batch of operations; each answer lands in `results` at its operation's index. */
  private async sendBatch(chunk: { index: number; operation: BatchOperation }[], results: (CrmWriteResult | undefined)[], options: CrmWriteOptions): Promise<void> {
    const { contentType, body } = batchBody(
      chunk.map((c) => c.operation),
      crypto.randomUUID(),
    );
    // A $batch of updates only (If-Match: *) is safe to send again; one with creates only when the caller allows it.
    const resendUnanswered = (options.resendCreates ?? true) || chunk.every((c) => c.operation.method === 'PATCH');
    const answer = await this.api.post(this.api.url('$batch'), body, { 'Content-Type': contentType }, ['odata.continue-on-error'], { resendUnanswered });
    const answers = parseBatchAnswer(answer.text, answer.contentType);
    chunk.forEach((c, i) => {
      const a = answers[i];
      if (!a) {
        results[c.index] = { ok: false, vendorCode: 'UNPROCESSED', message: 'Dynamics 365 did not process this record; send it again.', fields: [] };
        return;
      }
      if (a.status >= 200 && a.status < 300) {
        const id = c.operation.method === 'POST' ? /\(([0-9a-f-]{36})\)\s*$/i.exec(a.headers['odata-entityid'] ?? '')?.[1] : /\(([0-9a-f-]{36})\)$/i.exec(c.operation.url)?.[1];
        results[c.index] = id
          ? { ok: true, id: id.toLowerCase(), created: c.operation.method === 'POST' }
          : { ok: false, vendorCode: 'UNKNOWN', message: 'Dynamics 365 saved the record but did not say its id.', fields: [] };
        return;
      }
      results[c.index] = failureOf(a.status, a.body);
    });
  }

  /** Alternate keys (EntityKeyMetadata) are not read yet: records are matched by findBy, then created or updated. */
  async upsertKeys(): Promise<string[]> {
    return [];
  }

  async listUsers(): Promise<CrmUser[]> {
    const users: CrmUser[] = [];
    let url: string | undefined = this.api.url(`systemusers?${query(new URLSearchParams({ $select: 'systemuserid,fullname,internalemailaddress,isdisabled' }))}`);
    while (url) {
      const page: z.infer<typeof EntityPage> = await this.api.get(url, EntityPage, ['odata.maxpagesize=5000']);
      for (const row of page.value) {
        const user = SystemUser.safeParse(row);
        if (!user.success) continue;
        const u = user.data;
        users.push({ id: u.systemuserid, name: u.fullname || u.internalemailaddress || u.systemuserid, email: u.internalemailaddress ?? null, active: u.isdisabled !== true });
      }
      url = page['@odata.nextLink'];
    }
    return users.sort((a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name));
  }

  private async read(object: string, table: Table, fields: string[], conditions: string[]): Promise<CrmRecordRef[]> {
    const requested = fields.map((name) => {
      const field = table.fields.get(name.toLowerCase());
      if (!field) throw new SelectionError(`"${name}" is not a column of ${object}`);
      return field;
    });
    const modified = table.fields.get('modifiedon');
    // A lookup is compared by the record it points to (`_x_value`, its id, as the push writes it), not by that
    // record's name (the FormattedValue annotation): two users can share a name, a rename changes it, and a push
    // comparing names with ids would update every linked record on every run.
    const columns = readColumns(requested).map((c, i) => (LOOKUP_TYPES.has(requested[i]?.type ?? '') ? { ...c, labelled: false } : c));
    const select = [...new Set([table.primaryId, ...(modified ? ['modifiedon'] : []), ...columns.map((c) => c.property)])];
    const found: CrmRecordRef[] = [];
    for (const filter of filters(conditions)) {
      let url: string | undefined = this.api.url(`${table.entitySet}?${query(new URLSearchParams({ $select: select.join(','), $filter: filter }))}`);
      while (url) {
        const page: z.infer<typeof EntityPage> = await this.api.get(url, EntityPage, ['odata.maxpagesize=5000', `odata.include-annotations="${FORMATTED_VALUE}"`]);
        for (const entity of page.value) {
          const flat = flattenRecord(entity, columns);
          const values: Record<string, string | null> = {};
          fields.forEach((name, i) => {
            values[name] = flat[requested[i]?.name ?? name] ?? null;
          });
          const at = entity.modifiedon;
          found.push({ id: String(entity[table.primaryId]), modifiedAt: typeof at === 'string' && !Number.isNaN(Date.parse(at)) ? new Date(at).toISOString() : null, values });
        }
        url = page['@odata.nextLink'];
      }
    }
    return found;
  }

  private table(object: string): Promise<Table> {
    if (!LOGICAL_NAME.test(object)) return Promise.reject(new SelectionError(`"${object}" is not a Dataverse table name`));
    let pending = this.tables.get(object);
    if (!pending) {
      pending = Promise.all([
        this.api.get(
          this.api.url(`EntityDefinitions(LogicalName='${object}')?$select=EntitySetName,PrimaryIdAttribute`),
          EntityDefinition.pick({ EntitySetName: true, PrimaryIdAttribute: true }),
        ),
        this.reader.describe(object),
      ]).then(([definition, fields]) => {
        if (!definition.EntitySetName) throw new SelectionError(`The table ${object} cannot be written through the Web API`);
        return { entitySet: definition.EntitySetName, primaryId: definition.PrimaryIdAttribute, fields: new Map(fields.map((f) => [f.name.toLowerCase(), f])) };
      });
      pending.catch(() => this.tables.delete(object));
      this.tables.set(object, pending);
    }
    return pending;
  }
}

function failureOf(status: number, body: string): WriteFailure {
  const parsed = ErrorBody.safeParse(jsonOrUndefined(body));
  const error = parsed.success ? parsed.data.error : null;
  return { ok: false, vendorCode: error?.code ?? `HTTP_${status}`, message: error?.message ?? `Dynamics 365 answered ${status}.`, fields: [] };
}
