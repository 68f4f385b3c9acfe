import type { IncomingMessage, ServerResponse } from 'node:http';

/** One request as the flavours see it: path relative to their mount, query, form body, Basic credentials. */
export type IdpRequest = {
  req: IncomingMessage;
  res: ServerResponse;
  /** The flavour's base URL (authority / login URL), e.g. http://127.0.0.1:5000/microsoft. */
  base: string;
  path: string;
  query: URLSearchParams;
  form: URLSearchParams;
  basic: { id: string; secret: string } | null;
};

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

export function html(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(body);
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location });
  res.end();
}

/** The client credentials of a token request: HTTP Basic (client_secret_basic) or form fields (client_secret_post). */
export function clientOf(r: IdpRequest): { id: string; secret: string | null } {
  if (r.basic) return r.basic;
  return { id: r.form.get('client_id') ?? '', secret: r.form.get('client_secret') };
}

export function basicOf(header: string | undefined): { id: string; secret: string } | null {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m?.[1]) return null;
  const [id = '', secret = ''] = Buffer.from(m[1], 'base64').toString('utf8').split(':').map((p) => decodeURIComponent(p));
  return { id, secret };
}
