// The fake Dataverse's write side as tests see it (no Node imports: used from workerd too).

export type DataverseWriteStats = {
  /** $batch requests, and the operations they carried. */
  batches: number;
  batchOperations: number;
  createMultiple: number;
  updateMultiple: number;
  /** Creates, updates and upserts sent one by one (not in a $batch). */
  singleWrites: number;
};

export type DataverseWriteControl = {
  /** A duplicate detection rule: a write giving `column` a value another row of `table` has is refused (0x80040333) when the request asks for duplicate detection. */
  duplicateRule?: { table: string; column: string } | null;
  /** The next this many $batch requests are applied, then answered 503: the answer lost on the way back. */
  loseBatchAnswers?: number;
  /** Milliseconds a $batch waits before Dataverse processes it: a busy environment, whose records land late. */
  batchDelayMs?: number;
};

export function fakeDataverseWrites(url: string, tenant: string) {
  const at = `${url}/_fake/writes?tenant=${encodeURIComponent(tenant)}`;
  return {
    async stats(): Promise<DataverseWriteStats> {
      return (await (await fetch(at)).json()) as DataverseWriteStats;
    },
    async control(body: DataverseWriteControl): Promise<DataverseWriteStats> {
      return (await (await fetch(at, { method: 'POST', body: JSON.stringify(body) })).json()) as DataverseWriteStats;
    },
  };
}
