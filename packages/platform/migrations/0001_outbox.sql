-- Events written in the same transaction as the change they describe, relayed to the bus after
-- commit. A row is marked published only after the bus confirmed it, and kept as the service's
-- event history; `claimed_until` lets several instances relay without sending a row twice at once.
CREATE TABLE outbox (
  seq BIGSERIAL PRIMARY KEY,
  id UUID NOT NULL UNIQUE,
  type VARCHAR(100) NOT NULL,
  version INT NOT NULL,
  routing_key VARCHAR(255) NOT NULL,
  payload JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  attempts INT NOT NULL DEFAULT 0,
  claimed_until TIMESTAMPTZ,
  published_at TIMESTAMPTZ,
  last_error TEXT
);
CREATE INDEX outbox_pending ON outbox (seq) WHERE published_at IS NULL;

-- Consumers record each event id they handled in the transaction of its effect; the primary key
-- turns a redelivery into a no-op without a read-then-insert race.
CREATE TABLE processed_events (
  consumer VARCHAR(100) NOT NULL,
  event_id UUID NOT NULL,
  processed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);
