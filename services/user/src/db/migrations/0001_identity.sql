-- Accounts, login sessions and their refresh tokens, and the access-token signing keys.

CREATE TABLE users (
  id UUID PRIMARY KEY,
  -- Stored normalised (trimmed, lower case): one account per address whatever its case.
  email VARCHAR(254) NOT NULL UNIQUE,
  name VARCHAR(100) NOT NULL,
  role VARCHAR(20) NOT NULL CHECK (role IN ('customer', 'admin')),
  password_hash TEXT NOT NULL,
  disabled_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE FUNCTION set_updated_at() RETURNS trigger AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER users_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- A login session: every refresh token descended from one login belongs to its family, and its id
-- is the `sid` claim of the access tokens issued in it.
CREATE TABLE session_families (
  id UUID PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  revoked_at TIMESTAMPTZ,
  revoked_reason VARCHAR(50)
);
CREATE INDEX session_families_user ON session_families (user_id) WHERE revoked_at IS NULL;

-- Refresh tokens are stored only as SHA-256 hashes; a used one is kept so its reuse is recognised.
CREATE TABLE refresh_tokens (
  token_hash CHAR(64) PRIMARY KEY,
  family_id UUID NOT NULL REFERENCES session_families(id) ON DELETE CASCADE,
  issued_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at TIMESTAMPTZ NOT NULL,
  used_at TIMESTAMPTZ
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE signing_keys (
  kid VARCHAR(100) PRIMARY KEY,
  private_jwk JSONB NOT NULL,
  public_jwk JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
