-- A pending sign-in is bound to the browser that started it: the Worker sets an HttpOnly, SameSite cookie with a
-- random nonce and keeps only its SHA-256 here, so a callback URL replayed from another browser (login CSRF, a
-- leaked link) completes nothing. Rows pending while this migration runs have none and simply expire.
ALTER TABLE crm_oauth_states ADD COLUMN browser_nonce_hash TEXT;
