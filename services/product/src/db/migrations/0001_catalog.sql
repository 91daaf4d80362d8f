-- The catalog. `products` has exactly the seed's columns and types; variants, specifications and
-- images hang off it. Stock and price can never go negative, whatever the application does.

CREATE FUNCTION set_updated_at() RETURNS trigger AS $$
BEGIN
  NEW.updated_at := CURRENT_TIMESTAMP;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TABLE categories (
  id UUID PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  slug VARCHAR(255) NOT NULL UNIQUE,
  description TEXT,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE products (
  id UUID PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  description TEXT,
  price DECIMAL(10,2) NOT NULL,
  stock INT NOT NULL,
  category_id UUID REFERENCES categories(id),
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT products_price_not_negative CHECK (price >= 0),
  CONSTRAINT products_stock_not_negative CHECK (stock >= 0)
);

-- A variant sells at its own price when it has one, else at the product's. When a product has
-- variants, its `stock` is the sum of theirs, kept so by the repository in the same transaction.
CREATE TABLE product_variants (
  id UUID PRIMARY KEY,
  product_id UUID NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  name VARCHAR(255) NOT NULL,
  sku VARCHAR(64) UNIQUE,
  price DECIMAL(10,2),
  stock INT NOT NULL DEFAULT 0,
  options JSONB NOT NULL DEFAULT '{}',
  position INT NOT NULL DEFAULT 0,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT product_variants_price_not_negative CHECK (price >= 0),
  CONSTRAINT product_variants_stock_not_negative CHECK (stock >= 0)
);

CREATE TABLE product_specifications (
  product_id UUID NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  name VARCHAR(100) NOT NULL,
  value VARCHAR(1000) NOT NULL,
  position INT NOT NULL DEFAULT 0,
  PRIMARY KEY (product_id, name)
);

CREATE TABLE product_images (
  product_id UUID NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  position INT NOT NULL,
  url VARCHAR(2048) NOT NULL,
  PRIMARY KEY (product_id, position)
);

CREATE TRIGGER categories_updated_at BEFORE UPDATE ON categories FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER products_updated_at BEFORE UPDATE ON products FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER product_variants_updated_at BEFORE UPDATE ON product_variants FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- One index per filter and sort of GET /api/products; `id` breaks ties so pages never overlap.
CREATE INDEX products_category ON products (category_id, created_at DESC, id DESC);
CREATE INDEX products_newest ON products (created_at DESC, id DESC);
CREATE INDEX products_price ON products (price, id);
CREATE INDEX products_name ON products (name, id);
CREATE INDEX products_in_stock ON products (created_at DESC, id DESC) WHERE stock > 0;
CREATE INDEX products_search ON products USING gin (to_tsvector('simple', name || ' ' || coalesce(description, '')));
CREATE INDEX product_variants_product ON product_variants (product_id, position);
