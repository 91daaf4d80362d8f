-- Every product has a category (the seed's GraphQL `category: Category!`). A product without one of
-- its own is in the default category, which always exists: its id is fixed (`defaultCategoryId` in
-- @dema/contracts) so code, other installs and this migration agree on it without a lookup. The
-- Catalog refuses to delete it; an admin may rename it.
--
-- An install whose own category already took the slug `uncategorized` keeps it; the default one
-- then gets `uncategorized-default` instead of failing the migration.
INSERT INTO categories (id, name, slug, description)
SELECT 'b273cadf-82de-480d-b904-2b12a4bdc9e8', 'Uncategorized',
       CASE WHEN EXISTS (SELECT 1 FROM categories WHERE slug = 'uncategorized') THEN 'uncategorized-default' ELSE 'uncategorized' END,
       'Products not filed under a category of their own.'
ON CONFLICT (id) DO NOTHING;

-- The move fires the products' update triggers: their stored documents now embed the default
-- category, in this same transaction.
UPDATE products SET category_id = 'b273cadf-82de-480d-b904-2b12a4bdc9e8' WHERE category_id IS NULL;

-- The default also covers a writer that names no category; the foreign key (no cascade) keeps a
-- category with products from being deleted underneath them.
ALTER TABLE products
  ALTER COLUMN category_id SET DEFAULT 'b273cadf-82de-480d-b904-2b12a4bdc9e8',
  ALTER COLUMN category_id SET NOT NULL;
