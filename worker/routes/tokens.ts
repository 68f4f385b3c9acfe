import { Hono } from 'hono';
import { type ApiToken, CreateTokenBody, type CreatedToken, type Role } from '../../shared/schema/auth.ts';
import { newApiToken, tokenHint } from '../auth/apiTokens.ts';
import { count, RATE_RULES, tooManyRequests } from '../auth/rateLimits.ts';
import { sha256Hex } from '../crypto/sha256Hex.ts';
import { DomainError } from '../domainError.ts';
import type { AppEnv } from '../http/appEnv.ts';
import { jsonBody } from '../http/validate.ts';
import { recordTokenChange } from '../history/accessChanges.ts';

type TokenRow = { id: string; name: string; role: Role; hint: string; createdAt: string; lastUsedAt: string | null; revokedAt: string | null };
const COLUMNS = 'id, name, role, token_hint AS hint, created_at AS createdAt, last_used_at AS lastUsedAt, revoked_at AS revokedAt';

/** API tokens of the session's workspace: the token is shown once at creation and only its SHA-256 is kept. */
export const tokensRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const { results } = await c.env.DB.prepare(`SELECT ${COLUMNS} FROM api_tokens WHERE workspace_id = ? ORDER BY created_at DESC`)
      .bind(c.var.workspaceId)
      .all<TokenRow>();
    return c.json(results satisfies ApiToken[]);
  })
  .post('/', jsonBody(CreateTokenBody), async (c) => {
    const limited = await count(c.env.DB, RATE_RULES.tokensCreatedPerWorkspace, c.var.workspaceId);
    if (limited) return tooManyRequests(c, limited);
    const { name, role } = c.req.valid('json');
    const token = newApiToken();
    const created: CreatedToken = { id: crypto.randomUUID(), name, role, hint: tokenHint(token), createdAt: new Date().toISOString(), lastUsedAt: null, revokedAt: null, token };
    await c.env.DB.prepare(
      'INSERT INTO api_tokens (id, workspace_id, name, role, token_hash, token_hint, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    )
      .bind(created.id, c.var.workspaceId, name, role, sha256Hex(token), created.hint, c.var.userId ?? 'api-token', created.createdAt)
      .run();
    await recordTokenChange(c, created.id, 'created');
    return c.json(created, 201);
  })
  .delete('/:id', async (c) => {
    const done = await c.env.DB.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND workspace_id = ? AND revoked_at IS NULL')
      .bind(new Date().toISOString(), c.req.param('id'), c.var.workspaceId)
      .run();
    if (!done.meta.changes) throw new DomainError('not_found', 'no such active token in this workspace');
    await recordTokenChange(c, c.req.param('id'), 'revoked');
    return c.body(null, 204);
  });
