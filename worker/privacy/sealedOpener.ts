import type { BatchKey } from '../../shared/privacy/batchKey.ts';
import { allOpened, openBatchKey, openSealedPlaintexts, SealedValueError } from '../../shared/privacy/openSealedValues.ts';
import { createBatchOpener } from '../crypto/batchOpener.ts';
import { EnvelopePlaintextError, envelopeValues } from '../../shared/privacy/envelopePlaintext.ts';
import type { SealedEnvelope, SealedRef } from '../store/packedColumns.ts';
import { sealedBatchKeys } from '../store/sealedBatchKeys.ts';
import { workspacePrivateKeys } from './workspaceKey.ts';

/*
 * A member's sealed values are of two kinds: server envelopes under ENCRYPTION_KEY (sealed by the Worker), and, from
 * privacy-mode batches, private envelopes under that batch's key (sealed in the tab). 0190's JSON text spells them
 * base64(iv ‖ ct ‖ tag) and `pk1.<batch key id>.<base64url(iv ‖ ct ‖ tag)>` (the server form never starts with
 * "pk1.": base64 has no dot); the packed form holds the same bytes with a kind byte (packedColumns.ts). Readers open
 * SealedRefs, whichever form they were decoded from. The batch key's row says the batch's cipher (AES-256-GCM or
 * ChaCha20-Poly1305): the envelope has the same shape in both.
 */
/** A SealedValueError of a sub-list, renumbered to the caller's list. */
function renumbered(indexes: readonly number[]): (e: unknown) => never {
  return (e) => {
    if (e instanceof SealedValueError) throw new SealedValueError(indexes[e.index] ?? e.index, e.reason);
    throw e;
  };
}

/** Opens sealed values where they are stored (packedColumns.ts SealedRef): one value per ref, in order. */
export type SealedOpener = (refs: readonly SealedRef[]) => Promise<string[]>;

/**
 * Opens sealed member values of both kinds for one workspace, many at once (an export page, a push batch), from
 * either stored form (decodeMemberColumns turns a 0190 JSON value into a one-field envelope). Each envelope is
 * decrypted once however many of its fields are asked for, and split with envelopeValues: a server one (AES-256-GCM
 * under ENCRYPTION_KEY) or a private one (sealed in the tab, one value or a whole row) under its batch key. The
 * workspace's private keys are read and opened once per opener,
 * each batch key derived once (ECDH + HKDF) and kept for the opener's life: make one per request. Throws
 * SealedValueError naming the first ref (by its index in the list) whose value does not open: altered, cut, or its
 * batch key unknown.
 */
export async function sealedOpenerFor(db: D1Database, encryptionKey: string | undefined, workspaceId: string): Promise<SealedOpener> {
  const openServer = await createBatchOpener(encryptionKey);
  let privateKeys: Promise<Map<string, CryptoKey>> | null = null;
  const batchKeys = new Map<string, Promise<BatchKey | null>>();

  async function loadBatchKeys(ids: readonly string[]): Promise<void> {
    const missing = ids.filter((id) => !batchKeys.has(id));
    if (missing.length === 0) return;
    const rows = sealedBatchKeys(db, workspaceId, missing);
    for (const id of missing) {
      batchKeys.set(
        id,
        rows.then(async (found) => {
          const row = found.get(id);
          if (!row) return null;
          privateKeys ??= workspacePrivateKeys(db, encryptionKey, workspaceId);
          const privateKey = (await privateKeys).get(row.keyId);
          // A key that does not derive (checked on ingest, so only a row altered since) opens nothing.
          return privateKey ? openBatchKey(privateKey, row.keyId, row.ephemeralKey, row.cipher).catch(() => null) : null;
        }),
      );
    }
  }

  /** One envelope's plaintext split into its fields' values; a plaintext that does not split is named by its first reader. */
  const splitInto = (out: string[], refs: readonly SealedRef[], envelope: SealedEnvelope, readers: readonly number[], plain: Uint8Array): void => {
    let values: string[];
    try {
      values = envelopeValues(plain, envelope.fields.length);
    } catch (e) {
      throw new SealedValueError(readers[0] as number, e instanceof EnvelopePlaintextError ? e.message : 'its plaintext is not text');
    }
    for (const i of readers) out[i] = values[(refs[i] as SealedRef).index] as string;
  };

  return async (refs) => {
    const out: string[] = new Array(refs.length);
    // Each envelope once, with the refs that read it (an envelope object is shared by the fields it names).
    const server = new Map<SealedEnvelope, number[]>();
    const byBatch = new Map<string, Map<SealedEnvelope, number[]>>();
    refs.forEach((ref, i) => {
      const e = ref.envelope;
      let group: Map<SealedEnvelope, number[]> | undefined = server;
      if (e.kind === 'private') {
        group = byBatch.get(e.batchKeyId);
        if (!group) byBatch.set(e.batchKeyId, (group = new Map()));
      }
      const readers = group.get(e);
      if (readers) readers.push(i);
      else group.set(e, [i]);
    });
    await loadBatchKeys([...byBatch.keys()]);
    const opening: Promise<void>[] = [];
    if (server.size > 0) {
      const envelopes = [...server.keys()];
      const firstReaders = envelopes.map((e) => (server.get(e) as number[])[0] as number);
      opening.push(
        openServer(envelopes.map((e) => e.bytes)).then((plaintexts) => {
          plaintexts.forEach((plain, n) => {
            const envelope = envelopes[n] as SealedEnvelope;
            splitInto(out, refs, envelope, server.get(envelope) as number[], plain);
          });
        }, renumbered(firstReaders)),
      );
    }
    // A private envelope names one field (a value sealed alone) or a row's sealed fields (the tab seals a row in one):
    // opened once either way, then split as a server envelope is (envelopeValues).
    for (const [id, group] of byBatch) {
      const envelopes = [...group.keys()];
      const firstReaders = envelopes.map((e) => (group.get(e) as number[])[0] as number);
      opening.push(
        (async () => {
          const key = await batchKeys.get(id);
          if (!key) throw new SealedValueError(firstReaders[0] ?? 0, 'its batch key is unknown');
          const plaintexts = await openSealedPlaintexts(
            key,
            envelopes.map((e) => e.bytes),
          ).catch(renumbered(firstReaders));
          plaintexts.forEach((plain, n) => {
            const envelope = envelopes[n] as SealedEnvelope;
            splitInto(out, refs, envelope, group.get(envelope) as number[], plain);
          });
        })(),
      );
    }
    await allOpened(opening);
    return out;
  };
}
