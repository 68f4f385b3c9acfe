import type { ImportSummary, StartImportBody } from '../../shared/schema/imports.ts';
import { invalid } from '../domainError.ts';
import { getAudience, insertAudienceStatement } from '../store/audiences.ts';
import { listFields } from '../store/fields.ts';
import { getImport, insertImportStatement } from '../store/imports.ts';
import { buildImportPlan } from './importPlan.ts';

/**
 * Starts an import into an existing audience or a new one. Consent was checked by the body validator before this
 * runs; the new audience and the import are written in one transaction, so a refused start leaves nothing behind.
 */
export async function startImport(db: D1Database, workspaceId: string, body: StartImportBody, now: string): Promise<ImportSummary> {
  const planned = buildImportPlan(body, await listFields(db, workspaceId));
  if (!planned.ok) throw invalid(planned.issues);
  const audienceId = body.audienceId ?? crypto.randomUUID();
  if (body.audienceId) await getAudience(db, workspaceId, body.audienceId);
  const id = crypto.randomUUID();
  const insertImport = insertImportStatement(db, workspaceId, {
    id,
    audienceId,
    source: body.source,
    mapping: body.mapping,
    plan: planned.plan,
    defaultCountry: body.defaultCountry,
    batchSize: body.batchSize,
    expectedRows: body.expectedRows ?? null,
    now,
  });
  await db.batch(
    body.audienceName && !body.audienceId
      ? [insertAudienceStatement(db, workspaceId, audienceId, body.audienceName, now), insertImport]
      : [insertImport],
  );
  return (await getImport(db, workspaceId, id)).summary;
}
