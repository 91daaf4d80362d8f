-- Products and variants get a weight, for shipping rates by weight (issue 20): whole grams, from 0
-- to 1,000,000 (a tonne, far above anything a parcel carrier takes; beyond it is a typo). A
-- product's weight defaults to 0, so a catalog written before this migration reads 0 until an
-- admin says otherwise; a variant's null weight means the product's, as its null price does.

ALTER TABLE products
  ADD COLUMN weight_grams INT NOT NULL DEFAULT 0 CONSTRAINT products_weight_grams_range CHECK (weight_grams BETWEEN 0 AND 1000000);
ALTER TABLE product_variants
  ADD COLUMN weight_grams INT NULL CONSTRAINT product_variants_weight_grams_range CHECK (weight_grams BETWEEN 0 AND 1000000);

-- The document as in 0005, with `weightGrams` on the product and on each variant (null there when
-- the variant weighs what its product does, as the API says).
CREATE OR REPLACE FUNCTION refresh_product_documents(pids UUID[]) RETURNS void AS $$
BEGIN
  INSERT INTO product_documents (product_id, body)
  SELECT p.id, json_build_object(
    'id', p.id, 'name', p.name, 'description', p.description, 'price', p.price, 'stock', p.stock, 'weightGrams', p.weight_grams,
    'category', CASE WHEN c.id IS NULL THEN NULL ELSE json_build_object('id', c.id, 'name', c.name, 'slug', c.slug) END,
    'specifications', COALESCE((SELECT json_object_agg(s.name, s.value ORDER BY s.position, s.name)
                                  FROM product_specifications s WHERE s.product_id = p.id), '{}'),
    'variants', COALESCE((SELECT json_agg(json_build_object('id', v.id, 'name', v.name, 'sku', v.sku, 'price', v.price, 'stock', v.stock,
                                                            'weightGrams', v.weight_grams, 'options', v.options) ORDER BY v.position, v.id)
                            FROM product_variants v WHERE v.product_id = p.id), '[]'),
    'images', COALESCE((SELECT json_agg(i.url ORDER BY i.position) FROM product_images i WHERE i.product_id = p.id), '[]'),
    'createdAt', to_char(p.created_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'updatedAt', to_char(p.updated_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text
  FROM products p LEFT JOIN categories c ON c.id = p.category_id
  WHERE p.id = ANY(pids)
  ORDER BY p.id
  ON CONFLICT (product_id) DO UPDATE SET body = EXCLUDED.body;
END;
$$ LANGUAGE plpgsql SET search_path FROM CURRENT SET plan_cache_mode = force_generic_plan;

-- Every stored document gains the field now, in this transaction: readers never see a product
-- without it. Documents only; the products' rows (and their updated_at) are not touched.
SELECT refresh_product_documents(ARRAY(SELECT id FROM products));

-- `reserve_stock` as in 0006, each reserved line also carrying the weight it ships at: the
-- variant's own, else its product's. The Order service prices shipping by weight from these lines,
-- as it prices goods from their unit price, so both are read under the same row lock. Reservations
-- recorded before this migration keep their lines without it.
CREATE OR REPLACE FUNCTION reserve_stock(
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
           COALESCE(v.weight_grams, p.weight_grams) AS weight_grams,
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
      'unitPrice', unit_price, 'weightGrams', weight_grams) ORDER BY n),
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
