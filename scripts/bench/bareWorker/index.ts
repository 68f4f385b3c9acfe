/**
 * The ingest ceiling for the bench: a Worker that only parses a batch body (the same JSON the product's
 * PUT /api/imports/:id/batches/:seq receives) and writes its rows into the product's members table with an
 * `INSERT … SELECT … FROM json_each(?)` in one D1 batch. No auth, no validation, no normalisation, no crypto, no
 * dedupe read, no bookkeeping: whatever the product spends beyond this is what it adds to a bare write.
 * Runs only under the bench's own `wrangler dev` (scripts/bench/bareIngest.ts); never part of the product.
 */
import { jsonChunks } from '../../../worker/store/jsonChunks.ts';

// The few D1 types used here (scripts/ are typed for Node, not for workerd).
type Statement = { bind: (...values: unknown[]) => Statement };
type Database = { prepare: (sql: string) => Statement; batch: (statements: Statement[]) => Promise<unknown> };
type Env = { DB: Database };

const BARE_WORKSPACE = 'default';

type BareBatch = { audienceId: string; fields: string[]; rows: { row: number; values: string[] }[] };

async function insertBatch(db: Database, body: BareBatch): Promise<number> {
  const now = new Date().toISOString();
  // The stored form the product writes: the identifier as key, the values as one JSON object by field key.
  const items = body.rows.map((r) => {
    const attributes: Record<string, string> = {};
    for (let i = 0; i < body.fields.length; i++) attributes[body.fields[i] as string] = r.values[i] ?? '';
    return [r.values[0], attributes];
  });
  await db.batch(
    jsonChunks(items).map((json) =>
      db
        .prepare(
          `INSERT INTO members (workspace_id, audience_id, identifier_key, attributes, hashes, sealed, created_import_id,
             updated_import_id, created_at, updated_at)
           SELECT ?1, ?2, j.value ->> 0, j.value -> 1, '{}', '{}', 'bare', 'bare', ?3, ?3 FROM json_each(?4) AS j`,
        )
        .bind(BARE_WORKSPACE, body.audienceId, now, json),
    ),
  );
  return items.length;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === '/health') return new Response('ok');
    if (request.method === 'POST' && pathname === '/audiences') {
      const { audienceId } = (await request.json()) as { audienceId: string };
      const now = new Date().toISOString();
      await env.DB.batch([
        env.DB.prepare('INSERT INTO audiences (id, workspace_id, name, created_at, updated_at) VALUES (?1, ?2, ?1, ?3, ?3)').bind(audienceId, BARE_WORKSPACE, now),
      ]);
      return new Response(null, { status: 201 });
    }
    if (request.method === 'PUT' && pathname === '/batch') {
      return Response.json({ inserted: await insertBatch(env.DB, (await request.json()) as BareBatch) });
    }
    return new Response('not found', { status: 404 });
  },
};
