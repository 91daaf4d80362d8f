-- The breakdown ORDER_CREATED carries since checkout (issue 20), and the refunds PAYMENT_REFUNDED
-- announces. Orders recorded before hold no breakdown: they had no discount, shipping or tax, so
-- their subtotal is their total (what the consumer does with an event that lacks the fields, and
-- what a replay gives). Nullable like `total`: a status change can create the row before its order.
ALTER TABLE order_facts
  ADD COLUMN subtotal DECIMAL(12,2),
  ADD COLUMN discount_total DECIMAL(12,2),
  ADD COLUMN shipping_total DECIMAL(12,2),
  ADD COLUMN tax_total DECIMAL(12,2),
  ADD COLUMN prices_include_tax BOOLEAN,
  ADD COLUMN currency CHAR(3);
UPDATE order_facts
   SET subtotal = total, discount_total = 0, shipping_total = 0, tax_total = 0, prices_include_tax = false
 WHERE placed_at IS NOT NULL;

-- One row per refund id: a refund announced twice (a redelivery, or under two event ids) counts once.
-- No reference to order_facts: a refund may arrive before its order's ORDER_CREATED.
CREATE TABLE refund_facts (
  refund_id UUID PRIMARY KEY,
  order_id UUID NOT NULL,
  payment_id UUID NOT NULL,
  amount DECIMAL(12,2) NOT NULL CHECK (amount >= 0),
  currency CHAR(3) NOT NULL,
  refunded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX refund_facts_order ON refund_facts (order_id);
