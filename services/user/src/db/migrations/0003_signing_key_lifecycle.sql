-- A configured key (DEMA_JWT_PRIVATE_KEY) is recorded by its public half only: its row's age says
-- since when it signs, so that the keys before it retire on time. A stored private key may be
-- encrypted (DEMA_KEY_ENCRYPTION_KEY): then the column holds {enc, iv, tag, ct}, not a JWK.
ALTER TABLE signing_keys ALTER COLUMN private_jwk DROP NOT NULL;
