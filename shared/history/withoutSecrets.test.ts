import { describe, expect, it } from 'vitest';
import { withoutSecrets } from './withoutSecrets.ts';

describe('withoutSecrets', () => {
  it('drops tokens, secrets and sealed values at every depth and keeps the settings', () => {
    const value = {
      name: 'Nightly',
      role: 'viewer',
      token: 'ait_abc',
      tokenHint: 'ait_a…c',
      nested: { refreshTokenSealed: 'x', clientSecret: 'y', password: 'z', kept: [1, { accessToken: 't', object: 'Contact' }] },
      missing: undefined,
    };
    expect(withoutSecrets(value)).toEqual({ name: 'Nightly', role: 'viewer', nested: { kept: [1, { object: 'Contact' }] } });
  });
});
