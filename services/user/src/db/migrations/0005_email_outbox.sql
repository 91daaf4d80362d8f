-- Emails to customers wait here until the mail server has them. A row is written in the transaction
-- of the change it tells about (a signup, a reset request), so an email is never lost to a crash or a
-- mail server that is down; `cause` is unique (the token or event it comes from), so one cause
-- never queues two emails.
CREATE TABLE email_outbox (
  id UUID PRIMARY KEY,
  cause VARCHAR(200) NOT NULL UNIQUE,
  template VARCHAR(50) NOT NULL,
  recipient VARCHAR(254) NOT NULL,
  -- The template's values; erased once sent, as they may hold a single-use link.
  data JSONB,
  attempts INT NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  -- A sender that took the row holds it until then; one that died mid-send only delays it.
  claimed_until TIMESTAMPTZ,
  last_error TEXT,
  sent_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at) WHERE sent_at IS NULL;
