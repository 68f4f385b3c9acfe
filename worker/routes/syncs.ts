import { Hono } from 'hono';
import { z } from 'zod';
import type { ImportReport } from '../../shared/schema/imports.ts';
import { CreateSyncBody, type DeletedSync, EditSyncBody, type RunNowAnswer, type SyncRunReport, type SyncSettings } from '../../shared/schema/syncs.ts';
import { DomainError, invalid } from '../domainError.ts';
import type { AppEnv } from '../http/appEnv.ts';
import { jsonBody, jsonBodyWithConsent, queryOf } from '../http/validate.ts';
import { buildImportPlan } from '../imports/importPlan.ts';
import { CRM_NOT_PRIVATE } from '../privacy/audienceMode.ts';
import { getAudience, insertAudienceStatement } from '../store/audiences.ts';
import { listFields } from '../store/fields.ts';
import { importErrorsPage } from '../store/importErrors.ts';
import { getImport } from '../store/imports.ts';
import { deleteSync } from '../sync/deleteSync.ts';
import { startRun } from '../sync/startRun.ts';
import { addVersion, connectionKind, getRunRow, getSync, insertSyncStatements, listRuns, listSyncs, setPaused, toPublicSync, toSyncRun } from '../sync/syncStore.ts';
import { nextRunAt } from '../sync/updateCycle.ts';
import type { ChangeImpact } from '../../shared/schema/history.ts';
import { changeImpact } from '../history/impact.ts';
import { changeBy, changeStatement, recordChange } from '../history/recordChange.ts';
import type { StoredSync } from '../sync/syncStore.ts';

const RunsQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });
const ReportQuery = z.object({ limit: z.coerce.number().int().min(0).max(5_000).default(500) });

/** A mapping that cannot become an import plan (an unknown field, a wrong identifier) is refused when saved, not at 3 a.m. */
async function checkSettings(db: D1Database, workspaceId: string, connectionId: string, settings: SyncSettings): Promise<void> {
  const kind = await connectionKind(db, workspaceId, connectionId);
  if (!kind) throw new DomainError('not_found', 'no such CRM connection in this workspace', { connectionId });
  const planned = buildImportPlan(
    {
      source: { kind, connectionId, object: settings.object, headers: settings.mapping.columns.map((c) => c.column) },
      mapping: settings.mapping,
      defaultCountry: settings.defaultCountry,
    },
    await listFields(db, workspaceId),
  );
  if (!planned.ok) throw invalid(planned.issues.map((i) => ({ ...i, path: ['settings', ...i.path] })));
}

/**
 * What a run pulls and how a record becomes a member changed: the next run pulls everything again, or members
 * would get a new column only when their record happens to change.
 */
function selectionChanged(before: SyncSettings, after: SyncSettings): boolean {
  const selection = (s: SyncSettings) => JSON.stringify([s.object, s.filters, s.mapping, s.flagField, s.defaultCountry]);
  return selection(before) !== selection(after);
}

/** How the change history names a sync, and the integration it belongs to. */
const syncSubject = (id: string, connectionId: string, settings: SyncSettings) => ({ kind: 'sync' as const, id, label: settings.name, connectionId });

/** The CRM attributes a sync imports: its mapping's columns that go to a field. */
const importedAttributes = (settings: SyncSettings) => settings.mapping.columns.filter((c) => c.target !== null).map((c) => c.column);

/** The sync's own audience, with its member count: what an edit of the sync reaches. */
async function syncAudience(db: D1Database, workspaceId: string, sync: StoredSync) {
  const audience = await getAudience(db, workspaceId, sync.audienceId);
  return { id: audience.id, name: audience.name, memberCount: audience.memberCount, via: ['sync' as const] };
}

export const syncsRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const db = c.env.DB;
    return c.json(await Promise.all((await listSyncs(db, c.var.workspaceId)).map((s) => toPublicSync(db, s))));
  })
  .post('/', jsonBodyWithConsent(CreateSyncBody), async (c) => {
    const db = c.env.DB;
    const ws = c.var.workspaceId;
    const body = c.req.valid('json');
    // Before the CRM is asked anything: no setting makes a CRM source private.
    if (body.audienceId && (await getAudience(db, ws, body.audienceId)).privacyMode) {
      throw new DomainError('privacy_mode', CRM_NOT_PRIVATE, { audienceId: body.audienceId });
    }
    await checkSettings(db, ws, body.connectionId, body.settings);
    const now = new Date();
    const at = now.toISOString();
    const id = crypto.randomUUID();
    const audienceId = body.audienceId ?? crypto.randomUUID();
    const statements = insertSyncStatements(db, ws, {
      id,
      name: body.settings.name,
      connectionId: body.connectionId,
      audienceId,
      settings: body.settings,
      consentBy: body.consent.confirmedBy,
      consentUserId: c.var.userId,
      // The first run of a scheduled sync is due at once: the audience is filled now, then kept up to date.
      nextRunAt: body.settings.cycle === 'manual' ? null : at,
      now: at,
    });
    const change = await changeBy(c, { subject: syncSubject(id, body.connectionId, body.settings), action: 'created', before: null, after: { ...body.settings, paused: false } });
    await db.batch([
      ...(body.audienceName && !body.audienceId ? [insertAudienceStatement(db, ws, audienceId, body.audienceName, at)] : []),
      ...statements,
      changeStatement(db, change, at),
    ]);
    return c.json(await toPublicSync(db, await getSync(db, ws, id)), 201);
  })
  .get('/:id', async (c) => c.json(await toPublicSync(c.env.DB, await getSync(c.env.DB, c.var.workspaceId, c.req.param('id')))))
  .put('/:id', jsonBody(EditSyncBody), async (c) => {
    const db = c.env.DB;
    const ws = c.var.workspaceId;
    const sync = await getSync(db, ws, c.req.param('id'));
    const { settings } = c.req.valid('json');
    await checkSettings(db, ws, sync.connectionId, settings);
    // A new cycle counts from now; the same cycle keeps the time already planned.
    const next = sync.paused ? null : settings.cycle === sync.settings.cycle ? sync.nextRunAt : nextRunAt(settings.cycle, new Date());
    await addVersion(db, ws, sync.id, settings, next, selectionChanged(sync.settings, settings), new Date().toISOString());
    // After the version's own batch (worker/sync owns it): an entry lost here loses a line of history, not the edit.
    if (JSON.stringify(sync.settings) !== JSON.stringify(settings)) {
      await recordChange(db, await changeBy(c, { subject: syncSubject(sync.id, sync.connectionId, settings), action: 'updated', before: sync.settings, after: settings }));
    }
    return c.json(await toPublicSync(db, await getSync(db, ws, sync.id)));
  })
  /** Admins and the key contact: the audience and its members stay (the sync's runs' imports too); refused while a run is going. */
  .delete('/:id', async (c) => {
    const db = c.env.DB;
    const ws = c.var.workspaceId;
    const sync = await getSync(db, ws, c.req.param('id'));
    const audience = await getAudience(db, ws, sync.audienceId);
    const change = await changeBy(c, { subject: syncSubject(sync.id, sync.connectionId, sync.settings), action: 'deleted', before: { ...sync.settings, paused: sync.paused }, after: null });
    await deleteSync(db, ws, sync, [changeStatement(db, change)]);
    const body: DeletedSync = { id: sync.id, audienceId: sync.audienceId, membersKept: audience.memberCount };
    return c.json(body);
  })
  /** What saving these settings would touch (the sync's audience, removed attributes' values); changes nothing. */
  .post('/:id/impact', jsonBody(EditSyncBody), async (c) => {
    const db = c.env.DB;
    const ws = c.var.workspaceId;
    const sync = await getSync(db, ws, c.req.param('id'));
    const { settings } = c.req.valid('json');
    const publicSync = await toPublicSync(db, sync);
    const impact: ChangeImpact = await changeImpact(db, ws, {
      subject: syncSubject(sync.id, sync.connectionId, sync.settings),
      object: settings.object,
      before: sync.settings,
      after: settings,
      attributesBefore: importedAttributes(sync.settings),
      attributesAfter: importedAttributes(settings),
      audiences: [await syncAudience(db, ws, sync)],
      syncs: [{ id: sync.id, name: settings.name, audienceId: sync.audienceId, cycle: settings.cycle, paused: publicSync.paused, scheduled: !publicSync.paused && settings.cycle !== 'manual' }],
      // A sync's mapping names the CRM's API names, which is what the members' fields were imported from.
      labels: new Map(),
    });
    return c.json(impact);
  })
  .post('/:id/pause', async (c) => {
    const db = c.env.DB;
    const sync = await getSync(db, c.var.workspaceId, c.req.param('id'));
    await setPaused(db, c.var.workspaceId, sync.id, true, null, new Date().toISOString());
    if (!sync.paused) await recordChange(db, await changeBy(c, { subject: syncSubject(sync.id, sync.connectionId, sync.settings), action: 'paused', before: { paused: false }, after: { paused: true } }));
    return c.json(await toPublicSync(db, await getSync(db, c.var.workspaceId, sync.id)));
  })
  .post('/:id/resume', async (c) => {
    const db = c.env.DB;
    const sync = await getSync(db, c.var.workspaceId, c.req.param('id'));
    // What was missed while paused is caught up at once (the next run is incremental from the last success).
    const next = sync.settings.cycle === 'manual' ? null : new Date().toISOString();
    await setPaused(db, c.var.workspaceId, sync.id, false, next, new Date().toISOString());
    if (sync.paused) await recordChange(db, await changeBy(c, { subject: syncSubject(sync.id, sync.connectionId, sync.settings), action: 'resumed', before: { paused: true }, after: { paused: false } }));
    return c.json(await toPublicSync(db, await getSync(db, c.var.workspaceId, sync.id)));
  })
  .post('/:id/runs', async (c) => {
    const answer: RunNowAnswer = await startRun(c.env, c.var.workspaceId, c.req.param('id'), 'manual', new Date());
    return c.json(answer, answer.started ? 201 : 200);
  })
  .get('/:id/runs', queryOf(RunsQuery), async (c) => {
    const sync = await getSync(c.env.DB, c.var.workspaceId, c.req.param('id'));
    return c.json(await listRuns(c.env.DB, c.var.workspaceId, sync.id, c.req.valid('query').limit));
  })
  .get('/:id/runs/:runId', queryOf(ReportQuery), async (c) => {
    const db = c.env.DB;
    const ws = c.var.workspaceId;
    const row = await getRunRow(db, ws, c.req.param('runId'));
    if (row.sync_id !== c.req.param('id')) throw new DomainError('not_found', 'sync run not found', { runId: row.id });
    const record = await getImport(db, ws, row.import_id);
    const page = await importErrorsPage(db, ws, row.import_id, c.req.valid('query').limit, null);
    const report: ImportReport = { import: record.summary, errors: page.errors, totalErrors: record.errorCount };
    const answer: SyncRunReport = { run: toSyncRun(row), report };
    return c.json(answer);
  });
