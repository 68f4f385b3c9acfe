import { lookupProperties } from '../../shared/crmExport/lookupNames.ts';
import { missingExportTimeValues } from '../../shared/crmExport/planPush.ts';
import type { PushRequest } from '../../shared/schema/crmExport.ts';
import type { PlannedRecordSample, PushCounts, PushPreview } from '../../shared/schema/crmPush.ts';
import { invalid } from '../domainError.ts';
import { getAudience } from '../store/audiences.ts';
import { peopleTable } from './crmTargets.ts';
import { planBatch } from './planBatch.ts';
import { accountMemory, companyLinkScope } from './companyLinks.ts';
import { linkCompanies } from './pushCompanies.ts';
import { planSettingsOf, userEmail } from './pushBatch.ts';
import { describedNow, exportSettingsOf, openPushWriter, requiredNotCoveredError, requiredNotCoveredNow } from './pushDeps.ts';
import { countInScope, nextMembers, scopeWhere } from './pushMembers.ts';
import type { PushRunParams } from './pushRunWorkflow.ts';
import { getPushRow, insertPushStatement, rememberedRecords, toPush } from './pushStore.ts';
import { nameSampleLookups } from './previewLookupNames.ts';

/** Members planned per round of a preview, as a push step plans them: 50 lookups of 200 values per identifier, 4 at a time. */
const PREVIEW_PAGE = 10_000;
const SAMPLE_SIZE = 20;

/**
 * What a push would do, computed by the Worker against the CRM as it is now, exactly as the run will decide it
 * (the same planBatch): counts for every member in the scope, and the first records it would change as a sample
 * (lookups named as people know them: the owner's name, the Account's); and, from the CRM's describe now, the fields it requires on create that the settings leave empty (the push is
 * refused until an admin covers them).
 */
export async function previewPush(env: Env, workspaceId: string, request: PushRequest, userId: string | null): Promise<PushPreview> {
  const db = env.DB;
  await getAudience(db, workspaceId, request.audienceId);
  const settings = await exportSettingsOf(db, workspaceId, request.connectionId);
  const { writer, kind } = await openPushWriter(env, workspaceId, request.connectionId);
  const described = await describedNow(env, workspaceId, request.connectionId, settings);
  const { object, ownerProperty } = peopleTable(kind, settings.people.target);
  const planSettings = planSettingsOf(settings, ownerProperty);
  const run = { exportTimeValues: request.exportTimeValues, runnerEmail: await userEmail(db, userId) };
  const where = await scopeWhere(env, workspaceId, request.audienceId, request.scope);
  const memory = await accountMemory(db, env.HASH_KEY, companyLinkScope(workspaceId, request.connectionId, kind, settings.companies));
  const counts: PushCounts = { create: 0, update: 0, skip: 0, conflict: 0 };
  const sample: PlannedRecordSample[] = [];
  let members = 0;
  for (let after = 0; ; ) {
    const page = await nextMembers(env, workspaceId, request.audienceId, where, after, PREVIEW_PAGE, settings.sensitiveAllowed);
    const last = page.at(-1);
    if (!last) break;
    const remembered = await rememberedRecords(db, workspaceId, { connectionId: request.connectionId, object, audienceId: request.audienceId }, page.map((m) => m.key));
    const linked = await linkCompanies(writer, kind, planSettings, settings.companies, page, memory, 'preview');
    for (const { member, plan } of await planBatch(writer, object, linked.settings, run, linked.members, remembered)) {
      counts[plan.action] += 1;
      if (plan.action !== 'skip' && sample.length < SAMPLE_SIZE) {
        sample.push({ memberId: member.id, member: member.label, action: plan.action, recordId: plan.recordId, changes: plan.changes, conflicts: plan.conflicts, reason: plan.reason });
      }
    }
    members += page.length;
    after = last.memberId;
    if (page.length < PREVIEW_PAGE) break;
  }
  const shownSample = await nameSampleLookups(writer, kind, settings.people.target, ownerProperty, sample);
  // The lookups too: a push links a company the preview could not show yet (its Account is made by the run).
  const inSample = new Set([...shownSample.flatMap((s) => s.changes.map((c) => c.crmProperty.toLowerCase())), ...lookupProperties(kind, settings.people.target, ownerProperty).keys()]);
  return {
    members,
    counts,
    sample: shownSample,
    fieldLabels: Object.fromEntries(described.peopleFields.filter((f) => inSample.has(f.name.toLowerCase())).map((f) => [f.name, f.label])),
    exportTimeFields: settings.people.exportTime,
    missingRequired: missingExportTimeValues(settings.people, request.exportTimeValues),
    requiredNotCovered: described.requiredNotCovered,
    object,
  };
}

/**
 * Starts a push: settings as saved now (the run keeps them, an edit during it does not change it half-way), the
 * scope's size for the progress bar, then the durable run. Refused while a required export-time field is empty.
 */
export async function startPush(env: Env, workspaceId: string, request: PushRequest, userId: string | null) {
  const db = env.DB;
  await getAudience(db, workspaceId, request.audienceId);
  const settings = await exportSettingsOf(db, workspaceId, request.connectionId);
  const missing = missingExportTimeValues(settings.people, request.exportTimeValues);
  if (missing.length > 0) throw invalid(missing.map((p) => ({ path: ['exportTimeValues', p], message: 'a value is required before pushing' })));
  // Refused now rather than in the run: a connection that cannot write (needs a new login, not set up), settings
  // that leave a field the CRM requires on create empty (every create would fail).
  await openPushWriter(env, workspaceId, request.connectionId);
  const requiredMissing = await requiredNotCoveredNow(env, workspaceId, request.connectionId, settings);
  if (requiredMissing.length > 0) throw requiredNotCoveredError(requiredMissing);
  const where = await scopeWhere(env, workspaceId, request.audienceId, request.scope);
  const total = await countInScope(db, workspaceId, request.audienceId, where);
  const id = crypto.randomUUID();
  await insertPushStatement(db, workspaceId, { id, request, settings, startedBy: userId, total, now: new Date().toISOString() }).run();
  const params: PushRunParams = { workspaceId, pushId: id };
  await env.PUSH_RUNS.create({ id, params });
  return toPush(await getPushRow(db, workspaceId, id));
}
