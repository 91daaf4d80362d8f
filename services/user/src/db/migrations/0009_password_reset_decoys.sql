-- A reset request for an email that no active account has commits a write here instead of a token
-- and an email, so that its answer takes as long as one that does: the time must not tell which
-- emails are registered. At most 64 rows (slots), each rewritten in place, so the table never grows;
-- several so that concurrent requests seldom wait on one row's lock.
CREATE TABLE password_reset_decoys (
  slot SMALLINT PRIMARY KEY CHECK (slot BETWEEN 0 AND 63),
  written_at TIMESTAMPTZ NOT NULL
);
