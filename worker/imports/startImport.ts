import type { ImportSummary, StartImportBody } from '../../shared/schema/imports.ts';
import type { BatchSealer } from '../crypto/batchSealer.ts';
import type { KeyedHasher } from '../crypto/keyedHash.ts';
import { ensureKeyedMembers } from '../crypto/keyedHashMigration.ts';
import { DomainError, invalid } from '../domainError.ts';
import { insertAudienceStatement } from '../store/audiences.ts';
import { readAudienceShape, writeAudienceShapeStatement } from '../store/audienceShape.ts';
import { listFields } from '../store/fields.ts';
import { getImport, insertImportStatement } from '../store/imports.ts';
import { assertModeMayChange, CRM_NOT_PRIVATE, setPrivacyModeStatement } from '../privacy/audienceMode.ts';
import { assertFileImportMayBePlain } from '../privacy/privacyDefault.ts';
import { alignPlan } from './alignPlan.ts';
import { buildImportPlan } from './importPlan.ts';
import { sealStoredValues } from './sealStoredValues.ts';

/**
 * Starts an import into an existing audience or a new one. Consent was checked by the body validator before this
 * runs. The plan is aligned to what the audience fixed with its first import (alignPlan); a field this import makes
 * sensitive has its stored plain values sealed before the import exists, so no batch of it lands beside plain text
 * of the same field. The new audience (or its shape) and the import are written in one transaction, so a refused
 * start leaves nothing behind. Privacy mode comes from the audience (or the body, for a new or still empty one),
 * is fixed in the plan, and refuses a CRM source.
 */
export async function startImport(db: D1Database, workspaceId: string, body: StartImportBody, now: string, seal: BatchSealer, hasher: KeyedHasher): Promise<ImportSummary> {
  const fields = await listFields(db, workspaceId);
  const planned = buildImportPlan(body, fields);
  if (!planned.ok) throw invalid(planned.issues);
  const audienceId = body.audienceId ?? crypto.randomUUID();
  const existing = body.audienceId ? await readAudienceShape(db, workspaceId, body.audienceId) : null;
  if (body.audienceId && !existing) throw new DomainError('not_found', 'audience not found', { audienceId: body.audienceId });

  let privacy = existing ? existing.privacyMode : body.privacyMode === true;
  const crm = body.source.kind !== 'csv';
  let switchMode = false;
  if (existing && body.privacyMode !== undefined && body.privacyMode !== existing.privacyMode && !(crm && body.privacyMode)) {
    switchMode = await assertModeMayChange(db, workspaceId, audienceId, body.privacyMode);
    privacy = body.privacyMode;
  }
  if (crm && (privacy || body.privacyMode === true)) throw new DomainError('privacy_mode', CRM_NOT_PRIVATE, { audienceId: body.audienceId ?? null });
  await assertFileImportMayBePlain(db, workspaceId, { fromFile: !crm, audienceId: body.audienceId ?? null, privateImport: privacy });

  const labels = new Map(fields.map((f) => [f.key, f.label]));
  const aligned = alignPlan(planned.plan, existing?.shape ?? null, (key) => labels.get(key) ?? key);
  if (!aligned.ok) throw invalid(aligned.issues);
  const plan = { ...aligned.plan, ...(aligned.notices.length ? { notices: aligned.notices } : {}), ...(privacy ? { privacy: true } : {}) };

  let sealingDue = false;
  if (existing && (aligned.newlySensitive.length > 0 || existing.sealingDue)) {
    // Recorded before sealing: an interrupted sealing is taken up again by the next import's start.
    await writeAudienceShapeStatement(db, workspaceId, audienceId, aligned.shape, true).run();
    // Sealing writes keyed hashes and re-keys by them: members from before keyed hashes are re-keyed first.
    await ensureKeyedMembers(db, hasher);
    const types = new Map(fields.map((f) => [f.key, f.type]));
    const sensitiveTypes = new Map(aligned.shape.sensitiveFields.map((key) => [key, types.get(key) ?? 'text'] as const));
    sealingDue = !(await sealStoredValues({ db, seal, hasher, workspaceId, audienceId, fields: sensitiveTypes, identifierField: aligned.shape.identifierField, now }));
  }

  const id = crypto.randomUUID();
  const insertImport = insertImportStatement(db, workspaceId, {
    id,
    audienceId,
    source: body.source,
    mapping: body.mapping,
    plan,
    defaultCountry: body.defaultCountry,
    batchSize: body.batchSize,
    expectedRows: body.expectedRows ?? null,
    now,
  });
  const shape = writeAudienceShapeStatement(db, workspaceId, audienceId, aligned.shape, sealingDue);
  await db.batch(
    body.audienceName && !body.audienceId
      ? [insertAudienceStatement(db, workspaceId, audienceId, body.audienceName, now, privacy), shape, insertImport]
      : [...(switchMode ? [setPrivacyModeStatement(db, workspaceId, audienceId, privacy, now)] : []), shape, insertImport],
  );
  return (await getImport(db, workspaceId, id)).summary;
}
