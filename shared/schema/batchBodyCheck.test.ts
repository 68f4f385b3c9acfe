import { describe, expect, it } from 'vitest';
import { isPlainlyValidBatchBody } from './batchBodyCheck.ts';
import { BatchBody, MAX_BATCH_ROWS } from './imports.ts';
import { MAX_ENVELOPE_CHARS, PrivateCell } from './privacy.ts';
import { malformedTextIssues } from './text.ts';
import { seededRandom } from '../../test/support/seededRandom.ts';

const HEX = 'a3f9'.repeat(16);
const ENVELOPE = 'AbC-_0'.repeat(8);
const sealed = () => ({ h: HEX, c: ENVELOPE });
const refused = () => ({ problem: 'invalid_email', message: 'This is not a valid email address.', hint: 'a…@…' });

function validBody(rows = 3): Record<string, unknown> {
  return {
    seq: 2,
    idempotencyKey: 'import-1-2',
    sealing: { keyId: 'key-1', ephemeralKey: 'B'.repeat(87), cipher: 'chacha20-poly1305' },
    rows: Array.from({ length: rows }, (_, i) => ({ row: i + 1, line: i + 2, values: ['C-1', sealed(), { h: HEX }, refused(), '', 'Zoë 😀'], ...(i === 1 ? { fieldCount: 6 } : {}) })),
  };
}

/** What a client could send wrong, or oddly but rightly, at one place of a body. */
const ODD_VALUES: unknown[] = [
  undefined, null, true, 0, -0, -1, 1, 1.5, 2 ** 53, 2 ** 53 - 1, Number.NaN, '', 'x', 'a\ud800b', '\udc00', 'k'.repeat(8), 'k'.repeat(7),
  'k'.repeat(128), 'k'.repeat(129), [], [''], {}, { h: HEX }, sealed(), refused(), { ...sealed(), extra: 1 }, { ...refused(), hint: null },
  { ...refused(), hint: 'h'.repeat(41) }, { ...refused(), problem: 'nope' }, { ...refused(), message: '' }, { h: HEX.toUpperCase(), c: ENVELOPE },
  { h: HEX, c: 'A'.repeat(37) }, { h: HEX, c: `${ENVELOPE}=` }, 'B'.repeat(87), 'B'.repeat(86), `${'B'.repeat(86)}+`,
  'aes-256-gcm', 'chacha20-poly1305', 'AES-256-GCM', { h: HEX, extra: 1 }, { h: HEX.slice(1) }, { h: HEX, c: 5 },
];

type Path = (string | number)[];

/** Every path to a value inside `v` (objects and arrays), with the root. */
function paths(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

function setAt(body: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1) as string | number;
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return copy;
}

/** The contract: true only when the schema takes the body as it is and no string in it is malformed. */
function expectSound(body: unknown): boolean {
  const fast = isPlainlyValidBatchBody(body);
  if (fast) {
    const parsed = BatchBody.safeParse(body);
    expect(parsed.success, JSON.stringify(body)).toBe(true);
    expect(parsed.data).toEqual(body);
    expect(malformedTextIssues(body)).toEqual([]);
  }
  return fast;
}

describe('the batch body shortcut', () => {
  it('takes ordinary plain and privacy-mode batches, as the schema does', () => {
    const plain = { seq: 0, idempotencyKey: 'abcdefgh-0', rows: [{ row: 1, values: ['a', 'b@example.com', ''] }] };
    expect(expectSound(plain)).toBe(true);
    expect(expectSound(validBody())).toBe(true);
    expect(expectSound(validBody(MAX_BATCH_ROWS))).toBe(true);
  });

  it('never takes what the schema refuses or would change, for every odd value at every place of a body', () => {
    const base = validBody(2);
    let taken = 0;
    let left = 0;
    for (const path of paths(base)) {
      for (const odd of ODD_VALUES) {
        if (expectSound(setAt(base, path, odd))) taken++;
        else left++;
      }
      // An extra key anywhere an object is: zod would strip it, so the schema decides.
      const target = path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], base);
      if (target && typeof target === 'object' && !Array.isArray(target)) expect(expectSound(setAt(base, [...path, 'extra'], 1))).toBe(false);
    }
    // Both answers occur: the check is neither "always ask the schema" nor "always take".
    expect(taken).toBeGreaterThan(20);
    expect(left).toBeGreaterThan(200);
  });

  it('agrees with the schema on random bodies: takes none it refuses, and most of those it takes', () => {
    // Seeded, so a failure names a body that can be made again.
    const next = seededRandom(12);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
    let schemaTook = 0;
    let bothTook = 0;
    for (let i = 0; i < 3_000; i++) {
      let body: unknown = validBody(1 + Math.floor(next() * 4));
      const mutations = Math.floor(next() * 3);
      for (let m = 0; m < mutations; m++) body = setAt(body, pick(paths(body)), pick(ODD_VALUES));
      const fast = expectSound(body);
      const schema = BatchBody.safeParse(body).success && malformedTextIssues(body).length === 0;
      if (schema) schemaTook++;
      if (fast) bothTook++;
    }
    expect(schemaTook).toBeGreaterThan(300);
    // Only bodies with a key zod strips (or a value it rewrites) are left to the schema among those it takes.
    expect(bothTook / schemaTook).toBeGreaterThan(0.8);
  });

  it('takes an envelope as long as a row of MAX_COLUMNS longest values may seal to, and leaves a longer one to the schema, which refuses it', () => {
    const longest = 'A'.repeat(MAX_ENVELOPE_CHARS);
    // 500 cells of 10,000 four-byte characters, each with its 3-byte length, plus nonce and tag, in base64url.
    expect(MAX_ENVELOPE_CHARS).toBe(Math.ceil(((500 * 40_003 + 28) * 4) / 3));
    const body = (c: string) => ({ seq: 0, idempotencyKey: 'abcdefgh-0', sealing: validBody().sealing, rows: [{ row: 1, values: [{ h: HEX, c }, { h: HEX }] }] });
    expect(expectSound(body(longest))).toBe(true);
    expect(PrivateCell.safeParse({ h: HEX, c: longest }).success).toBe(true);
    expect(expectSound(body(`${longest}A`))).toBe(false);
    expect(PrivateCell.safeParse({ h: HEX, c: `${longest}A` }).success).toBe(false);
    // A malformed envelope is refused, not read as a hash-only cell with `c` stripped.
    expect(PrivateCell.safeParse({ h: HEX, c: 'short' }).success).toBe(false);
    expect(PrivateCell.parse({ h: HEX })).toEqual({ h: HEX });
  });

  it('leaves too many rows or cells to the schema', () => {
    expect(expectSound(validBody(MAX_BATCH_ROWS + 1))).toBe(false);
    const wide = validBody(1) as { rows: { values: unknown[] }[] };
    (wide.rows[0] as { values: unknown[] }).values = Array.from({ length: 501 }, () => 'x');
    expect(expectSound(wide)).toBe(false);
  });
});
