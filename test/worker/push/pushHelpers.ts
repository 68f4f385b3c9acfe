import { env } from 'cloudflare:test';
import type { EngagementEvent, ExportSettings, PushRequest } from '../../../shared/schema/crmExport.ts';
import { ExportSettings as ExportSettingsSchema } from '../../../shared/schema/crmExport.ts';
import type { Push, PushPreview, PushReport } from '../../../shared/schema/crmPush.ts';
import { ok, rows, sendBatch, startBody, startImport, type Column } from '../support/api.ts';

export type Imported = { audienceId: string; importId: string };

/** An audience filled by a CSV import of `values` (rows in the order of `columns`), finished. */
export async function importAudience(columns: Column[], identifier: string, values: string[][]): Promise<Imported> {
  const started = await startImport(startBody(columns, identifier));
  for (let seq = 0; seq * 2000 < values.length; seq++) await sendBatch(started.id, seq, rows(seq * 2000 + 1, values.slice(seq * 2000, (seq + 1) * 2000)));
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

/** Saves a connection's export settings the way the settings page leaves them (export_settings, one row per connection). */
export async function saveExportSettings(connectionId: string, settings: unknown): Promise<ExportSettings> {
  const parsed = ExportSettingsSchema.parse(settings);
  await env.DB.prepare(
    `INSERT INTO export_settings (workspace_id, connection_id, version, settings, updated_at, updated_by) VALUES ('default', ?, 1, ?, ?, 'test')
     ON CONFLICT (workspace_id, connection_id) DO UPDATE SET settings = excluded.settings, version = version + 1`,
  )
    .bind(connectionId, JSON.stringify(parsed), new Date().toISOString())
    .run();
  return parsed;
}

export const preview = (body: PushRequest) => ok<PushPreview>('POST', '/api/pushes/preview', body);

/** Starts a push and waits for its durable run to end (the workflow runs beside the test, in the same workerd). */
export async function pushAndWait(body: PushRequest, timeoutMs = 60_000): Promise<{ push: Push; report: PushReport }> {
  const started = await ok<Push>('POST', '/api/pushes', body);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const push = await ok<Push>('GET', `/api/pushes/${started.id}`);
    if (push.status !== 'running') return { push, report: await ok<PushReport>('GET', `/api/pushes/${started.id}/report?limit=5000`) };
    if (Date.now() > until) throw new Error(`push ${started.id} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** How many crm_record_links say which record each member of the audience is. */
export async function linksOf(audienceId: string): Promise<{ member_key: string; record_id: string }[]> {
  const { results } = await env.DB.prepare('SELECT member_key, record_id FROM crm_record_links WHERE audience_id = ? ORDER BY member_key')
    .bind(audienceId)
    .all<{ member_key: string; record_id: string }>();
  return results;
}
