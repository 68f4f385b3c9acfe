-- Sensitive values were kept as plain SHA-256 hex (members.hashes, and identifier_key when the identifier is
-- sensitive): a leaked database gives phone numbers away by brute force. They become HMAC-SHA-256 under the
-- HASH_KEY Worker secret, HMAC(key, that same SHA-256 hex), so the Worker rewrites the old rows from the stored
-- hashes alone (worker/crypto/keyedHashMigration.ts): only it holds the key, so SQL cannot do it here.
--
-- hash_scheme says which form a row holds: 1 = keyed, the default, so every row written from now on is marked
-- keyed without its INSERT naming the column; 0 = plain SHA-256, still to rewrite. Rows without sensitive values
-- hold no hash and are keyed already. The rewrite of a row sets 1 in the same UPDATE, guarded by `hash_scheme = 0`:
-- each row is rewritten once, exactly, and an interrupted rewrite resumes where it stopped.
ALTER TABLE members ADD COLUMN hash_scheme INTEGER NOT NULL DEFAULT 1;
UPDATE members SET hash_scheme = 0 WHERE hashes <> '{}';
-- Shrinks to nothing as the rewrite goes; finding what is left stays one index probe.
CREATE INDEX members_unkeyed ON members (id) WHERE hash_scheme = 0;
