-- Returns of order lines (issue 20). A return is written `pending` (under the order's row lock, so
-- two returns of the last unit cannot both pass the check), then refunded and restocked, then
-- `completed`. A pending return still counts against what is left to return; one whose refund is
-- refused is deleted. `lines` are [{productId, variantId, quantity, amount}]. The Idempotency-Key
-- is unique per order: a retry finds the first return and finishes it rather than making another.
CREATE TABLE order_returns (
  id UUID PRIMARY KEY,
  order_id UUID NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  lines JSONB NOT NULL,
  amount DECIMAL(10,2) NOT NULL,
  reason VARCHAR(500) NOT NULL,
  -- An admin of the User service (another database): a reference by id.
  created_by UUID NOT NULL,
  refund_id UUID,
  status VARCHAR(20) NOT NULL DEFAULT 'pending',
  idempotency_key VARCHAR(255),
  request_hash CHAR(64),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT order_returns_status CHECK (status IN ('pending', 'completed')),
  CONSTRAINT order_returns_amount_not_negative CHECK (amount >= 0)
);
CREATE INDEX order_returns_by_order ON order_returns (order_id, created_at);
CREATE UNIQUE INDEX order_returns_idempotency_key ON order_returns (order_id, idempotency_key);
CREATE INDEX order_returns_pending ON order_returns (created_at) WHERE status = 'pending';
