-- Webhooks (issue 21): endpoints admins register, and the delivery of each event to each of them.
-- The analytics service hosts them because it already consumes the whole outbox through the bus.

CREATE TABLE webhook_endpoints (
  id UUID PRIMARY KEY,
  url TEXT NOT NULL,
  events TEXT[] NOT NULL,
  -- `whsec_…` as given to the receiver; deliveries sign with its decoded bytes.
  secret TEXT NOT NULL,
  enabled BOOLEAN NOT NULL DEFAULT true,
  disabled_reason TEXT,
  -- Failed attempts since the last success: the endpoint is disabled when they reach the configured limit.
  consecutive_failures INT NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Each event's body once, exactly as sent: the signature covers these bytes, so every attempt and
-- every endpoint gets the same ones.
CREATE TABLE webhook_messages (
  event_id UUID PRIMARY KEY,
  event_type VARCHAR(100) NOT NULL,
  body TEXT NOT NULL,
  received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One row per (endpoint, event): the unique pair is what makes an event the bus delivers twice one delivery.
-- An attempt is claimed by setting `lease_token` until `lease_until`; only the holder of the token
-- may record its outcome, so two instances never send the same attempt.
CREATE TABLE webhook_deliveries (
  id UUID PRIMARY KEY,
  endpoint_id UUID NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_id UUID NOT NULL REFERENCES webhook_messages (event_id),
  status VARCHAR(20) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempt_count INT NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMPTZ,
  retry_until TIMESTAMPTZ NOT NULL,
  lease_token UUID,
  lease_until TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (endpoint_id, created_at DESC);

CREATE TABLE webhook_attempts (
  delivery_id UUID NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  attempt INT NOT NULL,
  attempted_at TIMESTAMPTZ NOT NULL,
  response_status INT,
  error TEXT,
  duration_ms INT NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
);
