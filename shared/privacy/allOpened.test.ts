import { describe, expect, it } from 'vitest';
import { allOpened, SealedValueError } from './openSealedValues.ts';

const later = <T>(ms: number, run: () => T) => new Promise<T>((resolve, reject) => setTimeout(() => { try { resolve(run()); } catch (e) { reject(e); } }, ms));

describe('allOpened', () => {
  it('gives every value in order when all open', async () => {
    expect(await allOpened([later(5, () => 'a'), later(0, () => 'b')])).toEqual(['a', 'b']);
  });

  it('names the lowest failing index, whichever failed first in time', async () => {
    const pending = [
      later(1, () => 'ok'),
      later(20, () => { throw new SealedValueError(1, 'altered, or sealed under another key'); }),
      later(0, () => { throw new SealedValueError(2, 'too short'); }),
    ];
    await expect(allOpened(pending)).rejects.toMatchObject({ index: 1, reason: 'altered, or sealed under another key' });
  });

  it('prefers a SealedValueError to another error, and passes another error on when there is none', async () => {
    await expect(allOpened([later(0, () => { throw new Error('network'); }), later(5, () => { throw new SealedValueError(3, 'too short'); })])).rejects.toMatchObject({ index: 3 });
    await expect(allOpened([later(0, () => { throw new Error('network'); })])).rejects.toThrow('network');
  });
});
