/** The origins (scheme://host[:port]) the app is served from, and the hosts they name. */
export type AllowedOrigins = { origins: ReadonlySet<string>; hosts: ReadonlySet<string> };

const parsed = new Map<string, AllowedOrigins>();

/**
 * Reads the ALLOWED_ORIGINS setting: origins separated by commas or spaces, e.g.
 * `http://127.0.0.1:8787, http://localhost:8787, https://audiences.example.com`. Anything that is not a plain
 * http(s) origin throws: a typo here must not quietly leave the API open or shut.
 */
export function readAllowedOrigins(setting: string | undefined): AllowedOrigins {
  const text = setting ?? '';
  const known = parsed.get(text);
  if (known) return known;
  const origins = new Set<string>();
  const hosts = new Set<string>();
  for (const entry of text.split(/[\s,]+/).filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new Error(`ALLOWED_ORIGINS: "${entry}" is not an origin like https://audiences.example.com`);
    }
    // No patterns (a "*" would be taken literally and match nothing): each origin is written out.
    const plainHost = /^([a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$/i.test(url.hostname);
    if (!/^https?:$/.test(url.protocol) || !plainHost || url.origin !== entry.replace(/\/$/, '')) {
      throw new Error(`ALLOWED_ORIGINS: "${entry}" must be just scheme://host[:port], like https://audiences.example.com`);
    }
    origins.add(url.origin);
    hosts.add(url.host);
  }
  if (origins.size === 0) throw new Error('ALLOWED_ORIGINS is empty: set the origin(s) the app is served from');
  const result = { origins, hosts };
  parsed.set(text, result);
  return result;
}
