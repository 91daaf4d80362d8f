-- An order keeps what it was charged, not only its total: the subtotal, the discount, shipping and
-- tax (each an exact DECIMAL), the tax lines, where it ships and bills to, the shipping method and
-- the promotion, as they were at checkout. The seed's columns stay as they are; `total` is still
-- what the customer pays. Orders placed before this migration read subtotal = total and zeros.
ALTER TABLE orders
  ADD COLUMN subtotal DECIMAL(10,2),
  ADD COLUMN discount_total DECIMAL(10,2) NOT NULL DEFAULT 0,
  ADD COLUMN shipping_total DECIMAL(10,2) NOT NULL DEFAULT 0,
  ADD COLUMN tax_total DECIMAL(10,2) NOT NULL DEFAULT 0,
  ADD COLUMN prices_include_tax BOOLEAN NOT NULL DEFAULT false,
  ADD COLUMN currency CHAR(3) NOT NULL DEFAULT 'USD',
  ADD COLUMN shipping_address JSONB,
  ADD COLUMN billing_address JSONB,
  -- {id, name} of the method charged: a method renamed or deleted later does not change the order.
  ADD COLUMN shipping_method JSONB,
  -- {id, code} of the promotion applied.
  ADD COLUMN promotion JSONB,
  ADD CONSTRAINT orders_breakdown_not_negative CHECK (discount_total >= 0 AND shipping_total >= 0 AND tax_total >= 0);

ALTER TABLE order_items
  ADD COLUMN discount DECIMAL(10,2) NOT NULL DEFAULT 0,
  ADD COLUMN tax DECIMAL(10,2) NOT NULL DEFAULT 0,
  ADD COLUMN weight_grams INT NOT NULL DEFAULT 0;

-- The tax an order was charged, line by line as the receipt shows it (one for the items, one for
-- shipping when its zone taxes it).
CREATE TABLE order_tax_lines (
  order_id UUID NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  position INT NOT NULL,
  name VARCHAR(200) NOT NULL,
  rate NUMERIC(6,3) NOT NULL,
  amount DECIMAL(10,2) NOT NULL,
  applies_to VARCHAR(20) NOT NULL CHECK (applies_to IN ('items', 'shipping')),
  PRIMARY KEY (order_id, position)
);

-- The last step of placing an order, as record_order was, for the order with its checkout: in one
-- statement it takes the promotion's use (if any), ends the pending placement, and writes the
-- order, its items, its tax lines and its ORDER_CREATED event; all or nothing.
--
-- A promotion's uses are its rows in promotion_redemptions. A code with a limit has its row locked
-- before they are counted, so concurrent checkouts with it queue there and the limits hold exactly:
-- 100 shoppers racing for a code with 10 uses get 10 orders. A code without limits takes no lock,
-- so a store-wide code on every order does not make all orders wait on one row.
--
-- Returns 'recorded'; 'not-pending' (the sweeper has taken the placement); 'promotion-gone',
-- 'promotion-exhausted' or 'promotion-customer-limit' with nothing written (the caller releases
-- the stock and says why).
CREATE FUNCTION record_checkout_order(
  p_order JSONB, p_event_id UUID, p_event_type TEXT, p_event_version INT, p_routing_key TEXT, p_payload JSONB
) RETURNS TEXT AS $$
DECLARE
  v_order_id UUID := (p_order->>'id')::uuid;
  v_user_id UUID := (p_order->>'userId')::uuid;
  v_created TIMESTAMP := ((p_order->>'createdAt')::timestamptz AT TIME ZONE 'UTC');
  v_promotion_id UUID := (p_order->'promotion'->>'id')::uuid;
  v_promotion RECORD;
BEGIN
  IF v_promotion_id IS NOT NULL THEN
    SELECT usage_limit, per_customer_limit INTO v_promotion FROM promotions WHERE id = v_promotion_id;
    IF NOT FOUND THEN
      RETURN 'promotion-gone';
    END IF;
    IF v_promotion.usage_limit IS NOT NULL OR v_promotion.per_customer_limit IS NOT NULL THEN
      PERFORM 1 FROM promotions WHERE id = v_promotion_id FOR UPDATE;
      IF v_promotion.usage_limit IS NOT NULL
         AND (SELECT count(*) FROM promotion_redemptions WHERE promotion_id = v_promotion_id) >= v_promotion.usage_limit THEN
        RETURN 'promotion-exhausted';
      END IF;
      IF v_promotion.per_customer_limit IS NOT NULL
         AND (SELECT count(*) FROM promotion_redemptions WHERE promotion_id = v_promotion_id AND user_id = v_user_id) >= v_promotion.per_customer_limit THEN
        RETURN 'promotion-customer-limit';
      END IF;
    END IF;
  END IF;

  DELETE FROM pending_orders WHERE order_id = v_order_id AND swept_until IS NULL;
  IF NOT FOUND THEN
    RETURN 'not-pending';
  END IF;

  IF v_promotion_id IS NOT NULL THEN
    INSERT INTO promotion_redemptions (promotion_id, user_id, order_id) VALUES (v_promotion_id, v_user_id, v_order_id);
  END IF;

  INSERT INTO orders (id, user_id, status, total, created_at, updated_at, subtotal, discount_total, shipping_total, tax_total,
                      prices_include_tax, currency, shipping_address, billing_address, shipping_method, promotion)
  VALUES (v_order_id, v_user_id, p_order->>'status', (p_order->>'total')::numeric, v_created, v_created,
          (p_order->>'subtotal')::numeric, (p_order->>'discountTotal')::numeric, (p_order->>'shippingTotal')::numeric,
          (p_order->>'taxTotal')::numeric, (p_order->>'pricesIncludeTax')::boolean, p_order->>'currency',
          NULLIF(p_order->'shippingAddress', 'null'), NULLIF(p_order->'billingAddress', 'null'),
          NULLIF(p_order->'shippingMethod', 'null'), NULLIF(p_order->'promotion', 'null'));
  INSERT INTO order_items (order_id, position, product_id, variant_id, name, unit_price, quantity, discount, tax, weight_grams)
  SELECT v_order_id, n, (i->>'productId')::uuid, (i->>'variantId')::uuid, i->>'name', (i->>'unitPrice')::numeric,
         (i->>'quantity')::int, (i->>'discount')::numeric, (i->>'tax')::numeric, (i->>'weightGrams')::int
    FROM jsonb_array_elements(p_order->'items') WITH ORDINALITY AS l(i, n);
  INSERT INTO order_tax_lines (order_id, position, name, rate, amount, applies_to)
  SELECT v_order_id, n, t->>'name', (t->>'rate')::numeric, (t->>'amount')::numeric, t->>'appliesTo'
    FROM jsonb_array_elements(p_order->'taxLines') WITH ORDINALITY AS l(t, n);
  INSERT INTO outbox (id, type, version, routing_key, payload)
  VALUES (p_event_id, p_event_type, p_event_version, p_routing_key, p_payload);
  RETURN 'recorded';
END;
$$ LANGUAGE plpgsql SET search_path FROM CURRENT SET plan_cache_mode = force_generic_plan;

-- Every placement records through record_checkout_order now.
DROP FUNCTION record_order(UUID, UUID, TEXT, NUMERIC, TEXT, UUID[], UUID[], TEXT[], NUMERIC[], INT[], UUID, TEXT, INT, TEXT, JSONB);
