-- The sweeper used to take a stale placement by deleting its pending row, and released the stock
-- after that commit: a sweeper that died in between left stock reserved for an order that would
-- never exist, with nothing left to say so. Now it takes the placement by leasing the row
-- (swept_until), releases the stock, and only then deletes the row. A sweeper that dies in between
-- leaves the row leased; once the lease has run out another sweep takes it over and finishes
-- (release is idempotent by order id). A leased placement is never recorded as an order, even after
-- its lease has run out: its stock may already be back on the shelf.
ALTER TABLE pending_orders ADD COLUMN swept_until TIMESTAMPTZ;

CREATE OR REPLACE FUNCTION record_order(
  p_order_id UUID, p_user_id UUID, p_status TEXT, p_total NUMERIC, p_created_at TEXT,
  p_products UUID[], p_variants UUID[], p_names TEXT[], p_prices NUMERIC[], p_quantities INT[],
  p_event_id UUID, p_event_type TEXT, p_event_version INT, p_routing_key TEXT, p_payload JSONB
) RETURNS BOOLEAN AS $$
DECLARE
  v_created TIMESTAMP := (p_created_at::timestamptz AT TIME ZONE 'UTC');
BEGIN
  DELETE FROM pending_orders WHERE order_id = p_order_id AND swept_until IS NULL;
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
-- CREATE OR REPLACE resets the settings of 0003: state them again.
$$ LANGUAGE plpgsql SET search_path FROM CURRENT SET plan_cache_mode = force_generic_plan;
