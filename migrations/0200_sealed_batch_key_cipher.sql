-- Privacy mode's cell cipher per batch (issue 12): the tab now seals with ChaCha20-Poly1305; every batch key stored
-- before this was AES-256-GCM, which the default keeps true for them. The opener derives each batch key for its
-- cipher (the cipher is bound into HKDF's info), so a batch key row must say which.
ALTER TABLE sealed_batch_keys ADD COLUMN cipher TEXT NOT NULL DEFAULT 'aes-256-gcm';
