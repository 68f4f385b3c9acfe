import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type OpenBrowser, openBrowser, screenshot } from './chromium.ts';
import { adminFetch } from './testAccount.ts';

/** Another site on another local port: it frames the app and tries to change things with the visitor's browser. */
function startAttackerSite(appUrl: string): Promise<{ url: string; server: Server }> {
  const page = `<!doctype html><meta charset="utf-8"><title>Win a prize</title>
<h1>Click the button to win</h1>
<iframe id="victim" src="${appUrl}/import" width="1000" height="600"></iframe>
<form id="csrf" method="post" action="${appUrl}/api/audiences" target="sink" enctype="text/plain">
  <input name='{"name":"Planted by another site","x":"' value='"}'>
</form>
<iframe name="sink"></iframe>
<script>
  window.attempts = Promise.all([
    fetch(${JSON.stringify(`${appUrl}/api/audiences`)}, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ name: 'Planted by fetch' }) }).catch(() => null),
    new Promise((done) => { document.querySelector('iframe[name=sink]').onload = done; document.getElementById('csrf').submit(); }),
  ]);
</script>`;
  return new Promise((resolve) => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
    });
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }));
  });
}

describe('in a page of another site', () => {
  const appUrl = inject('baseUrl');
  let browser: OpenBrowser;
  let attacker: { url: string; server: Server };
  beforeAll(async () => {
    browser = await openBrowser(appUrl);
    attacker = await startAttackerSite(appUrl);
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => attacker?.server.close(done));
  });

  it('the app refuses to render in a frame, and the page cannot change anything through the visitor', async () => {
    const { page } = browser;
    const before = (await (await adminFetch(appUrl, '/api/audiences')).json()) as { name: string }[];
    const refusals: string[] = [];
    page.on('console', (m) => {
      if (/frame-ancestors|Refused to (display|frame)/i.test(m.text())) refusals.push(m.text());
    });
    await page.goto(attacker.url);
    await page.evaluate(() => (window as unknown as { attempts: Promise<unknown> }).attempts);

    const victim = page.frames().find((f) => f !== page.mainFrame() && f.name() !== 'sink');
    expect(victim).toBeDefined();
    // Chromium replaces a frame refused by frame-ancestors with its own error page: none of the app is there.
    await expect.poll(() => victim?.url()).not.toMatch(new RegExp(`^${appUrl}`));
    expect(await victim?.locator('#root').count()).toBe(0);
    await expect.poll(() => refusals.length).toBeGreaterThan(0);
    await screenshot(page, 'framing-01-refused-in-foreign-frame');

    const after = (await (await adminFetch(appUrl, '/api/audiences')).json()) as { name: string }[];
    expect(after.map((a) => a.name)).toEqual(before.map((a) => a.name));
  });

  it('opened as itself, renders under its Content-Security-Policy without a single violation', async () => {
    const { page } = browser;
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Content-Security-Policy/i.test(m.text())) violations.push(m.text());
    });
    const response = await page.goto('/import');
    expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Import contacts');
    await page.goto('/audiences');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Audiences');
    expect(violations).toEqual([]);
  });
});
