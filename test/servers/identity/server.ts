import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CreateIdentityUser, Flavour, IdentityUser } from './controlTypes.ts';
import { basicOf, json, type IdpRequest } from './http.ts';
import { microsoftFlavour } from './microsoft.ts';
import { newUser } from './oidcCore.ts';
import { salesforceFlavour } from './salesforce.ts';

/**
 * Local stand-ins of Microsoft Entra ID and Salesforce as identity providers, on one port: Microsoft's authority is
 * `<url>/microsoft` (then `/{tenant}/…` as at login.microsoftonline.com), Salesforce's login URL `<url>/salesforce`.
 * `/__control/users` is the tests' remote control: make a user (with a fault, if any) to sign in as.
 */

export type IdentityServer = { url: string; close(): Promise<void> };

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startIdentityServer(port = 0): Promise<IdentityServer> {
  const users: Record<Flavour, IdentityUser[]> = { microsoft: [], salesforce: [] };
  let next = 1;
  // A login hint names one user exactly; a person typing into the login form gives their email (the newest such user).
  const finder = (flavour: Flavour) => (hint: string) =>
    users[flavour].find((u) => u.loginHint === hint) ?? [...users[flavour]].reverse().find((u) => u.email.toLowerCase() === hint.toLowerCase());
  const flavours: Record<Flavour, (r: IdpRequest) => boolean> = {
    microsoft: microsoftFlavour(finder('microsoft')),
    salesforce: salesforceFlavour(finder('salesforce')),
  };
  let base = '';

  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', base);
        const body = await readBody(req);
        if (url.pathname === '/__control/users' && req.method === 'POST') {
          const request = JSON.parse(body) as CreateIdentityUser;
          const id = request.flavour === 'microsoft' ? crypto.randomUUID() : `005${String(next++).padStart(12, '0')}AAA`;
          const user = newUser(request, id);
          users[request.flavour].push(user);
          return json(res, 201, user);
        }
        const flavour = (['microsoft', 'salesforce'] as const).find((f) => url.pathname.startsWith(`/${f}/`));
        const form = (req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded') ? new URLSearchParams(body) : new URLSearchParams();
        const handled =
          flavour !== undefined &&
          flavours[flavour]({
            req,
            res,
            base: `${base}/${flavour}`,
            path: url.pathname.slice(flavour.length + 1),
            query: url.searchParams,
            form,
            basic: basicOf(req.headers.authorization),
          });
        if (!handled) json(res, 404, { error: 'not_found', error_description: `no endpoint ${url.pathname}` });
      } catch (e) {
        if (!res.headersSent) json(res, 500, { error: 'server_error', error_description: (e as Error).message });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
