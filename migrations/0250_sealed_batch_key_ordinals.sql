-- Issue 12 (<= 300 B per member, privacy mode too): every private envelope of a member names its batch's key row by
-- id, and that id was 11 random base64url characters (8 bytes), 12 of a private member's ~305 bytes. A batch's key
-- row now takes the next number of its workspace (`ordinal`), and its id is that number in base 36: 1-4 characters
-- for the first 1.6M private batches of a workspace. Rows written before keep their random id and no ordinal; both
-- kinds of id are text, read the same way (worker/store/sealedBatchKeys.ts). The unique index makes two batches that
-- took the same number at once fail as a constraint, and the batch that lost is applied again with a new one.
ALTER TABLE sealed_batch_keys ADD COLUMN ordinal INTEGER;
CREATE UNIQUE INDEX sealed_batch_keys_by_ordinal ON sealed_batch_keys (workspace_id, ordinal) WHERE ordinal IS NOT NULL;
