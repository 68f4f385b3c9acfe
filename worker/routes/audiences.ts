import { Hono } from 'hono';
import { z } from 'zod';
import {
  CreateAudienceBody,
  DryRunBatchBody,
  MemberFilters,
  RenameAudienceBody,
  StartDryRunBody,
  UndoImportBody,
  type Audience,
  type DeletedAudience,
  type MemberPage,
} from '../../shared/schema/audiences.ts';
import { normalizeValue } from '../../shared/normalize/normalizeValue.ts';
import { dryRunBatch, startDryRun } from '../audiences/dryRun.ts';
import { audienceExportStream } from '../audiences/exportStream.ts';
import { undoImport } from '../audiences/undoImport.ts';
import { DomainError } from '../domainError.ts';
import { assertModeMayChange, identifierByDigest, setPrivacyModeStatement } from '../privacy/audienceMode.ts';
import { assertFileImportMayBePlain } from '../privacy/privacyDefault.ts';
import { privateByDefault } from '../../shared/schema/workspaceSettings.ts';
import { readPrivacyDefault } from '../store/workspaceSettings.ts';
import { sealedOpenerFor } from '../privacy/sealedOpener.ts';
import type { AppEnv } from '../http/appEnv.ts';
import { jsonBody, paramsOf, queryOf } from '../http/validate.ts';
import { identifierKey, keyedCustomerMatchHash, keyedIdentifierHash, type SensitiveKeyOf } from '../imports/identifierKey.ts';
import { keyedHasherFor, type KeyedHasher } from '../crypto/keyedHash.ts';
import { ensureKeyedMembers } from '../crypto/keyedHashMigration.ts';
import { ImportPlan } from '../../shared/schema/importPlan.ts';
import { parseStoredJson } from '../store/storedJson.ts';
import { deleteAudience, deleteMember, renameAudience } from '../store/audienceRemoval.ts';
import { createAudience, getAudience, listAudiences } from '../store/audiences.ts';
import { getDryRun } from '../store/dryRuns.ts';
import { listFields } from '../store/fields.ts';
import { importHistory } from '../store/importHistory.ts';
import { audienceIdentifier, searchMembersPage, type MemberWhere } from '../store/memberSearch.ts';

const MembersQuery = MemberFilters.extend({
  /** Opaque: the nextCursor of the previous page. */
  cursor: z.string().regex(/^\d{1,15}$/, 'not a cursor from this API').optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
})
  .refine((q) => (q.field === undefined) === (q.value === undefined), { message: 'give field and value together', path: ['field'] })
  .refine((q) => q.identifier === undefined || q.identifierDigest === undefined, { message: 'give identifier or identifierDigest, not both', path: ['identifierDigest'] });

const MemberParams = z.object({ id: z.string(), memberId: z.string().regex(/^\d{1,15}$/, 'not a member id') });
const ImportParams = z.object({ id: z.string(), importId: z.string() });
const DryRunBatchParams = z.object({ dryRunId: z.string(), seq: z.coerce.number().int().min(0) });
const ExportQuery = z.object({ format: z.enum(['csv', 'customer_match']).default('csv') });

/**
 * What the member list is narrowed to. The typed identifier is normalised as on import (with the newest import's
 * identifier type and default country) and turned into the stored key by identifierKey — for a sensitive
 * identifier its hash: the stored values are never decrypted to search. A private audience's sensitive identifier
 * comes as `identifierDigest` (the tab's SHA-256 of it, as sealed on ingest) and is keyed as ingest keys `h`; the
 * plain value is refused there, since the server must never see it. Undefined: nothing can match.
 */
async function memberWhere(
  db: D1Database,
  workspaceId: string,
  audience: Audience,
  plan: ImportPlan | null,
  q: MemberFilters,
  hashKey: string | undefined,
): Promise<MemberWhere | undefined> {
  const where: MemberWhere = {};
  if (q.identifier !== undefined || q.identifierDigest !== undefined) {
    const column = plan?.columns[plan.identifierIndex];
    if (!plan || !column) return undefined;
    const byDigest = identifierByDigest(audience, column);
    if (q.identifier !== undefined && byDigest) {
      throw new DomainError(
        'privacy_mode',
        'This audience is private and its identifier is sensitive: the server never sees it, so it cannot be searched for as typed. Send identifierDigest, the SHA-256 of its normalised form (the browser does this).',
        { audienceId: audience.id },
      );
    }
    if (q.identifierDigest !== undefined && !column.sensitive) {
      throw new DomainError('validation_failed', 'this audience’s identifier is not sensitive: search for it as typed (identifier)', [
        { path: ['identifierDigest'], message: 'only for a sensitive identifier' },
      ]);
    }
    let hasher: KeyedHasher | null = null;
    if (column.sensitive) {
      hasher = await keyedHasherFor(hashKey);
      // Keys from before keyed hashes would not match the typed value's keyed hash.
      await ensureKeyedMembers(db, hasher);
    }
    if (q.identifierDigest !== undefined && hasher) {
      where.identifierKey = keyedCustomerMatchHash(hasher)(q.identifierDigest);
    } else if (q.identifier !== undefined) {
      const normalized = normalizeValue(column.type, q.identifier, plan.defaultCountry);
      if (!normalized.ok) return undefined;
      const keyOf: SensitiveKeyOf = hasher ? keyedIdentifierHash(hasher) : () => '';
      where.identifierKey = identifierKey(column, normalized.value, keyOf);
    }
  }
  if (q.field !== undefined && q.value !== undefined) {
    const type = (await listFields(db, workspaceId)).find((f) => f.key === q.field)?.type ?? 'text';
    const normalized = normalizeValue(type, q.value, 'US');
    where.field = { key: q.field, value: normalized.ok ? normalized.value : q.value.trim() };
  }
  return where;
}

export const audiencesRoutes = new Hono<AppEnv>()
  .get('/', async (c) => c.json(await listAudiences(c.env.DB, c.var.workspaceId)))
  .post('/', jsonBody(CreateAudienceBody), async (c) => {
    const body = c.req.valid('json');
    // Left out, the mode is the workspace's default for new audiences (README "Privacy mode").
    const privacyMode = body.privacyMode ?? privateByDefault(await readPrivacyDefault(c.env.DB, c.var.workspaceId));
    const audience = await createAudience(c.env.DB, c.var.workspaceId, body.name, new Date().toISOString(), privacyMode);
    return c.json(audience, 201);
  })
  // Dry runs come before '/:id…' so "dry-runs" is never read as an audience id.
  .post('/dry-runs', jsonBody(StartDryRunBody), async (c) => {
    const body = c.req.valid('json');
    // Its rows are plain: where the workspace requires a file's new audience to be private, that audience has none.
    await assertFileImportMayBePlain(c.env.DB, c.var.workspaceId, { fromFile: body.source.kind === 'csv', audienceId: body.audienceId ?? null, privateImport: false, dryRun: true });
    return c.json(await startDryRun(c.env.DB, c.var.workspaceId, body, new Date().toISOString()), 201);
  })
  .get('/dry-runs/:dryRunId', async (c) => c.json((await getDryRun(c.env.DB, c.var.workspaceId, c.req.param('dryRunId'))).dryRun))
  .put('/dry-runs/:dryRunId/batches/:seq', paramsOf(DryRunBatchParams), jsonBody(DryRunBatchBody), async (c) => {
    const { dryRunId, seq } = c.req.valid('param');
    const body = c.req.valid('json');
    if (body.seq !== seq) {
      throw new DomainError('validation_failed', `the body's seq (${body.seq}) differs from the URL's (${seq})`, [
        { path: ['seq'], message: `must equal ${seq}, the seq in the URL` },
      ]);
    }
    const hasher = await keyedHasherFor(c.env.HASH_KEY);
    await ensureKeyedMembers(c.env.DB, hasher);
    return c.json(await dryRunBatch(c.env.DB, c.var.workspaceId, dryRunId, body, hasher));
  })
  .get('/:id', async (c) => c.json(await getAudience(c.env.DB, c.var.workspaceId, c.req.param('id'))))
  .patch('/:id', jsonBody(RenameAudienceBody), async (c) => {
    const { name, privacyMode } = c.req.valid('json');
    const now = new Date().toISOString();
    // The mode first: a refused change leaves the name as it was too.
    if (privacyMode !== undefined && (await assertModeMayChange(c.env.DB, c.var.workspaceId, c.req.param('id'), privacyMode))) {
      await setPrivacyModeStatement(c.env.DB, c.var.workspaceId, c.req.param('id'), privacyMode, now).run();
    }
    await renameAudience(c.env.DB, c.var.workspaceId, c.req.param('id'), name, now);
    return c.json(await getAudience(c.env.DB, c.var.workspaceId, c.req.param('id')));
  })
  .delete('/:id', async (c) => {
    const removed = await deleteAudience(c.env.DB, c.var.workspaceId, c.req.param('id'));
    const body: DeletedAudience = { id: c.req.param('id'), ...removed };
    return c.json(body);
  })
  .get('/:id/members', queryOf(MembersQuery), async (c) => {
    const { cursor, limit, ...filters } = c.req.valid('query');
    const audience = await getAudience(c.env.DB, c.var.workspaceId, c.req.param('id'));
    const filtered = filters.identifier !== undefined || filters.identifierDigest !== undefined || filters.field !== undefined;
    const identifier = await audienceIdentifier(c.env.DB, c.var.workspaceId, audience.id);
    const plan = identifier ? parseStoredJson(ImportPlan, identifier.plan, `imports.plan of audience ${audience.id}`) : null;
    const where = await memberWhere(c.env.DB, c.var.workspaceId, audience, plan, filters, c.env.HASH_KEY);
    const identifierColumn = plan?.columns[plan.identifierIndex];
    const page = where
      ? await searchMembersPage(c.env.DB, c.var.workspaceId, audience.id, where, Number(cursor ?? 0), limit)
      : { members: [], nextCursor: null };
    const body: MemberPage = {
      members: page.members,
      nextCursor: page.nextCursor === null ? null : String(page.nextCursor),
      total: audience.memberCount,
      filtered,
      identifierField: plan?.columns[plan.identifierIndex]?.target ?? null,
      identifierSearch:
        plan && identifierColumn
          ? {
              type: identifierColumn.type,
              defaultCountry: plan.defaultCountry,
              sensitive: identifierColumn.sensitive,
              byDigest: identifierByDigest(audience, identifierColumn),
            }
          : null,
    };
    return c.json(body);
  })
  .delete('/:id/members/:memberId', paramsOf(MemberParams), async (c) => {
    const { id, memberId } = c.req.valid('param');
    await deleteMember(c.env.DB, c.var.workspaceId, id, Number(memberId), new Date().toISOString());
    return c.json(await getAudience(c.env.DB, c.var.workspaceId, id));
  })
  .get('/:id/imports', async (c) => {
    const audience = await getAudience(c.env.DB, c.var.workspaceId, c.req.param('id'));
    return c.json(await importHistory(c.env.DB, c.var.workspaceId, audience.id, new Date()));
  })
  .post('/:id/imports/:importId/undo', paramsOf(ImportParams), jsonBody(UndoImportBody), async (c) => {
    const { id, importId } = c.req.valid('param');
    return c.json(await undoImport(c.env.DB, c.var.workspaceId, id, importId, c.req.valid('json').chain, new Date().toISOString()));
  })
  .get('/:id/export.csv', queryOf(ExportQuery), async (c) => {
    const audience = await getAudience(c.env.DB, c.var.workspaceId, c.req.param('id'));
    const { format } = c.req.valid('query');
    const openAll = await sealedOpenerFor(c.env.DB, c.env.ENCRYPTION_KEY, c.var.workspaceId);
    const stream = await audienceExportStream(c.env.DB, c.var.workspaceId, audience.id, format, openAll);
    const name = `${audience.name.replace(/[^\w.-]+/g, '_').slice(0, 80) || 'audience'}${format === 'customer_match' ? '-customer-match' : ''}.csv`;
    return c.body(stream, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'no-store',
    });
  });
