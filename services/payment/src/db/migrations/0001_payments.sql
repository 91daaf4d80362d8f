-- Payments (issue 20): one per order, in the Payment service's own database. `order_id` and
-- `user_id` are ids of the Order and User services, whose tables live elsewhere: references by id,
-- not foreign keys. Amounts are DECIMAL(10,2) like the order's total; the constraints keep refunds
-- within what was captured whatever the code does.

CREATE FUNCTION set_updated_at() RETURNS trigger AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TABLE payments (
  id UUID PRIMARY KEY,
  order_id UUID NOT NULL UNIQUE,
  user_id UUID NOT NULL,
  provider VARCHAR(20) NOT NULL,
  status VARCHAR(30) NOT NULL,
  amount DECIMAL(10,2) NOT NULL,
  amount_captured DECIMAL(10,2) NOT NULL DEFAULT 0,
  amount_refunded DECIMAL(10,2) NOT NULL DEFAULT 0,
  currency CHAR(3) NOT NULL,
  -- The provider's id (Stripe's PaymentIntent `pi_…`): how its webhooks find the payment.
  provider_ref VARCHAR(255) UNIQUE,
  -- What the shopper's card form confirms the PaymentIntent with; shown only to the payment's owner.
  client_secret VARCHAR(255),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT payments_provider_known CHECK (provider IN ('manual', 'stripe')),
  CONSTRAINT payments_status_known CHECK (status IN ('unpaid', 'authorized', 'paid', 'partially_refunded', 'refunded', 'failed', 'voided')),
  CONSTRAINT payments_amount_positive CHECK (amount > 0),
  CONSTRAINT payments_captured_within_amount CHECK (amount_captured >= 0 AND amount_captured <= amount),
  CONSTRAINT payments_refunded_within_captured CHECK (amount_refunded >= 0 AND amount_refunded <= amount_captured)
);
CREATE TRIGGER payments_updated_at BEFORE UPDATE ON payments FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Refunds, each with who made it (null: the system, for a cancelled order or one made at the
-- provider) and why. A refund is `pending` from before the provider is asked until its answer is
-- recorded: pending amounts count as refunded when checking what is left, so concurrent refunds
-- never give back more than was paid.
CREATE TABLE refunds (
  id UUID PRIMARY KEY,
  payment_id UUID NOT NULL REFERENCES payments(id),
  amount DECIMAL(10,2) NOT NULL,
  reason VARCHAR(500) NOT NULL,
  lines JSONB,
  created_by UUID,
  status VARCHAR(20) NOT NULL,
  provider_ref VARCHAR(255) UNIQUE,
  -- The admin's Idempotency-Key, if sent, and a hash of the request it came with: a repeat answers
  -- with this refund instead of making another.
  idempotency_key VARCHAR(255),
  request_hash CHAR(64),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT refunds_amount_positive CHECK (amount > 0),
  CONSTRAINT refunds_status_known CHECK (status IN ('pending', 'succeeded')),
  CONSTRAINT refunds_idempotency_key_once UNIQUE (payment_id, idempotency_key)
);
CREATE INDEX refunds_by_payment ON refunds (payment_id, created_at, id);

-- Provider webhook events already handled, recorded in the transaction that applies them: the
-- primary key makes a second delivery of the same event change nothing, even when both race.
CREATE TABLE processed_webhook_events (
  event_id VARCHAR(255) PRIMARY KEY,
  provider VARCHAR(20) NOT NULL,
  type VARCHAR(255) NOT NULL,
  processed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
