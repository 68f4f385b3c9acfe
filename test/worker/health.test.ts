import { SELF } from 'cloudflare:test';
import { expect, it } from 'vitest';
it('answers health with the migrated schema', async () => {
  const res = await SELF.fetch('http://app.test/api/health');
  expect(await res.json()).toEqual({ ok: true, workspaces: 1 });
});
