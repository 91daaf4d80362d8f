-- Stock moves with every order (three products per order, hundreds of orders a second), and each
-- move cost about a millisecond of database CPU per product. Three causes, three fixes:
-- - the product document was rebuilt by a SQL function with a SET clause, which PostgreSQL parses
--   and plans again on every call, once per changed row. Now one PL/pgSQL call per statement (a
--   statement trigger with the changed rows as a transition table) rebuilds them all, and keeps its
--   plan for the session.
-- - PL/pgSQL re-plans a statement for each call while a plan for the given values looks cheaper
--   than a generic one, which for array parameters it always does: the functions on the order path
--   use the generic plan, planned once per session.
-- - the partial index on `stock > 0` made every stock update touch an indexed column, so no update
--   could be HOT: each one inserted into every index, re-deriving the search terms of name and
--   description for the GIN index. The in-stock filter reads the newest-first index and checks
--   stock on the row instead; free space left on each page keeps an updated row on its page.

CREATE FUNCTION refresh_product_documents(pids UUID[]) RETURNS void AS $$
BEGIN
  INSERT INTO product_documents (product_id, body)
  SELECT p.id, json_build_object(
    'id', p.id, 'name', p.name, 'description', p.description, 'price', p.price, 'stock', p.stock,
    'category', CASE WHEN c.id IS NULL THEN NULL ELSE json_build_object('id', c.id, 'name', c.name, 'slug', c.slug) END,
    'specifications', COALESCE((SELECT json_object_agg(s.name, s.value ORDER BY s.position, s.name)
                                  FROM product_specifications s WHERE s.product_id = p.id), '{}'),
    'variants', COALESCE((SELECT json_agg(json_build_object('id', v.id, 'name', v.name, 'sku', v.sku, 'price', v.price, 'stock', v.stock, 'options', v.options) ORDER BY v.position, v.id)
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

CREATE FUNCTION products_changed() RETURNS trigger AS $$
BEGIN
  PERFORM refresh_product_documents(ARRAY(SELECT id FROM changed_products));
  RETURN NULL;
END;
$$ LANGUAGE plpgsql SET search_path FROM CURRENT;

CREATE OR REPLACE FUNCTION product_part_changed() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM refresh_product_documents(ARRAY[OLD.product_id]);
  ELSE
    PERFORM refresh_product_documents(ARRAY[NEW.product_id]);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql SET search_path FROM CURRENT;

CREATE OR REPLACE FUNCTION category_changed() RETURNS trigger AS $$
BEGIN
  PERFORM refresh_product_documents(ARRAY(SELECT p.id FROM products p WHERE p.category_id = NEW.id));
  RETURN NULL;
END;
$$ LANGUAGE plpgsql SET search_path FROM CURRENT;

DROP TRIGGER products_document ON products;
DROP FUNCTION product_changed();
DROP FUNCTION refresh_product_document(UUID);
-- A transition table needs one trigger per event.
CREATE TRIGGER products_inserted_document AFTER INSERT ON products
  REFERENCING NEW TABLE AS changed_products FOR EACH STATEMENT EXECUTE FUNCTION products_changed();
CREATE TRIGGER products_updated_document AFTER UPDATE ON products
  REFERENCING NEW TABLE AS changed_products FOR EACH STATEMENT EXECUTE FUNCTION products_changed();

ALTER FUNCTION reserve_stock(UUID, UUID[], UUID[], INT[], TEXT, INT, TEXT, TEXT) SET plan_cache_mode = force_generic_plan;

DROP INDEX products_in_stock;
ALTER TABLE products SET (fillfactor = 80);
ALTER TABLE product_variants SET (fillfactor = 80);
ALTER TABLE product_documents SET (fillfactor = 80);
