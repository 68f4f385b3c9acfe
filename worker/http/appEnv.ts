/** Hono environment of every route: bindings from wrangler.toml, and what middleware resolved for the request. */
export type AppEnv = {
  Bindings: Env;
  Variables: {
    workspaceId: string;
  };
};
