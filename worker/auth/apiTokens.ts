import { sha256Hex } from '../crypto/sha256Hex.ts';
import type { Role } from './roles.ts';

const PREFIX = 'ait_';

/** 32 random bytes, base64url, with a prefix that secret scanners and people recognise. */
export function newApiToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const base64 = btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
  return `${PREFIX}${base64}`;
}

export const isApiToken = (value: string): boolean => value.startsWith(PREFIX);

/** What the listing shows of a token: enough to tell two apart, never enough to use one. */
export const tokenHint = (token: string): string => `${token.slice(0, PREFIX.length + 4)}…${token.slice(-4)}`;

export type TokenPrincipal = { tokenId: string; workspaceId: string; role: Role };

/**
 * The workspace and role a Bearer token acts as, or null when it is unknown or revoked. last_used_at is written at
 * most once a minute per token: a script sending thousands of batches should not cost a write each.
 */
export async function principalOfToken(db: D1Database, token: string): Promise<TokenPrincipal | null> {
  const hash = await sha256Hex(token);
  const row = await db
    .prepare('SELECT id, workspace_id, role FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL')
    .bind(hash)
    .first<{ id: string; workspace_id: string; role: Role }>();
  if (!row) return null;
  const now = new Date();
  await db
    .prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)')
    .bind(now.toISOString(), row.id, new Date(now.getTime() - 60_000).toISOString())
    .run();
  return { tokenId: row.id, workspaceId: row.workspace_id, role: row.role };
}
