-- STOCK_UPDATED events are dated by the database's clock while the product's row lock is held.
-- `reserve_stock` used to take the time the caller sent, read before it waited for the lock: an
-- order that queued behind an admin's stock change was dated before it, so in timestamp order the
-- trail broke (ORDER 9→6 before MANUAL 8→9) and Analytics, which keeps the latest event's stock,
-- could keep a stale one. Every stock event of the Product service now reads this one clock after
-- taking the lock, so a product's events are dated in the order its changes were made.

-- The instant as the events carry it: ISO 8601 in UTC with milliseconds, like Date#toISOString.
CREATE FUNCTION stock_event_time() RETURNS TEXT AS $$
  SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
$$ LANGUAGE sql VOLATILE;

DROP FUNCTION reserve_stock(UUID, UUID[], UUID[], INT[], TEXT, INT, TEXT, TEXT);

CREATE FUNCTION reserve_stock(
  p_order_id UUID, p_products UUID[], p_variants UUID[], p_quantities INT[],
  p_event_type TEXT, p_event_version INT, p_routing_key TEXT
) RETURNS JSONB AS $$
DECLARE
  existing RECORD;
  v_lines JSONB;
  v_problems JSONB;
  v_timestamp TEXT;
BEGIN
  SELECT status, lines INTO existing FROM stock_reservations WHERE order_id = p_order_id;
  IF FOUND THEN
    IF existing.status = 'RESERVED' THEN
      RETURN jsonb_build_object('status', 'replayed', 'lines', existing.lines);
    END IF;
    RETURN jsonb_build_object('status', 'released');
  END IF;

  -- Every stock change takes the product row lock first, in id order: orders over the same products
  -- queue instead of deadlocking, and a variant's stock only moves under its product's lock.
  PERFORM 1 FROM products WHERE id = ANY(p_products) ORDER BY id FOR UPDATE;
  v_timestamp := stock_event_time();

  WITH l AS (
    SELECT * FROM unnest(p_products, p_variants, p_quantities) WITH ORDINALITY AS l(product_id, variant_id, quantity, n)
  ), checked AS (
    SELECT l.n, l.product_id, l.variant_id, l.quantity, p.name AS product_name, v.name AS variant_name,
           COALESCE(v.stock, p.stock) AS available,
           COALESCE(v.price, p.price)::text AS unit_price,
           CASE
             WHEN p.id IS NULL THEN 'unknown-product'
             WHEN l.variant_id IS NOT NULL AND v.id IS NULL THEN 'foreign-variant'
             WHEN l.variant_id IS NULL AND EXISTS (SELECT 1 FROM product_variants pv WHERE pv.product_id = p.id) THEN 'variant-required'
             WHEN COALESCE(v.stock, p.stock) < l.quantity THEN 'short'
           END AS problem
      FROM l
      LEFT JOIN products p ON p.id = l.product_id
      LEFT JOIN product_variants v ON v.id = l.variant_id AND v.product_id = l.product_id
  )
  SELECT
    jsonb_agg(jsonb_build_object(
      'productId', product_id, 'variantId', variant_id, 'quantity', quantity,
      'name', CASE WHEN variant_name IS NULL THEN product_name ELSE product_name || ' (' || variant_name || ')' END,
      'unitPrice', unit_price) ORDER BY n),
    jsonb_agg(jsonb_build_object(
      'n', n, 'problem', problem, 'productId', product_id, 'productName', product_name,
      'variantName', variant_name, 'quantity', quantity, 'available', available) ORDER BY n) FILTER (WHERE problem IS NOT NULL)
  INTO v_lines, v_problems
  FROM checked;

  IF v_problems IS NOT NULL THEN
    RETURN jsonb_build_object('status', 'refused', 'problems', v_problems);
  END IF;

  UPDATE product_variants v SET stock = v.stock - l.quantity
    FROM unnest(p_variants, p_quantities) AS l(variant_id, quantity)
   WHERE v.id = l.variant_id;

  WITH deltas AS (
    SELECT product_id, sum(quantity)::int AS quantity FROM unnest(p_products, p_quantities) AS l(product_id, quantity) GROUP BY product_id
  ), changed AS (
    UPDATE products p SET stock = p.stock - d.quantity FROM deltas d
     WHERE p.id = d.product_id RETURNING p.id, p.stock + d.quantity AS old_stock, p.stock AS new_stock
  )
  INSERT INTO outbox (id, type, version, routing_key, payload)
  SELECT gen_random_uuid(), p_event_type, p_event_version, p_routing_key,
         jsonb_build_object('productId', id, 'oldStock', old_stock, 'newStock', new_stock, 'reason', 'ORDER', 'timestamp', v_timestamp)
    FROM changed ORDER BY id;

  INSERT INTO stock_reservations (order_id, status, lines) VALUES (p_order_id, 'RESERVED', v_lines);
  RETURN jsonb_build_object('status', 'reserved', 'lines', v_lines);
END;
$$ LANGUAGE plpgsql SET search_path FROM CURRENT SET plan_cache_mode = force_generic_plan;
