import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

// The binary member layout measured in scripts/bench/memberLayouts.ts (issue 12) passes BLOB columns as hex inside
// the json_each parameter and stores unhex(…): JSON cannot carry bytes, and SQL has hex/unhex (SQLite ≥ 3.41) but
// no base64. This checks that D1 as workerd runs it has what that needs.

describe("D1's SQLite for a binary member layout", () => {
  // D1 does not authorize sqlite_version(); unhex answering is the check (added in SQLite 3.41).
  it('has unhex', async () => {
    const row = await env.DB.prepare("SELECT hex(unhex('00ff10')) AS back, unhex('zz') AS bad").first<{ back: string; bad: null }>();
    expect(row?.back).toBe('00FF10');
    // Not hex: NULL, which a NOT NULL column refuses instead of storing something else.
    expect(row?.bad).toBeNull();
  });

  it('stores bytes sent as hex in a json_each parameter and gives them back exactly', async () => {
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff);
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
    await env.DB.batch([
      env.DB.prepare('CREATE TABLE blob_check (k TEXT PRIMARY KEY, v BLOB NOT NULL)'),
      env.DB.prepare('INSERT INTO blob_check (k, v) SELECT j.value ->> 0, unhex(j.value ->> 1) FROM json_each(?1) AS j').bind(JSON.stringify([['a', hex]])),
    ]);
    const row = await env.DB.prepare("SELECT typeof(v) AS type, length(v) AS n, v FROM blob_check WHERE k = 'a'").first<{ type: string; n: number; v: ArrayBuffer | number[] }>();
    expect(row?.type).toBe('blob');
    expect(row?.n).toBe(64);
    expect([...new Uint8Array(row?.v as ArrayBuffer)]).toEqual([...bytes]);
    await expect(
      env.DB.prepare('INSERT INTO blob_check (k, v) SELECT j.value ->> 0, unhex(j.value ->> 1) FROM json_each(?1) AS j').bind(JSON.stringify([['b', 'not hex']])).run(),
    ).rejects.toThrow(/NOT NULL/);
  });
});
