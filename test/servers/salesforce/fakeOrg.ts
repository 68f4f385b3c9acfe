import { createHash, randomBytes } from 'node:crypto';
import type { CreateOrgRequest, FakeRecord, FaultRequest, OrgStats, PicklistValueAdded, RecordChanges } from './controlTypes.ts';
import { RowIndex } from '../rowIndex.ts';
import { findObject, type DescribeField, type ObjectMeta } from './objects.ts';
import { generateAccounts, generateContacts, generateLeads, recordId } from './records.ts';
import { orgUsers } from './writes.ts';

/** One fake Salesforce org: its data, the tokens it has issued, open query cursors and pending faults. */
export class FakeOrg {
  readonly orgId: string;
  readonly userId: string;
  readonly userName: string;
  readonly orgName: string;
  readonly pageSize: number;
  readonly records = new Map<string, FakeRecord[]>();
  /** authorization code → what the authorize request carried. */
  readonly codes = new Map<string, { redirectUri: string; codeChallenge: string | null; expiresAt: number }>();
  readonly accessTokens = new Set<string>();
  readonly refreshTokens = new Set<string>();
  /** Access token → the refresh token of its grant: revoking a refresh token revokes these too, as Salesforce does. */
  readonly grantOf = new Map<string, string>();
  /** Query cursors: a snapshot of the result, paged through by query locators like Salesforce's. */
  readonly cursors = new Map<string, { records: FakeRecord[]; object: ObjectMeta; fields: string[] }>();
  /** Pick list values this org added in Setup, by "Object.Field", on top of the shared object metadata. */
  readonly addedPicklistValues = new Map<string, PicklistValueAdded[]>();
  /** The org's indexes by object (what Salesforce indexes: see soqlEngine's `indexedCandidates`). */
  private readonly indexes = new Map<string, RowIndex<FakeRecord>>();
  /** `Object.Field` of the fields made required, or external ids, since the org was created (FieldChanged). */
  readonly requiredFields = new Set<string>();
  readonly externalIdFields = new Set<string>();
  /** Pick list values deactivated "in Setup": described with active false from then on. */
  readonly inactivePicklistValues = new Map<string, Set<string>>();
  readonly faults: {
    fail: { status: number; count: number } | null;
    dropPages: number;
    dropPagesAfter: number;
    delay: { ms: number; count: number } | null;
    expireSessionsAfter: number | null;
  } = {
    expireSessionsAfter: null,
    fail: null,
    dropPages: 0,
    dropPagesAfter: 0,
    delay: null,
  };
  readonly stats: OrgStats = {
    tokenGrants: { authorization_code: 0, refresh_token: 0 },
    apiRequests: 0,
    queries: [],
    issuedAccessTokens: [],
    issuedRefreshTokens: [],
    revokedTokens: 0,
  };

  constructor(
    readonly index: number,
    readonly request: CreateOrgRequest,
  ) {
    this.orgId = recordId('00D', index, 1).slice(0, 15);
    this.userId = recordId('005', index, 1).slice(0, 15);
    this.userName = `admin@org${index}.example.com`;
    this.orgName = request.orgName ?? `Acme Org ${index}`;
    this.pageSize = request.pageSize ?? 2000;
    const accounts = [...generateAccounts(index, request.accounts ?? 0), ...this.withIds('Account', request.records?.Account)];
    const accountIds = accounts.map((a) => String(a.Id));
    this.records.set('Account', accounts);
    this.records.set('Contact', [...generateContacts(index, request.contacts ?? 0, accountIds), ...this.withIds('Contact', request.records?.Contact)]);
    this.records.set('Lead', [...generateLeads(index, request.leads ?? 0), ...this.withIds('Lead', request.records?.Lead)]);
    this.records.set('Invoice__c', this.withIds('Invoice__c', request.records?.Invoice__c));
    for (const name of ['Account', 'Contact', 'Lead', 'Invoice__c']) this.records.set(name, (this.records.get(name) ?? []).map(withSystemFields));
    this.records.set('Organization', [{ Id: this.orgId, Name: this.orgName, OrganizationType: 'Enterprise Edition', IsSandbox: false }]);
    this.records.set('User', orgUsers(this));
  }

  private withIds(objectName: string, records: FakeRecord[] | undefined): FakeRecord[] {
    const prefix = findObject(objectName)?.keyPrefix ?? 'a00';
    return (records ?? []).map((r, i) => ({ Id: recordId(prefix, this.index, 900_000 + i), ...r }));
  }

  /**
   * Records created or changed now (merged by Id), or deleted (to the recycle bin: IsDeleted = true, still seen by
   * queryAll), each stamped with a SystemModstamp of this moment, as Salesforce does on every change; or purged
   * (gone for good: no query sees them).
   */
  changeRecords(c: RecordChanges): { ids: string[] } {
    const list = this.records.get(c.object);
    if (!list) throw new Error(`no object ${c.object}`);
    const stamp = salesforceStamp(new Date());
    const ids: string[] = [];
    // By id once per call: the bench changes 10,000 records of a million at a time.
    const indexOf = new Map(list.map((r, i) => [r.Id, i]));
    for (const change of c.upsert ?? []) {
      const at = change.Id === undefined ? -1 : (indexOf.get(change.Id) ?? -1);
      if (at >= 0) {
        list[at] = { ...list[at], ...change, LastModifiedDate: stamp, SystemModstamp: stamp };
        ids.push(String(change.Id));
      } else {
        const id = String(change.Id ?? recordId(findObject(c.object)?.keyPrefix ?? 'a00', this.index, 800_000 + list.length));
        indexOf.set(id, list.length);
        list.push(withSystemFields({ ...change, Id: id, CreatedDate: stamp, LastModifiedDate: stamp, SystemModstamp: stamp }));
        ids.push(id);
      }
    }
    for (const id of c.delete ?? []) {
      const at = indexOf.get(id) ?? -1;
      if (at >= 0) list[at] = { ...list[at], IsDeleted: true, SystemModstamp: stamp };
    }
    if (c.purge?.length) {
      const purged = new Set(c.purge);
      this.records.set(c.object, list.filter((r) => !purged.has(String(r.Id))));
    }
    // Records were replaced by new objects: the object's index is rebuilt at its next lookup.
    this.recordIndex(c.object).reset();
    return { ids };
  }

  /**
   * The equality index of an object's records; column `Id15` is the first 15 characters of the Id (an 18-character
   * id names the same record). Writes that add or change a record in place announce it with `noted`.
   */
  recordIndex(objectName: string): RowIndex<FakeRecord> {
    let index = this.indexes.get(objectName);
    if (!index) {
      index = new RowIndex<FakeRecord>(
        () => this.records.get(objectName) ?? [],
        (r, column) => (column === 'Id15' ? (typeof r.Id === 'string' ? r.Id.slice(0, 15) : null) : r[column]),
      );
      this.indexes.set(objectName, index);
    }
    return index;
  }

  addPicklistValue(added: PicklistValueAdded): void {
    const key = `${added.object}.${added.field}`;
    if (added.active === false) {
      this.inactivePicklistValues.set(key, new Set([...(this.inactivePicklistValues.get(key) ?? []), added.value]));
      return;
    }
    this.addedPicklistValues.set(key, [...(this.addedPicklistValues.get(key) ?? []), added]);
  }

  /** An object's fields as this org describes them: the shared metadata plus the pick list values it added and the fields it changed. */
  describedFields(object: ObjectMeta): DescribeField[] {
    return object.fields.map((made) => {
      const key = `${object.name}.${made.name}`;
      const required = this.requiredFields.has(key) ? { ...made, nillable: false, defaultedOnCreate: false } : made;
      const f = this.externalIdFields.has(key) ? { ...required, externalId: true } : required;
      const added = this.addedPicklistValues.get(`${object.name}.${f.name}`);
      const inactive = this.inactivePicklistValues.get(`${object.name}.${f.name}`);
      if (!added && !inactive) return f;
      const values = [...f.picklistValues, ...(added ?? []).map((a) => ({ value: a.value, label: a.label, active: true, defaultValue: false, validFor: null }))];
      return { ...f, picklistValues: values.map((v) => (inactive?.has(v.value) ? { ...v, active: false } : v)) };
    });
  }

  /** A new access token, with a new refresh token (a new grant) or for the grant of `fromRefreshToken`. */
  issueTokens(withRefresh: boolean, fromRefreshToken?: string): { accessToken: string; refreshToken: string | null } {
    // Salesforce access tokens look like "00D…!AQ…": the org id, then an opaque secret.
    const accessToken = `${this.orgId}!AQ${randomBytes(24).toString('base64url')}`;
    this.accessTokens.add(accessToken);
    this.stats.issuedAccessTokens.push(accessToken);
    let refreshToken: string | null = null;
    if (withRefresh) {
      refreshToken = `5Aep${randomBytes(30).toString('base64url')}`;
      this.refreshTokens.add(refreshToken);
      this.stats.issuedRefreshTokens.push(refreshToken);
    }
    const grant = refreshToken ?? fromRefreshToken;
    if (grant) this.grantOf.set(accessToken, grant);
    return { accessToken, refreshToken };
  }

  /**
   * POST /services/oauth2/revoke: an access token is invalidated; a refresh token is revoked with every access
   * token of its grant. False for a token this org does not know (Salesforce: 400 invalid_token).
   */
  revoke(token: string): boolean {
    if (this.refreshTokens.delete(token)) {
      for (const [access, grant] of this.grantOf) if (grant === token) this.accessTokens.delete(access);
      this.stats.revokedTokens++;
      return true;
    }
    if (this.accessTokens.delete(token)) {
      this.stats.revokedTokens++;
      return true;
    }
    return false;
  }

  applyFaults(f: FaultRequest): void {
    if (f.expireSessions || f.revokeRefreshTokens) this.accessTokens.clear();
    if (f.revokeRefreshTokens) this.refreshTokens.clear();
    if (f.fail) this.faults.fail = { ...f.fail };
    if (f.expireSessionsAfter !== undefined) this.faults.expireSessionsAfter = f.expireSessionsAfter;
    if (f.dropPages !== undefined) this.faults.dropPages = f.dropPages;
    if (f.dropPages !== undefined) this.faults.dropPagesAfter = f.dropPagesAfter ?? 0;
    if (f.delay) this.faults.delay = { ...f.delay };
  }

  newCursor(records: FakeRecord[], object: ObjectMeta, fields: string[]): string {
    // Query locators: "01g" + 15 characters, e.g. 01gD0000002HU6KIAW.
    const id = `01g${randomBytes(12).toString('hex').slice(0, 15)}`;
    this.cursors.set(id, { records, object, fields });
    return id;
  }
}

/** Salesforce's own date-time form: "2026-11-29T08:00:00.000+0000". */
export function salesforceStamp(d: Date): string {
  return d.toISOString().replace('Z', '+0000');
}

/** Every record carries the system fields: IsDeleted, and a SystemModstamp no earlier than its last modification. */
function withSystemFields(r: FakeRecord): FakeRecord {
  const stamp = r.SystemModstamp ?? r.LastModifiedDate ?? r.CreatedDate ?? '2024-01-01T00:00:00.000+0000';
  return { IsDeleted: false, ...r, SystemModstamp: stamp };
}

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}
