import { z } from 'zod';
import type { CrmField, CrmFilter, CrmObject, CrmRecordPage } from '../../../shared/schema/crm.ts';
import { CrmError, ExpiredChangeToken, SelectionError, type Connector, type CrmChangePage } from '../connector.ts';
import { RequestMetadata, type ConnectionMetadata } from '../pullMetadata.ts';
import type { DataverseApi } from './dataverseApi.ts';
import { AttributeDefinition, collectionOf, EntityDefinition, PicklistDefinition, StringFormatDefinition, toCrmFields, toCrmObjects } from './metadata.ts';
import { buildODataFilter } from './odataFilter.ts';
import { FORMATTED_VALUE, flattenRecord, readColumns } from './records.ts';

/** Dataverse's own ceiling for odata.maxpagesize on standard tables. */
export const MAX_PAGE_SIZE = 5000;
/** $count stops counting here; $apply aggregates stop at AGGREGATE_LIMIT. */
const COUNT_LIMIT = 5000;
const AGGREGATE_LIMIT = 50_000;
const AGGREGATE_LIMIT_CODE = '0x8004e023';

const LOGICAL_NAME = /^[a-z_][a-z0-9_]{0,127}$/;
const FORMATTED_VALUES = `odata.include-annotations="${FORMATTED_VALUE}"`;

/** What the connector reads of a table's metadata (five requests: definition, attributes, choices, multi-select choices, string formats). */
export type DynamicsTable = { entitySet: string; primaryId: string; fields: CrmField[]; tracksChanges: boolean };
/** Dataverse's ExpiredVersionStamp: the change token is older than the organization keeps changes (7 days by default). */
const EXPIRED_VERSION_STAMP = '0x80044352';
/** A change-tracking answer: changed records, and deleted ones as `{ "@odata.context": "…/$deletedEntity", id, reason }`. */
const ChangePage = z.object({
  value: z.array(z.record(z.string(), z.unknown())),
  '@odata.nextLink': z.string().optional(),
  '@odata.deltaLink': z.string().optional(),
});
const isDeletedEntity = (entity: Record<string, unknown>) => typeof entity['@odata.context'] === 'string' && entity['@odata.context'].endsWith('/$deletedEntity');
const EntityPage = z.object({
  value: z.array(z.record(z.string(), z.unknown())),
  '@odata.nextLink': z.string().optional(),
  '@odata.count': z.number().optional(),
  '@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded': z.boolean().optional(),
});
const AggregateCount = collectionOf(z.object({ total: z.number() }));
const TotalRecordCount = z.object({ EntityRecordCountCollection: z.object({ Keys: z.array(z.string()), Values: z.array(z.number()) }) });

export type DynamicsConnectorOptions = {
  pageSize?: number;
  /** Table metadata kept between requests: the pages of a pull after the first reuse the first page's. */
  tableCache?: ConnectionMetadata<DynamicsTable>;
};

/** Query string with spaces as %20: Dataverse reads a literal + in a filter value as a space. */
function query(params: URLSearchParams): string {
  return params.toString().replaceAll('+', '%20');
}

function tableName(object: string): string {
  if (!LOGICAL_NAME.test(object)) throw new SelectionError(`"${object}" is not a Dataverse table name`);
  return object;
}

/** Microsoft Dynamics 365 / Dataverse behind the Connector interface, over plain fetch (see DataverseApi). */
export class DynamicsConnector implements Connector {
  private readonly pageSize: number;
  private readonly tables: RequestMetadata<DynamicsTable>;

  constructor(
    private readonly api: DataverseApi,
    options: DynamicsConnectorOptions = {},
  ) {
    this.tables = new RequestMetadata(options.tableCache, (name) => this.loadTable(name));
    this.pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, options.pageSize ?? MAX_PAGE_SIZE));
  }

  async listObjects(): Promise<CrmObject[]> {
    const definitions = await this.api.get(
      this.api.url('EntityDefinitions?$select=LogicalName,DisplayName,EntitySetName,IsCustomEntity,PrimaryIdAttribute'),
      collectionOf(EntityDefinition),
    );
    return toCrmObjects(definitions.value);
  }

  async describe(object: string): Promise<CrmField[]> {
    return (await this.table(object)).fields;
  }

  /**
   * Exact up to 50,000 matching rows. Beyond that: the table's total (a snapshot Dataverse refreshes daily) when
   * nothing is filtered, else 50,000 as a lower bound, since Dataverse counts no further in one request.
   */
  async count(object: string, filters: CrmFilter[]): Promise<number> {
    const table = await this.table(object);
    const filter = buildODataFilter(filters, table.fields);
    const params = new URLSearchParams({ $select: table.primaryId, $count: 'true' });
    if (filter) params.set('$filter', filter);
    const first = await this.api.get(this.api.url(`${table.entitySet}?${query(params)}`), EntityPage, [
      'odata.maxpagesize=1',
      'odata.include-annotations="Microsoft.Dynamics.CRM.totalrecordcount,Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"',
    ]);
    const counted = first['@odata.count'] ?? first.value.length;
    if (counted < COUNT_LIMIT && !first['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded']) return counted;

    const apply = filter ? `filter(${filter})/aggregate($count as total)` : 'aggregate($count as total)';
    try {
      const aggregate = await this.api.get(this.api.url(`${table.entitySet}?${query(new URLSearchParams({ $apply: apply }))}`), AggregateCount);
      return aggregate.value[0]?.total ?? 0;
    } catch (error) {
      if (!(error instanceof CrmError) || error.vendorCode?.toLowerCase() !== AGGREGATE_LIMIT_CODE) throw error;
    }
    if (filter) return AGGREGATE_LIMIT;
    const snapshot = await this.api.get(
      this.api.url(`RetrieveTotalRecordCount(EntityNames=@names)?${new URLSearchParams({ '@names': JSON.stringify([object]).replaceAll('"', "'") })}`),
      TotalRecordCount,
    );
    const { Keys, Values } = snapshot.EntityRecordCountCollection;
    return Values[Keys.indexOf(object)] ?? AGGREGATE_LIMIT;
  }

  /**
   * First page: $select/$filter built from the table's metadata. Later pages: the cursor is Dataverse's own
   * @odata.nextLink (it carries the paging cookie), so a retried page returns exactly the rows it returned before.
   */
  page(object: string, fields: string[], filters: CrmFilter[], cursor: string | null): Promise<CrmRecordPage> {
    return this.read(object, fields, filters, cursor, null);
  }

  async recordIdField(object: string): Promise<string> {
    return (await this.table(object)).primaryId;
  }

  async tracksChanges(object: string): Promise<boolean> {
    return (await this.table(object)).tracksChanges;
  }

  /**
   * Dataverse change tracking: the first request (`Prefer: odata.track-changes`) reads every record and its last
   * page carries an @odata.deltaLink; that link later answers what changed since, deletions as $deletedEntity
   * entries carrying only the id. Dataverse refuses $filter, $orderby, $expand and $top with change tracking, so
   * only $select is sent.
   */
  async changes(object: string, fields: string[], link: string | null): Promise<CrmChangePage> {
    const table = await this.table(object, link !== null);
    const columns = this.columnsOf(object, table, fields);
    let url: string;
    if (link === null) {
      url = this.api.url(`${table.entitySet}?${query(new URLSearchParams({ $select: columns.map((c) => c.property).join(',') }))}`);
    } else {
      if (!this.api.owns(link) || !new URL(link).pathname.endsWith(`/${table.entitySet}`)) throw new SelectionError('That change link does not belong to this table');
      url = link;
    }
    let page: z.infer<typeof ChangePage>;
    try {
      page = await this.api.get(url, ChangePage, ['odata.track-changes', `odata.maxpagesize=${this.pageSize}`, FORMATTED_VALUES]);
    } catch (error) {
      if (error instanceof CrmError && error.vendorCode?.toLowerCase() === EXPIRED_VERSION_STAMP) throw new ExpiredChangeToken(error.vendorCode, error.vendorMessage);
      throw error;
    }
    const records: Record<string, string | null>[] = [];
    const deletedIds: string[] = [];
    for (const entity of page.value) {
      if (isDeletedEntity(entity)) {
        if (typeof entity.id === 'string') deletedIds.push(entity.id);
      } else {
        records.push(flattenRecord(entity, columns));
      }
    }
    return { records, deletedIds, nextCursor: page['@odata.nextLink'] ?? null, deltaLink: page['@odata.deltaLink'] ?? null, total: null };
  }

  /** A preview: `$top` makes Dataverse read only these rows instead of a 5,000-row page. */
  firstRecords(object: string, fields: string[], filters: CrmFilter[], limit: number): Promise<CrmRecordPage> {
    return this.read(object, fields, filters, null, Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(limit))));
  }

  private async read(object: string, fields: string[], filters: CrmFilter[], cursor: string | null, top: number | null): Promise<CrmRecordPage> {
    const table = await this.table(object, cursor !== null);
    const columns = this.columnsOf(object, table, fields);
    let url: string;
    if (cursor === null) {
      const params = new URLSearchParams({ $select: columns.map((c) => c.property).join(','), $count: 'true' });
      const filter = buildODataFilter(filters, table.fields);
      if (filter) params.set('$filter', filter);
      if (top !== null) params.set('$top', String(top));
      url = this.api.url(`${table.entitySet}?${query(params)}`);
    } else {
      if (!this.api.owns(cursor) || !new URL(cursor).pathname.endsWith(`/${table.entitySet}`)) {
        throw new SelectionError('That cursor does not belong to this pull');
      }
      url = cursor;
    }
    const page = await this.api.get(url, EntityPage, [`odata.maxpagesize=${this.pageSize}`, FORMATTED_VALUES]);
    const count = page['@odata.count'];
    return {
      records: page.value.map((entity) => flattenRecord(entity, columns)),
      nextCursor: page['@odata.nextLink'] ?? null,
      // $count stops at 5,000: a capped number is not a total.
      total: count !== undefined && count < COUNT_LIMIT ? count : null,
    };
  }

  private columnsOf(object: string, table: DynamicsTable, fields: string[]) {
    const byName = new Map(table.fields.map((f) => [f.name, f]));
    const unknown = fields.filter((f) => !byName.has(f));
    if (fields.length === 0 || unknown.length) {
      throw new SelectionError(fields.length ? `Not columns of ${object}: ${unknown.join(', ')}` : 'Pick at least one column');
    }
    return readColumns(fields.map((f) => byName.get(f) as CrmField));
  }

  /** `reuse`: metadata kept from an earlier request (the pull's first page) will do. */
  private table(object: string, reuse = false): Promise<DynamicsTable> {
    return this.tables.get(tableName(object), reuse);
  }

  private async loadTable(name: string): Promise<DynamicsTable> {
    const entity = `EntityDefinitions(LogicalName='${name}')`;
    const [definition, attributes, picklists, multiSelects, strings] = await Promise.all([
      this.api.get(
        this.api.url(`${entity}?$select=EntitySetName,PrimaryIdAttribute,ChangeTrackingEnabled`),
        EntityDefinition.pick({ EntitySetName: true, PrimaryIdAttribute: true }).extend({ ChangeTrackingEnabled: z.boolean().nullish() }),
      ),
      this.api.get(
        this.api.url(`${entity}/Attributes?$select=LogicalName,DisplayName,AttributeType,AttributeTypeName,IsValidForRead,AttributeOf,IsValidForCreate,IsValidForUpdate,RequiredLevel`),
        collectionOf(AttributeDefinition),
      ),
      this.api.get(
        this.api.url(`${entity}/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options)`),
        collectionOf(PicklistDefinition),
      ),
      // A multi-select choice's options live under their own metadata type: without them it would limit nothing.
      this.api.get(
        this.api.url(`${entity}/Attributes/Microsoft.Dynamics.CRM.MultiSelectPicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options)`),
        collectionOf(PicklistDefinition),
      ),
      this.api.get(
        this.api.url(`${entity}/Attributes/Microsoft.Dynamics.CRM.StringAttributeMetadata?$select=LogicalName,FormatName,MaxLength`),
        collectionOf(StringFormatDefinition),
      ),
    ]);
    if (!definition.EntitySetName) throw new CrmError('crm_error', `The table ${name} cannot be read through the Web API`, null, null, 400);
    return {
      entitySet: definition.EntitySetName,
      primaryId: definition.PrimaryIdAttribute,
      fields: toCrmFields(attributes.value, [...picklists.value, ...multiSelects.value], strings.value),
      tracksChanges: definition.ChangeTrackingEnabled === true,
    };
  }
}
