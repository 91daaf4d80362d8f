-- Stock held for orders (the Order service's saga step "reserve"). One row per order id makes
-- reserving idempotent; RELEASED is kept (also for an order never reserved) so that a late or
-- retried reservation cannot take stock for an order that was already compensated or cancelled.
CREATE TABLE stock_reservations (
  order_id UUID PRIMARY KEY,
  status VARCHAR(20) NOT NULL,
  -- [{productId, variantId, quantity, name, unitPrice}] as reserved: what a release puts back.
  lines JSONB NOT NULL DEFAULT '[]',
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  released_at TIMESTAMPTZ,
  CONSTRAINT stock_reservations_status CHECK (status IN ('RESERVED', 'RELEASED'))
);
