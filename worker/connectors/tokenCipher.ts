import { createAesGcm, readAesKey, type AesGcm } from '../crypto/aesGcm.ts';

/** CRM tokens are sealed under their own key (TOKEN_ENCRYPTION_KEY), apart from the member data key. */
export function tokenCipher(env: { TOKEN_ENCRYPTION_KEY?: string }): AesGcm {
  return createAesGcm(readAesKey(env.TOKEN_ENCRYPTION_KEY, 'TOKEN_ENCRYPTION_KEY'));
}
