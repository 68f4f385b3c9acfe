import type { CrmKind } from '../../shared/schema/crm.ts';

/** A fake CRM started in the bench process, the Worker configuration that points at it, and its own pace. */
export type CrmUnderBench = {
  kind: CrmKind;
  label: string;
  /** The contacts object: "Contact" (Salesforce API name), "contact" (Dataverse logical name). */
  object: string;
  /** Records per page, the same for the direct pull and the connector. */
  pageSize: number;
  /** `--var`s for wrangler dev: login / authority URLs, client id and secret. */
  vars: Record<string, string>;
  /** Connects through the Worker's real routes; the connection id. */
  connect(baseUrl: string): Promise<string>;
  /**
   * (a) The fake's own serve rate: the same query, page size and fields, straight from Node; with `changedSince`,
   * only the records whose modification stamp is later (what an incremental sync run asks).
   */
  pullDirect(attributes: readonly string[], changedSince?: string): Promise<{ records: number; pages: number }>;
  close(): Promise<void>;
};
