-- The last step of placing an order in one round trip (see the Product service's reserve_stock for
-- why round trips are what an order costs): end the pending placement, write the order, its items
-- and its ORDER_CREATED event, all or nothing. Returns false, writing nothing, when the placement
-- is no longer pending (the sweeper has taken it and is releasing its stock).
CREATE FUNCTION record_order(
  p_order_id UUID, p_user_id UUID, p_status TEXT, p_total NUMERIC, p_created_at TEXT,
  p_products UUID[], p_variants UUID[], p_names TEXT[], p_prices NUMERIC[], p_quantities INT[],
  p_event_id UUID, p_event_type TEXT, p_event_version INT, p_routing_key TEXT, p_payload JSONB
) RETURNS BOOLEAN AS $$
DECLARE
  v_created TIMESTAMP := (p_created_at::timestamptz AT TIME ZONE 'UTC');
BEGIN
  DELETE FROM pending_orders WHERE order_id = p_order_id;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  INSERT INTO orders (id, user_id, status, total, created_at, updated_at)
  VALUES (p_order_id, p_user_id, p_status, p_total, v_created, v_created);
  INSERT INTO order_items (order_id, position, product_id, variant_id, name, unit_price, quantity)
  SELECT p_order_id, n, product_id, variant_id, name, unit_price, quantity
    FROM unnest(p_products, p_variants, p_names, p_prices, p_quantities) WITH ORDINALITY AS l(product_id, variant_id, name, unit_price, quantity, n);
  INSERT INTO outbox (id, type, version, routing_key, payload)
  VALUES (p_event_id, p_event_type, p_event_version, p_routing_key, p_payload);
  RETURN true;
END;
$$ LANGUAGE plpgsql SET search_path FROM CURRENT;
