import { describe, expect, it } from 'vitest';
import { MAX_SEAL_WORKERS, sealWorkerCount } from './sealPool.ts';

describe('sealWorkerCount', () => {
  it('leaves one core to the tab and keeps at least one worker', () => {
    expect(sealWorkerCount(1)).toBe(1);
    expect(sealWorkerCount(2)).toBe(1);
    expect(sealWorkerCount(4)).toBe(3);
  });

  it('caps the pool: past a few workers the network, not the cores, is the limit', () => {
    expect(sealWorkerCount(64)).toBe(MAX_SEAL_WORKERS);
  });

  it('assumes two cores when the browser does not say', () => {
    expect(sealWorkerCount(undefined)).toBe(1);
    expect(sealWorkerCount(0)).toBe(1);
    expect(sealWorkerCount(Number.NaN)).toBe(1);
  });
});
