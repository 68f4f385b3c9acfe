import type { EngagementEvent } from '../../../shared/schema/crmExport.ts';
import { ok, rows, sendBatch, startBody, startImport, type Column } from '../support/api.ts';

export type Imported = { audienceId: string; importId: string };

/** An audience filled by a CSV import of `values` (rows in the order of `columns`), finished. */
export async function importAudience(columns: Column[], identifier: string, values: string[][]): Promise<Imported> {
  const started = await startImport(startBody(columns, identifier));
  await sendBatch(started.id, 0, rows(1, values));
  await ok('POST', `/api/imports/${started.id}/finish`);
  return { audienceId: started.audienceId, importId: started.id };
}

let eventSeq = 0;

export function engagementEvent(audienceId: string, memberIdentifier: string, over: Partial<EngagementEvent> = {}): EngagementEvent {
  eventSeq += 1;
  return {
    eventId: `evt-${crypto.randomUUID()}-${eventSeq}`,
    audienceId,
    memberIdentifier,
    campaign: 'Spring launch',
    sequence: 'Welcome',
    step: 1,
    event: 'open',
    message: '',
    at: '2026-03-01T10:00:00Z',
    ...over,
  };
}
