-- Tokens of emailed links (password reset, email verification): single use, expiring, and stored
-- only as SHA-256 hashes, so a copy of the database opens no account.
CREATE TABLE account_tokens (
  id UUID PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose VARCHAR(30) NOT NULL CHECK (purpose IN ('password-reset', 'email-verification')),
  token_hash CHAR(64) NOT NULL UNIQUE,
  expires_at TIMESTAMPTZ NOT NULL,
  used_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX account_tokens_open ON account_tokens (user_id, purpose) WHERE used_at IS NULL;
