import type { ChangeValue } from '../schema/history.ts';

// Keys whose values are secrets or could be used as one: never written to the history, whatever the caller passed.
const SECRET_KEY = /token|secret|password|sealed|verifier|credential|cookie|hash|apikey|api_key/i;

/** A value as the history keeps it: JSON, secrets dropped at every depth, undefined fields left out. */
export function withoutSecrets(value: unknown): ChangeValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (typeof value === 'object') {
    const kept: { [key: string]: ChangeValue } = {};
    for (const [key, inner] of Object.entries(value)) {
      if (SECRET_KEY.test(key) || inner === undefined || typeof inner === 'function') continue;
      kept[key] = withoutSecrets(inner);
    }
    return kept;
  }
  return null;
}
