-- Issue 20: an order follows its payment. The Payment service owns the payment; the order keeps
-- its provider and the status last reported (by the open at placement, then by PAYMENT_* events),
-- so lists, filters and the unpaid-order timeout read it without asking the Payment service.
-- NULL on orders placed before payments (and on an order with nothing to pay).
ALTER TABLE orders
  ADD COLUMN payment_status VARCHAR(20)
    CHECK (payment_status IN ('unpaid', 'authorized', 'paid', 'partially_refunded', 'refunded', 'failed', 'voided')),
  ADD COLUMN payment_provider VARCHAR(20) CHECK (payment_provider IN ('manual', 'stripe'));

-- record_checkout_order (0006) as it was, writing the payment's provider and status too
-- (p_order's paymentStatus and paymentProvider; JSON null → NULL).
CREATE OR REPLACE FUNCTION record_checkout_order(
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
                      prices_include_tax, currency, shipping_address, billing_address, shipping_method, promotion,
                      payment_status, payment_provider)
  VALUES (v_order_id, v_user_id, p_order->>'status', (p_order->>'total')::numeric, v_created, v_created,
          (p_order->>'subtotal')::numeric, (p_order->>'discountTotal')::numeric, (p_order->>'shippingTotal')::numeric,
          (p_order->>'taxTotal')::numeric, (p_order->>'pricesIncludeTax')::boolean, p_order->>'currency',
          NULLIF(p_order->'shippingAddress', 'null'), NULLIF(p_order->'billingAddress', 'null'),
          NULLIF(p_order->'shippingMethod', 'null'), NULLIF(p_order->'promotion', 'null'),
          p_order->>'paymentStatus', p_order->>'paymentProvider');
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
