/**
 * The ingest ceiling for the bench: a Worker that only parses a batch body (the same JSON the product's
 * PUT /api/imports/:id/batches/:seq receives) and writes its rows with the product's own member insert
 * (insertMembersStatements: `INSERT … SELECT … FROM json_each(?)` into the product's members table, whatever its
 * layout: packed columns sent as hex and stored with unhex) in one D1 batch. No auth, no validation, no normalisation, no crypto, no dedupe read, no bookkeeping:
 * whatever the product spends beyond this is what it adds to a bare write.
 * Runs only under the bench's own `wrangler dev` (scripts/bench/bareIngest.ts); never part of the product.
 */
import { insertMembersStatements, type MemberWrite } from '../../../worker/store/members.ts';
import { privateFloorWrites, type SensitiveColumn, serverFloorWrites } from './floor.ts';

type Env = { DB: D1Database };

const WORKSPACE = 'default';
// No import row: the insert names its import by id, which resolves to no import here (a NULL writer).
const IMPORT_ID = 'bare';

type BareBatch = { audienceId: string; fields: string[]; rows: { row: number; values: string[] }[] };

/** The member writes of a batch: the first value as key, every value by its field key, nothing sensitive. */
function memberWrites(body: BareBatch): MemberWrite[] {
  return body.rows.map((r) => {
    const attributes: Record<string, string> = {};
    for (let i = 0; i < body.fields.length; i++) attributes[body.fields[i] as string] = r.values[i] ?? '';
    return { key: r.values[0] ?? '', attributes, hashes: {}, sealed: [] };
  });
}

/** The stored form keys values by field number (member_field_refs); the bare Worker numbers its fields 1, 2, … itself. */
const fieldNumbers = (fields: readonly string[]): ReadonlyMap<string, number> => new Map(fields.map((f, i) => [f, i + 1]));

/** Stands in for D1 to read the statements back (SQL and parameters), so the bench can run them in plain SQLite. */
function recordingDatabase(): D1Database {
  const prepare = (sql: string) => ({ bind: (...params: unknown[]) => ({ sql, params }) });
  return { prepare } as unknown as D1Database;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === '/health') return new Response('ok');
    if (request.method === 'POST' && pathname === '/audiences') {
      const { audienceId } = await request.json<{ audienceId: string }>();
      const now = new Date().toISOString();
      await env.DB.prepare('INSERT INTO audiences (id, workspace_id, name, created_at, updated_at) VALUES (?1, ?2, ?1, ?3, ?3)')
        .bind(audienceId, WORKSPACE, now)
        .run();
      return new Response(null, { status: 201 });
    }
    if (request.method === 'PUT' && pathname === '/batch') {
      const body = await request.json<BareBatch>();
      const writes = memberWrites(body);
      await env.DB.batch(insertMembersStatements(env.DB, WORKSPACE, body.audienceId, IMPORT_ID, new Date().toISOString(), writes, fieldNumbers(body.fields)));
      return Response.json({ inserted: writes.length });
    }
    // The floor (floor.ts): the bare write plus only the work the issue requires, server-side sealing or privacy mode.
    if (request.method === 'PUT' && pathname === '/batch-floor-server') {
      const body = await request.json<BareBatch & { sensitive: SensitiveColumn[] }>();
      const writes = await serverFloorWrites(body.fields, body.sensitive, body.rows);
      await env.DB.batch(insertMembersStatements(env.DB, WORKSPACE, body.audienceId, IMPORT_ID, new Date().toISOString(), writes, fieldNumbers(body.fields)));
      return Response.json({ inserted: writes.length });
    }
    if (request.method === 'PUT' && pathname === '/batch-floor-private') {
      // The body is the product's privacy batch as it is (the shape check sees exactly what the product's does).
      const params = new URL(request.url).searchParams;
      const fields = (params.get('fields') ?? '').split(',');
      const writes = await privateFloorWrites(fields, await request.json());
      if (!writes) return new Response('not a plainly valid batch body', { status: 422 });
      await env.DB.batch(insertMembersStatements(env.DB, WORKSPACE, params.get('audience') ?? '', IMPORT_ID, new Date().toISOString(), writes, fieldNumbers(fields)));
      return Response.json({ inserted: writes.length });
    }
    // The same batch's statements, not run: what the bench's raw-SQLite figure executes.
    if (request.method === 'POST' && pathname === '/statements') {
      const body = await request.json<BareBatch>();
      return Response.json(
        insertMembersStatements(recordingDatabase(), WORKSPACE, body.audienceId, IMPORT_ID, new Date().toISOString(), memberWrites(body), fieldNumbers(body.fields)),
      );
    }
    return new Response('not found', { status: 404 });
  },
};
