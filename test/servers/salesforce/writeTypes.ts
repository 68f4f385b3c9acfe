/**
 * The fake Salesforce's write side as tests see it (no Node imports: used from workerd too): what it counted, and
 * the org settings that make writes fail the way real orgs do.
 */

export type WriteStats = {
  /** sObject Collections requests (POST create / PATCH update), and the records they carried. */
  collectionCalls: number;
  collectionRecords: number;
  /** sObject Collections retrieve requests (GET composite/sobjects/{Object}?ids=). */
  retrieveCalls: number;
  /** Bulk API 2.0 ingest jobs, in creation order. */
  bulkJobs: { id: string; object: string; operation: string; state: string; records: number; failed: number }[];
};

export type WriteControl = {
  /** A duplicate rule that blocks (DUPLICATES_DETECTED) a create or update giving `field` a value another record of `object` has. */
  duplicateRule?: { object: string; field: string } | null;
  /** How many job-info requests answer InProgress after UploadComplete before JobComplete (default 1). */
  bulkPollsBeforeComplete?: number;
  /** The next this many sObject Collections create/update calls are applied, then answered 503: the answer lost on the way back. */
  loseCollectionAnswers?: number;
  /**
   * The next Bulk API 2.0 ingest job processes this many records, then fails (state Failed, an errorMessage): the
   * records after them are left unprocessed (unprocessedrecords), as when Salesforce stops a job part-way. Once.
   */
  failNextBulkJobAfter?: number | null;
};
