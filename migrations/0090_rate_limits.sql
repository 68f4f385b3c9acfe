-- Rate limits of sign-in, sign-up, password reset and API tokens (worker/auth/rateLimits.ts). In D1, not in an
-- isolate's memory: every Worker isolate counts in the same row, so spreading requests over isolates gains nothing.
-- One row per key (rule + who: an address, an IP, a workspace) and fixed window; rows of windows long past are
-- swept when a key starts a new window.
CREATE TABLE rate_limit_counters (
  key TEXT PRIMARY KEY,
  window_start INTEGER NOT NULL,
  count INTEGER NOT NULL
);
CREATE INDEX rate_limit_counters_window ON rate_limit_counters (window_start);
