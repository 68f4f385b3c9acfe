import { openBrowser } from '../../test/browser/chromium.ts';

export type TabRun = { firstRowsSeconds: number; parseSeconds: number; retainedBytes: number; peakBytes: number; rows: string };

/**
 * The real SPA in headless Chromium: drop the file on the import page, time the first rows and the whole parse
 * (Web Worker + row store + grid), and read the tab's JS heap through the DevTools protocol — retained after GC,
 * and the highest sample seen while parsing.
 */
export async function measureTab(baseUrl: string, file: string): Promise<TabRun> {
  const browser = await openBrowser(baseUrl);
  try {
    const { page, context } = browser;
    await page.goto('/');
    const cdp = await context.newCDPSession(page);
    const heap = async (collect: boolean) => {
      if (collect) await cdp.send('HeapProfiler.collectGarbage');
      return (await cdp.send('Runtime.getHeapUsage')).usedSize;
    };
    const baseline = await heap(true);
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await heap(false));
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const start = performance.now();
    await page.locator('input[type=file]').setInputFiles(file);
    await page.locator('[data-testid=row-count]').waitFor({ timeout: 120_000 });
    const firstRowsSeconds = (performance.now() - start) / 1000;
    await page.waitForFunction(
      () => {
        const el = document.querySelector('[data-testid=row-count]');
        return el !== null && !el.textContent?.includes('…') && document.querySelector('[data-testid=parse-progress]') === null;
      },
      undefined,
      { timeout: 300_000, polling: 100 },
    );
    const parseSeconds = (performance.now() - start) / 1000;
    sampling = false;
    await sampler;
    const rows = (await page.locator('[data-testid=row-count]').textContent())?.trim() ?? '?';
    const retained = (await heap(true)) - baseline;
    return { firstRowsSeconds, parseSeconds, retainedBytes: retained, peakBytes: peak - baseline, rows };
  } finally {
    await browser.close();
  }
}
