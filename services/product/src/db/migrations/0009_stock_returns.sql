-- Units of an order given back by a return (issue 20: returns refund and restock in one step). One
-- row per return id makes restocking a return idempotent; the lines are what was put back. A release
-- of the order's reservation (cancelled, RETURNED) puts back what was reserved minus what these rows
-- returned, so no unit is restocked twice. `restocked` is false for a return recorded after the
-- reservation was already released: the release put its units back then.
CREATE TABLE stock_returns (
  return_id UUID PRIMARY KEY,
  order_id UUID NOT NULL,
  -- [{productId, variantId, quantity}], merged: one per product and variant.
  lines JSONB NOT NULL,
  restocked BOOLEAN NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX stock_returns_by_order ON stock_returns (order_id);
