// The account every browser test signs in with: made by the global setup through the first-run route (so it
// owns the seeded workspace), then used by openBrowser and by tests that call the API from Node.

export const TEST_ADMIN = {
  workspaceName: 'Test workspace',
  name: 'Tess Admin',
  email: 'admin@test.example',
  password: 'browser-test-password',
} as const;

/** Runs the first-run route once; a server that already has its first account is left as it is. */
export async function ensureTestAdmin(baseUrl: string): Promise<void> {
  const state = (await (await fetch(`${baseUrl}/api/setup`)).json()) as { needed: boolean };
  if (!state.needed) return;
  const res = await fetch(`${baseUrl}/api/setup`, { method: 'POST', headers: { 'content-type': 'application/json', origin: baseUrl }, body: JSON.stringify(TEST_ADMIN) });
  if (res.status !== 201) throw new Error(`first run failed: ${res.status} ${await res.text()}`);
}

/** Whether this server has accounts (the app's Worker), as opposed to a plain page server such as the grid harness. */
export async function hasAccounts(baseUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl}/api/setup`);
    return res.ok && (res.headers.get('content-type') ?? '').includes('application/json');
  } catch {
    return false;
  }
}

const cookies = new Map<string, Promise<string>>();

async function signIn(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/sign-in/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: baseUrl },
    body: JSON.stringify({ email: TEST_ADMIN.email, password: TEST_ADMIN.password }),
  });
  const cookie = res.headers.getSetCookie().find((c) => c.includes('session_token='));
  if (!res.ok || !cookie) throw new Error(`signing in as the test admin failed: ${res.status} ${await res.text()}`);
  return cookie.split(';')[0] ?? '';
}

/** fetch from Node as the test admin (its session cookie and a same-origin Origin header). */
export async function adminFetch(baseUrl: string, path: string, init: RequestInit = {}): Promise<Response> {
  let cookie = cookies.get(baseUrl);
  if (!cookie) {
    cookie = signIn(baseUrl);
    cookies.set(baseUrl, cookie);
  }
  const headers = new Headers(init.headers);
  headers.set('cookie', await cookie);
  headers.set('origin', baseUrl);
  return fetch(`${baseUrl}${path}`, { ...init, headers });
}
