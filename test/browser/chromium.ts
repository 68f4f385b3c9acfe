// Drives the system Chromium: browser downloads are not possible on these machines, and the networking flags
// keep it from trying to reach the internet on its own.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { hasAccounts, TEST_ADMIN } from './testAccount.ts';

export const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface OpenBrowser {
  context: BrowserContext;
  page: Page;
  close: () => Promise<void>;
}

/**
 * A fresh Chromium profile on `baseUrl`, signed in as the test admin when the server has accounts (the app's
 * Worker; not the grid harness). `signedIn: false` starts without a session. `locale` and `timezoneId` make the
 * page's navigator.language and time zone those of a user elsewhere.
 */
export async function openBrowser(baseUrl: string, options: { signedIn?: boolean; locale?: string; timezoneId?: string } = {}): Promise<OpenBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM}: install it: apt-get install -y chromium`);
  const { signedIn = true, ...contextOptions } = options;
  const profile = mkdtempSync(join(tmpdir(), 'audience-import-chromium-'));
  // A persistent context is how playwright takes --user-data-dir: a fresh one per run, so no state leaks between runs.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    baseURL: baseUrl,
    viewport: { width: 1360, height: 900 },
    acceptDownloads: true,
    ...contextOptions,
  });
  // Generous waits, not sleeps: on a shared 2-core machine a first page load behind a cold wrangler dev can take
  // well over playwright's 30 s default while everything still works.
  context.setDefaultNavigationTimeout(120_000);
  context.setDefaultTimeout(60_000);
  const page = context.pages()[0] ?? (await context.newPage());
  if (signedIn && (await hasAccounts(baseUrl))) {
    // context.request shares the profile's cookie jar: the session cookie lands where the pages will send it.
    const signIn = await context.request.post(`${baseUrl}/api/auth/sign-in/email`, {
      data: { email: TEST_ADMIN.email, password: TEST_ADMIN.password },
      headers: { origin: baseUrl },
    });
    if (!signIn.ok()) throw new Error(`signing in as the test admin failed: ${signIn.status()} ${await signIn.text()}`);
  }
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const SHOTS = join(process.cwd(), 'screenshots');

/** Screenshots of every step, kept (git-ignored) so a person can look at what the test saw. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  // From the top: a full-page shot of a scrolled page paints the sticky header in the middle.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

export type { Browser, Page };
