/**
 * The one browser-like bit the sign-in tests need: the cookie the Worker sets when a sign-in starts must come back
 * with the callback, as a browser would send it (sign-ins are bound to the browser that started them).
 */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** Remembers the response's Set-Cookie headers (a Max-Age=0 one forgets the cookie). */
  take(response: Response): Response {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(at + 1).trim());
    }
    return response;
  }

  /** Adds the Cookie header to a request's init. */
  send(init: RequestInit = {}): RequestInit {
    if (!this.cookies.size) return init;
    const headers = new Headers(init.headers);
    headers.set('cookie', [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; '));
    return { ...init, headers };
  }
}
