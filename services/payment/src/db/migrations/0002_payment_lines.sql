-- The lines of the order a payment is for ([{productId, variantId, quantity}]), as the Order service
-- placed it: the order's items live in the Order service's database, and a refund's lines are
-- checked against these under the payment's lock, beside the refunds' own lines, with no call to
-- it. NULL for a payment opened before they were sent: its refunds' lines are not checked.
ALTER TABLE payments ADD COLUMN lines JSONB;
