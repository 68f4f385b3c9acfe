import type { Role } from '../auth/roles.ts';

/** Hono environment of every route: bindings from wrangler.toml, and what middleware resolved for the request. */
export type AppEnv = {
  Bindings: Env;
  Variables: {
    workspaceId: string;
    /** The caller's role in that workspace (a member's, or the API token's scope). */
    role: Role;
    /** The signed-in person; null for an API token. */
    userId: string | null;
    /** The API token a script calls with; null for a signed-in person (the change history names it). */
    apiTokenId: string | null;
  };
};
