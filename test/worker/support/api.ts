import { env, SELF } from 'cloudflare:test';
import type { Role } from '../../../shared/schema/auth.ts';
import type { BatchResult, BatchRow, ImportSummary, StartImportBody } from '../../../shared/schema/imports.ts';
import type { ImportMapping } from '../../../shared/schema/mapping.ts';

export type Answer<T = unknown> = { status: number; body: T };

/** Who a test request is sent as: a member of the test workspace ('default') with that role, or nobody. */
export type Caller = Role | 'anonymous';

export const TEST_PASSWORD = 'correct horse battery staple';
export const emailOf = (role: Role) => `${role.toLowerCase()}@test.example`;

// One session cookie per role, made on first use: the key contact by the first-run route (which claims the seeded
// 'default' workspace, so rows the tests write behind the API's back with workspace_id 'default' stay theirs),
// the other roles by signing up and being given a seat.
const cookies = new Map<Role, Promise<string>>();

function sessionCookie(res: Response): string {
  const cookie = res.headers.getSetCookie().find((c) => c.includes('session_token='));
  if (!cookie) throw new Error(`no session cookie in the answer (${res.status})`);
  return cookie.split(';')[0] ?? '';
}

async function post(path: string, body: unknown): Promise<Response> {
  return SELF.fetch(`http://app.test${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function signIn(role: Role): Promise<string> {
  if (role === 'keyContact') {
    const setup = await post('/api/setup', { workspaceName: 'Test workspace', name: 'Kim Key', email: emailOf(role), password: TEST_PASSWORD });
    if (setup.status === 201) return sessionCookie(setup);
  } else {
    await sessionFor('keyContact');
    const signUp = await post('/api/auth/sign-up/email', { name: `Test ${role}`, email: emailOf(role), password: TEST_PASSWORD });
    if (signUp.ok) {
      const { user } = (await signUp.json()) as { user: { id: string } };
      // As if they had confirmed their address and accepted an invitation (a seat needs a confirmed address).
      await env.DB.batch([
        env.DB.prepare(`UPDATE "user" SET "emailVerified" = 1 WHERE id = ?`).bind(user.id),
        env.DB.prepare(`INSERT INTO workspace_members (id, "organizationId", "userId", role, "createdAt") VALUES (?, 'default', ?, ?, ?)`).bind(
          crypto.randomUUID(),
          user.id,
          role,
          new Date().toISOString(),
        ),
      ]);
      return sessionCookie(signUp);
    }
  }
  // Already made earlier in this file's database: sign in again.
  const signedIn = await post('/api/auth/sign-in/email', { email: emailOf(role), password: TEST_PASSWORD });
  if (!signedIn.ok) throw new Error(`cannot sign in as ${role}: ${signedIn.status} ${await signedIn.text()}`);
  return sessionCookie(signedIn);
}

/** The `cookie` header value of a signed-in member with that role (made on first use). */
export function sessionFor(role: Role): Promise<string> {
  let cookie = cookies.get(role);
  if (!cookie) {
    cookie = signIn(role);
    cookies.set(role, cookie);
    cookie.catch(() => cookies.delete(role));
  }
  return cookie;
}

/** `init` with the session cookie of a member with that role: for tests that call `app.request` themselves. */
export async function signedIn(init: RequestInit = {}, role: Role = 'admin'): Promise<RequestInit> {
  const headers = new Headers(init.headers);
  // Beside any cookie the test's own jar sends (e.g. the CRM sign-in's state cookie).
  const session = await sessionFor(role);
  const existing = headers.get('cookie');
  headers.set('cookie', existing ? `${existing}; ${session}` : session);
  return { ...init, headers };
}

/** A request through the Worker's real fetch handler as `caller`, with any extra headers; the raw Response. */
export async function fetchAs(caller: Caller, path: string, init: RequestInit = {}): Promise<Response> {
  const withSession = caller === 'anonymous' ? init : await signedIn(init, caller);
  const res = await SELF.fetch(`http://app.test${path}`, withSession);
  if (res.status === 401 && caller !== 'anonymous') {
    // The database under this file was reset since the cookie was made: make the member again, once.
    cookies.clear();
    return SELF.fetch(`http://app.test${path}`, await signedIn(init, caller));
  }
  return res;
}

/** One request to the Worker as `caller`, JSON in and out. */
export async function callAs<T = unknown>(caller: Caller, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  // Like the SPA: a POST always says JSON (the Worker refuses one that does not, body or not).
  if (body !== undefined || method === 'POST') init.headers = { ...headers, 'content-type': 'application/json' };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetchAs(caller, path, init);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/** One request to the Worker through its real fetch handler, JSON in and out, signed in as an admin of the test workspace. */
export async function call<T = unknown>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
  return callAs<T>('admin', method, path, body);
}

export async function ok<T>(method: string, path: string, body?: unknown): Promise<T> {
  const answer = await call<T>(method, path, body);
  if (answer.status >= 300) throw new Error(`${method} ${path} → ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

export type Column = { column: string; target: string | null; sensitive?: boolean };

/** A start body for a CSV import whose headers are the given columns. */
export function startBody(
  columns: Column[],
  identifier: string,
  options: { audienceName?: string; audienceId?: string; onMatch?: ImportMapping['onMatch']; batchSize?: number; defaultCountry?: string } = {},
): StartImportBody {
  const { audienceId, audienceName, onMatch = 'update', batchSize = 2000, defaultCountry = 'US' } = options;
  return {
    ...(audienceId ? { audienceId } : { audienceName: audienceName ?? `Audience ${crypto.randomUUID().slice(0, 8)}` }),
    source: { kind: 'csv', fileName: 'contacts.csv', headers: columns.map((c) => c.column) },
    mapping: {
      columns: columns.map((c) => ({ column: c.column, target: c.target, sensitive: c.sensitive ?? false })),
      identifier,
      onMatch,
    },
    consent: { doubleOptIn: true },
    defaultCountry,
    batchSize,
  };
}

export const startImport = (body: StartImportBody) => ok<ImportSummary>('POST', '/api/imports', body);

/** Rows numbered from `firstRow`; values in the order of the imported (non-skipped) columns. */
export function rows(firstRow: number, values: string[][]): BatchRow[] {
  return values.map((v, i) => ({ row: firstRow + i, values: v }));
}

export const putBatch = (importId: string, seq: number, batchRows: BatchRow[], idempotencyKey = `key-${importId}-${seq}`) =>
  call<BatchResult>('PUT', `/api/imports/${importId}/batches/${seq}`, { seq, idempotencyKey, rows: batchRows });

export async function sendBatch(importId: string, seq: number, batchRows: BatchRow[], idempotencyKey?: string): Promise<BatchResult> {
  const answer = await putBatch(importId, seq, batchRows, idempotencyKey);
  if (answer.status !== 200) throw new Error(`batch ${seq} → ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/**
 * `app.request` signed in as an admin of the test workspace: for tests that call the app with their own bindings
 * (pointed at the fake CRMs) instead of through SELF.
 */
export async function requestAsAdmin(path: string, init: RequestInit = {}, bindings?: Env): Promise<Response> {
  const { default: app } = await import('../../../worker/app.ts');
  return app.request(path, await signedIn(init), bindings);
}
