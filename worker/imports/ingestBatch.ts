import type { ImportPlan } from '../../shared/schema/importPlan.ts';
import type { BatchBody, BatchResult, ImportCounts, RowError } from '../../shared/schema/imports.ts';
import { fromBase64url } from '../../shared/privacy/base64url.ts';
import { importRawPublicKey } from '../../shared/privacy/batchKey.ts';
import type { BatchSealer } from '../crypto/batchSealer.ts';
import type { KeyedHasher } from '../crypto/keyedHash.ts';
import { sensitiveKey, sensitiveKeyOfCustomerMatchHash } from '../crypto/sensitiveKey.ts';
import { DomainError } from '../domainError.ts';
import { batchModeProblem } from '../privacy/batchMode.ts';
import { workspaceKeyIds } from '../privacy/workspaceKey.ts';
import { batchKeyIdOf, insertSealedBatchKeyStatement, nextBatchKeyOrdinal } from '../store/sealedBatchKeys.ts';
import { addMembersStatement } from '../store/audiences.ts';
import { readBatchState } from '../store/batchState.ts';
import { insertBatchStatement, type StoredBatch } from '../store/importBatches.ts';
import { batchErrors, insertErrorsStatements } from '../store/importErrors.ts';
import { closeMemberSpanStatement, openMemberSpanStatement } from '../store/importMemberSpans.ts';
import { applyBatchCountsStatement } from '../store/imports.ts';
import { type MemberSnapshot, snapshotMembersStatements } from '../store/memberSnapshots.ts';
import {
  decodableColumns,
  type FieldRefs,
  fieldRefs,
  fieldRefsGuardStatement,
  forgetFieldRefs,
  insertMembersStatements,
  type MemberMerge,
  mergeMembersStatements,
  type MemberWrite,
  mergedPackedHex,
  packedColumnsOf,
  snapshotPackedHex,
  type StoredMember,
  storedMembers,
  writtenFieldNames,
} from '../store/members.ts';
import { envelopePlaintext, mergeMemberValues, type MemberValues, PackedColumnError, packedHoldsHashes, type SealedEnvelope } from '../store/packedColumns.ts';
import { MemberDecoder } from '../store/storedMembers.ts';
import { assertBatchWithinLimits } from './batchLimits.ts';
import { type BatchTurn, takeTurn } from './batchTurns.ts';
import { type AcceptedRow, classifyRows, type ClassifiedRows, type RowEnvelope, type SealedValue } from './classifyRows.ts';
import { keyedCustomerMatchHash, keyedIdentifierHash } from './identifierKey.ts';
import { knownPlan, rememberPlan } from './knownPlans.ts';
import { resolveMatches, type MergedMember } from './resolveMatches.ts';

// A lost race (another request wrote this batch or one of its new identifiers first) is settled by classifying
// again against the new state; more than a few in a row means something else is wrong.
const MAX_ATTEMPTS = 4;

type BatchContext = { db: D1Database; seal: BatchSealer; hasher: KeyedHasher; workspaceId: string; importId: string; now: () => string };

/**
 * Keyed hashes (sensitiveKey) of a batch's sensitive values by field, then value (two lookups of strings whose hash
 * V8 has cached, rather than one of a key concatenated per lookup), and of its sealed cells' digests.
 */
type KeyedValues = { plain: ReadonlyMap<string, ReadonlyMap<string, string>>; digests: ReadonlyMap<string, string> };

/** The identifier's field when it is sensitive: its keyed hash is the member's key, made once (AcceptedRow.key). */
function sensitiveIdentifierField(plan: ImportPlan): string | null {
  const identifier = plan.columns[plan.identifierIndex];
  return identifier?.sensitive ? identifier.target : null;
}

/**
 * The keyed hash of every sensitive value (and privacy-mode digest) of the accepted rows, each distinct one once,
 * keyed where it is first seen (the hashing is synchronous JavaScript: no array of values to hash, no second pass).
 * They depend on nothing stored, so they are made before the batch waits its turn. A sensitive identifier's hash is
 * its key already (AcceptedRow.key), so it is not made again.
 */
function keyedSensitiveValues(accepted: readonly AcceptedRow[], plan: ImportPlan, hasher: KeyedHasher): KeyedValues {
  const types = new Map(plan.columns.map((c) => [c.target, c.type]));
  const identifierField = sensitiveIdentifierField(plan);
  const plain = new Map<string, Map<string, string>>();
  const digests = new Map<string, string>();
  for (const r of accepted) {
    for (const field in r.sensitive) {
      if (field === identifierField) continue;
      const value = r.sensitive[field] as string;
      let keys = plain.get(field);
      if (!keys) plain.set(field, (keys = new Map()));
      if (!keys.has(value)) keys.set(value, sensitiveKey(hasher, types.get(field) ?? 'text', value));
    }
    if (r.sealedCells) {
      for (const field in r.sealedCells) {
        const { h } = r.sealedCells[field] as SealedValue;
        if (field !== identifierField && !digests.has(h)) digests.set(h, sensitiveKeyOfCustomerMatchHash(hasher, h));
      }
    }
  }
  return { plain, digests };
}

/**
 * Sensitive values leave here only as their keyed hash (sensitiveKey, made beforehand by keyedSensitiveValues) and
 * as AES-GCM ciphertext: ONE envelope per member naming its sensitive fields (packedColumns.ts), all of a batch's
 * envelopes sealed in one call (see createBatchSealer for why); a sensitive identifier's hash is its key already.
 * Privacy-mode cells arrive sealed: their key is the keyed hash of the tab's SHA-256 (the same key sensitiveKey gives
 * the value), each of their envelopes (one per row the tab sealed whole, naming the row's sealed fields; one per value
 * from tabs that sealed value by value) stored as it came (base64url-decoded), naming the batch's key row.
 */
async function sealMembers(
  members: readonly MergedMember[],
  plan: ImportPlan,
  seal: BatchSealer,
  keyed: KeyedValues,
  batchKeyId: string,
  alreadySealed: ReadonlySet<MergedMember>,
): Promise<{ written: MemberWrite[]; privateValues: number }> {
  const identifierField = sensitiveIdentifierField(plan);
  const plaintexts: Uint8Array[] = [];
  for (const m of members) {
    if (alreadySealed.has(m)) continue;
    const values = Object.values(m.sensitive);
    if (values.length > 0) plaintexts.push(envelopePlaintext(values));
  }
  const sealed = await seal(plaintexts);
  let nextSealed = 0;
  let privateValues = 0;
  const written = members.map((m): MemberWrite => {
    const hashes: Record<string, string> = {};
    const envelopes: SealedEnvelope[] = [];
    const fields = Object.keys(m.sensitive);
    for (const field of fields) hashes[field] = field === identifierField ? m.key : (keyed.plain.get(field)?.get(m.sensitive[field] as string) ?? '');
    if (fields.length > 0 && !alreadySealed.has(m)) envelopes.push({ kind: 'server', fields, bytes: sealed[nextSealed++] as Uint8Array });
    if (m.sealedCells) {
      // Each envelope once, however many of its fields the member still reads from it: rows merged by resolveMatches
      // may leave an earlier row's envelope holding some fields and a later one's the rest.
      const rowEnvelopes: RowEnvelope[] = [];
      for (const field in m.sealedCells) {
        const value = m.sealedCells[field] as SealedValue;
        hashes[field] = field === identifierField ? m.key : (keyed.digests.get(value.h) ?? '');
        if (!rowEnvelopes.includes(value.envelope)) rowEnvelopes.push(value.envelope);
        privateValues++;
      }
      // Newest first (packedColumns.ts): a field named by a later row's envelope and an earlier one's reads the later.
      if (rowEnvelopes.length > 1) rowEnvelopes.sort((a, b) => b.index - a.index);
      for (const e of rowEnvelopes) envelopes.push({ kind: 'private', fields: e.fields, batchKeyId, bytes: fromBase64url(e.c) });
    }
    return { key: m.key, attributes: m.attributes, hashes, sealed: envelopes };
  });
  return { written, privateValues };
}

/**
 * The merged members whose stored (packed) columns already hold every sensitive value this batch writes to them: the
 * same keyed hash stored for each field, and an envelope naming it (packedHoldsHashes). Their write seals nothing
 * new: with no new envelope the merge keeps the stored ones, so re-importing unchanged rows (an incremental sync,
 * mostly) costs no AES-GCM and sends D1 no sealed bytes, and the member's values read exactly as before. Server-side
 * values only (privacy-mode cells arrive sealed); a member in 0190's JSON form, or whose numbers are not known, is
 * sealed again as before.
 */
function alreadySealedMembers(
  merges: readonly MergedMember[],
  stored: ReadonlyMap<string, StoredMember>,
  plan: ImportPlan,
  keyed: KeyedValues,
  refs: FieldRefs,
): Set<MergedMember> {
  const identifierField = sensitiveIdentifierField(plan);
  const held = new Set<MergedMember>();
  for (const m of merges) {
    if (m.sealedCells) continue;
    const member = stored.get(m.key);
    const packed = member ? packedColumnsOf(member.columns) : null;
    if (!packed) continue;
    const wanted: [number, string][] = [];
    for (const field in m.sensitive) {
      const ref = refs.get(field);
      const hash = field === identifierField ? m.key : keyed.plain.get(field)?.get(m.sensitive[field] as string);
      if (ref === undefined || hash === undefined) break;
      wanted.push([ref, hash]);
    }
    if (wanted.length > 0 && wanted.length === Object.keys(m.sensitive).length && packedHoldsHashes(packed, wanted, m.key)) held.add(m);
  }
  return held;
}

/**
 * Each merged member's values over its stored ones (mergeMemberValues' rules: as json_patch merged the JSON form),
 * with the stamp they were read at, and the snapshot of each this import writes for the first time (undo restores
 * it). A member stored packed is merged and snapshotted from its stored hex text (members.ts mergedPackedHex,
 * snapshotPackedHex): only the fields written are encoded, the rest copied through. One stored in 0190's JSON form,
 * or whose bytes do not read, is decoded (MemberDecoder, which reads the field numbers again once if it meets one it
 * does not know) and merged by name. Everything is packed with the numbers the decode ended on, the ones returned.
 */
async function mergedMembers(
  db: D1Database,
  workspaceId: string,
  importId: string,
  writes: readonly MemberWrite[],
  stored: ReadonlyMap<string, StoredMember>,
  refs: FieldRefs,
): Promise<{ merges: MemberMerge[]; snapshots: MemberSnapshot[]; refs: FieldRefs }> {
  const rows = writes.map((w) => {
    const member = stored.get(w.key);
    // resolveMatches merges only keys the read found.
    if (!member) throw new Error(`member "${w.key}" to merge into was not read`);
    return member;
  });
  const givenRefs = refs;
  const packed = rows.map((m) => packedColumnsOf(m.columns));
  const toDecode: number[] = [];
  packed.forEach((p, i) => (p ? null : toDecode.push(i)));
  const decoder = new MemberDecoder(db, workspaceId, refs);
  const decoded = await decoder.decode(toDecode.map((i) => decodableColumns((rows[i] as StoredMember).columns)));
  refs = await decoder.fieldRefs();
  const merges: MemberMerge[] = [];
  const snapshots: MemberSnapshot[] = [];
  let next = 0;
  for (let i = 0; i < rows.length; i++) {
    const member = rows[i] as StoredMember;
    const write = writes[i] as MemberWrite;
    const stamp = { id: member.id, key: write.key, updatedAt: member.updatedAt, updatedImport: member.updatedImport };
    const snapshotOf = member.writers[2] !== importId ? { id: member.id, key: write.key, updatedImportId: member.writers[2] ?? null, updatedAt: member.updatedAt } : null;
    const text = packed[i];
    if (text) {
      try {
        // Both before either is kept: a column that does not read leaves this member to the decoder below.
        const merged = mergedPackedHex(text, write, refs, write.key);
        const snapshot = snapshotOf && snapshotPackedHex(text, write.key);
        merges.push({ ...stamp, packed: merged });
        if (snapshotOf && snapshot) snapshots.push({ ...snapshotOf, packed: snapshot });
        continue;
      } catch (e) {
        if (!(e instanceof PackedColumnError)) throw e;
      }
      const [values] = await decoder.decode([decodableColumns(member.columns)]);
      refs = await decoder.fieldRefs();
      merges.push({ ...stamp, values: mergeMemberValues(values as MemberValues, write) });
      if (snapshotOf) snapshots.push({ ...snapshotOf, values: values as MemberValues });
      continue;
    }
    const values = decoded[next++] as MemberValues;
    merges.push({ ...stamp, values: mergeMemberValues(values, write) });
    if (snapshotOf) snapshots.push({ ...snapshotOf, values });
  }
  // Numbers are never renumbered, so one read again names the written fields as before; should it not, the members
  // packed before the read are packed again with it.
  if (refs !== givenRefs && [...writtenFieldNames(writes)].some((n) => refs.get(n) !== givenRefs.get(n))) {
    return mergedMembers(db, workspaceId, importId, writes, stored, refs);
  }
  return { merges, snapshots, refs };
}

// Key ids are never deleted: once seen, a workspace's key id needs no second look in this isolate.
const knownKeyIds = new Map<string, Set<string>>();

/** Refuses, as a 422 naming row and column, a batch that contradicts its import's privacy mode or names an unknown key. */
async function assertBatchFitsMode(db: D1Database, workspaceId: string, body: BatchBody, plan: ImportPlan): Promise<void> {
  const problem = batchModeProblem(body.rows, plan, body.sealing);
  if (problem) throw new DomainError('privacy_mode', problem.message, { row: problem.row, column: problem.column });
  if (!body.sealing) return;
  const { keyId, ephemeralKey } = body.sealing;
  // One import per batch: a key that is no point of the curve would only be found when an admin exports.
  const point = await importRawPublicKey(fromBase64url(ephemeralKey)).catch(() => null);
  if (!point) throw new DomainError('privacy_mode', 'the batch\'s ephemeralKey is not a P-256 public key: seal the batch again', { keyId });
  if (knownKeyIds.get(workspaceId)?.has(keyId)) return;
  const ids = await workspaceKeyIds(db, workspaceId);
  if (knownKeyIds.size > 256) knownKeyIds.clear();
  knownKeyIds.set(workspaceId, ids);
  if (!ids.has(keyId)) {
    throw new DomainError('privacy_mode', `the batch is sealed to key "${keyId}", which is not this workspace's: fetch GET /api/privacy/key and seal again`, {
      keyId,
    });
  }
}


function isConstraintFailure(e: unknown): boolean {
  return e instanceof Error && /constraint/i.test(e.message);
}

/** An earlier answer to this seq: the same request again is replayed, a different one is a conflict. */
async function replay(ctx: BatchContext, body: BatchBody, stored: StoredBatch): Promise<BatchResult> {
  if (stored.idempotencyKey !== body.idempotencyKey) {
    throw new DomainError('conflict', `batch ${body.seq} was already applied with another idempotency key`, { seq: body.seq });
  }
  const errors = await batchErrors(ctx.db, ctx.workspaceId, ctx.importId, body.seq);
  return { seq: body.seq, counts: stored.counts, errors, replayed: true };
}

const distinctKeys = (classified: ClassifiedRows): string[] => [...new Set(classified.accepted.map((r) => r.key))];

/**
 * Applies one batch: classify and normalize (pure), read the import, this seq's stored answer and the batch's
 * identifiers in one query, decide insert / merge / reject, then write everything — batch record, members,
 * errors, counts — in ONE D1 batch, which is one transaction: a batch is applied entirely or not at all, and
 * exactly once. The first batch an isolate sees of an import reads the plan first and looks identifiers up apart.
 *
 * Batch N+1 sent before N's answer (two in flight) is not refused: it classifies and hashes, waits for N to commit
 * (batchTurns.ts), then reads the state N left. A batch further ahead, or one whose predecessor does not commit
 * within the wait, is 409 `batch_out_of_order` as before.
 *
 * `alongside`: statements of the caller written in the same transaction, only when the batch is applied (never on
 * a replay), so what the caller records about the batch (a sync run's progress) is exactly once with it. Given as a
 * function, it is built from the batch's accepted rows (`index` into `body.rows`, `key`), so a caller that needs them
 * (a sync linking CRM records to members) does not classify the rows a second time.
 */
export async function ingestBatch(
  ctx: BatchContext,
  body: BatchBody,
  alongside: readonly D1PreparedStatement[] | ((accepted: readonly AcceptedRow[]) => readonly D1PreparedStatement[]) = [],
): Promise<BatchResult> {
  const { db, workspaceId, importId } = ctx;
  // Registered before any await, so the next batch, arriving while this one works, finds it and waits for it.
  const turn = takeTurn(db, workspaceId, importId, body.seq);
  try {
    return await applyBatch(ctx, body, alongside, turn);
  } finally {
    turn.end();
  }
}

async function applyBatch(
  ctx: BatchContext,
  body: BatchBody,
  alongside: readonly D1PreparedStatement[] | ((accepted: readonly AcceptedRow[]) => readonly D1PreparedStatement[]),
  turn: BatchTurn,
): Promise<BatchResult> {
  const { db, workspaceId, importId } = ctx;
  let plan = knownPlan(workspaceId, importId) ?? null;
  if (plan) {
    assertBatchWithinLimits(body.rows, plan);
    await assertBatchFitsMode(db, workspaceId, body, plan);
  }
  // Pure, so one classification serves every attempt; done (with its keyed hashes) before waiting for the batch
  // before this one, so two batches in flight overlap one's CPU work with the other's write.
  const keyOf = keyedIdentifierHash(ctx.hasher);
  const keyOfHash = keyedCustomerMatchHash(ctx.hasher);
  let classified = plan ? classifyRows(body.rows, plan, keyOf, keyOfHash) : null;
  let keyed = plan && classified ? keyedSensitiveValues(classified.accepted, plan, ctx.hasher) : null;
  for (let attempt = 1; ; ) {
    const state = await readBatchState(db, workspaceId, importId, body.seq, classified ? distinctKeys(classified) : null);
    if (!state) throw new DomainError('not_found', 'import not found', { importId });
    if (state.stored) return replay(ctx, body, state.stored);
    const { summary } = state.record;
    if (summary.status !== 'open') throw new DomainError('import_closed', 'this import is finished; start a new one', { importId });
    if (body.seq !== summary.nextSeq) {
      if (await turn.waitForPrevious(summary.nextSeq)) continue;
      throw new DomainError('batch_out_of_order', `expected batch ${summary.nextSeq}, got ${body.seq}`, { nextSeq: summary.nextSeq });
    }
    if (!plan) {
      plan = state.record.plan;
      assertBatchWithinLimits(body.rows, plan);
      await assertBatchFitsMode(db, workspaceId, body, plan);
      rememberPlan(workspaceId, importId, plan);
    }
    classified ??= classifyRows(body.rows, plan, keyOf, keyOfHash);
    keyed ??= keyedSensitiveValues(classified.accepted, plan, ctx.hasher);
    const stored = state.members ?? (await storedMembers(db, workspaceId, summary.audienceId, distinctKeys(classified)));
    const lastWriter = new Map([...stored].map(([key, m]) => [key, m.writers]));
    const identifierColumn = plan.columns[plan.identifierIndex]?.column ?? '';
    const resolved = resolveMatches(classified.accepted, lastWriter, importId, plan.onMatch, identifierColumn);

    const counts: ImportCounts = {
      received: body.rows.length,
      inserted: resolved.counts.inserted,
      updated: resolved.counts.updated,
      duplicates: resolved.counts.duplicates,
      rejected: classified.rejected + resolved.counts.rejected,
      skipped: classified.skipped,
    };
    const errors: RowError[] = [...classified.errors, ...resolved.errors].sort((a, b) => a.index - b.index).map((e) => e.error);

    const now = ctx.now();
    const { sealing } = body;
    // The batch key row's number, read again each attempt: a batch that lost it to another one is applied again.
    const batchKeyOrdinal = sealing ? await nextBatchKeyOrdinal(db, workspaceId) : 0;
    const sensitiveFields = plan.columns.filter((c) => c.sensitive && c.target !== null).map((c) => c.target as string);
    const alreadySealed = resolved.merges.length && sensitiveFields.length ? alreadySealedMembers(resolved.merges, stored, plan, keyed, await fieldRefs(db, workspaceId, sensitiveFields)) : new Set<MergedMember>();
    const { written, privateValues } = await sealMembers([...resolved.inserts, ...resolved.merges], plan, ctx.seal, keyed, batchKeyIdOf(batchKeyOrdinal), alreadySealed);
    // Stored columns name fields by number (packedColumns.ts); known in the isolate after the first batch, checked in the transaction.
    const names = writtenFieldNames(written);
    const merged = await mergedMembers(db, workspaceId, importId, written.slice(resolved.inserts.length), stored, await fieldRefs(db, workspaceId, names));
    const { refs } = merged;
    const statements = [
      insertBatchStatement(db, workspaceId, importId, body.seq, body.idempotencyKey, counts, now),
      // In the batch's transaction: the key row exists exactly when the values naming it do.
      ...(sealing && privateValues > 0
        ? [insertSealedBatchKeyStatement(db, workspaceId, { ordinal: batchKeyOrdinal, keyId: sealing.keyId, ephemeralKey: sealing.ephemeralKey, cipher: sealing.cipher, importId, seq: body.seq, now })]
        : []),
      ...(names.size ? [fieldRefsGuardStatement(db, workspaceId, refs, names)] : []),
      // Around the statements that write members (only the insert creates any: a merge whose member was deleted
      // since the read changes no row, and its guard aborts): the ids this import created, which undo finds its members by.
      ...(written.length ? [openMemberSpanStatement(db, workspaceId, importId)] : []),
      ...insertMembersStatements(db, workspaceId, summary.audienceId, importId, now, written.slice(0, resolved.inserts.length), refs),
      // Before the merge, in the same transaction: what undo restores.
      ...snapshotMembersStatements(db, workspaceId, importId, merged.snapshots, refs),
      // Each chunk guarded: a member written (or deleted) by another request since the read aborts the transaction.
      ...mergeMembersStatements(db, workspaceId, summary.audienceId, importId, now, merged.merges, refs),
      ...(written.length ? [closeMemberSpanStatement(db, workspaceId, importId)] : []),
      ...insertErrorsStatements(db, workspaceId, importId, body.seq, errors),
      applyBatchCountsStatement(db, workspaceId, importId, body.seq, counts, errors.length),
      addMembersStatement(db, workspaceId, summary.audienceId, counts.inserted, now),
      ...(typeof alongside === 'function' ? alongside(classified.accepted) : alongside),
    ];
    try {
      await db.batch(statements);
      return { seq: body.seq, counts, errors, replayed: false };
    } catch (e) {
      forgetFieldRefs(workspaceId);
      if (!isConstraintFailure(e) || attempt++ >= MAX_ATTEMPTS) throw e;
    }
  }
}
