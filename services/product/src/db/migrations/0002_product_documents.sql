-- The catalog's read model: each product as the API's JSON, kept current by triggers in the same
-- transaction as any change to the product, its variants, specifications, images or category. A
-- page of products is then a string concatenation of stored documents instead of a dozen
-- sub-selects and JSON building per row: the list is what shoppers read most.

CREATE TABLE product_documents (
  product_id UUID PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,
  body TEXT NOT NULL
);

CREATE FUNCTION refresh_product_document(pid UUID) RETURNS void AS $$
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
  WHERE p.id = pid
  ON CONFLICT (product_id) DO UPDATE SET body = EXCLUDED.body;
$$ LANGUAGE sql SET search_path FROM CURRENT;

CREATE FUNCTION product_changed() RETURNS trigger AS $$
BEGIN
  PERFORM refresh_product_document(NEW.id);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql SET search_path FROM CURRENT;

CREATE FUNCTION product_part_changed() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM refresh_product_document(OLD.product_id);
  ELSE
    PERFORM refresh_product_document(NEW.product_id);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql SET search_path FROM CURRENT;

CREATE FUNCTION category_changed() RETURNS trigger AS $$
BEGIN
  PERFORM refresh_product_document(p.id) FROM products p WHERE p.category_id = NEW.id;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql SET search_path FROM CURRENT;

CREATE TRIGGER products_document AFTER INSERT OR UPDATE ON products FOR EACH ROW EXECUTE FUNCTION product_changed();
CREATE TRIGGER product_variants_document AFTER INSERT OR UPDATE OR DELETE ON product_variants FOR EACH ROW EXECUTE FUNCTION product_part_changed();
CREATE TRIGGER product_specifications_document AFTER INSERT OR UPDATE OR DELETE ON product_specifications FOR EACH ROW EXECUTE FUNCTION product_part_changed();
CREATE TRIGGER product_images_document AFTER INSERT OR UPDATE OR DELETE ON product_images FOR EACH ROW EXECUTE FUNCTION product_part_changed();
CREATE TRIGGER categories_document AFTER UPDATE ON categories FOR EACH ROW EXECUTE FUNCTION category_changed();

SELECT refresh_product_document(id) FROM products;
