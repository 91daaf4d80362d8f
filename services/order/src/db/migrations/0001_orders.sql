-- Orders. `orders` has exactly the seed's columns and types; `user_id` is the id of a user of the
-- User service, whose table lives in another database, so it is a reference by id rather than a
-- foreign key (services never share tables). Items keep a snapshot of what was bought at what price.

CREATE FUNCTION set_updated_at() RETURNS trigger AS $$
BEGIN
  NEW.updated_at := CURRENT_TIMESTAMP;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TABLE orders (
  id UUID PRIMARY KEY,
  user_id UUID,
  status VARCHAR(50) NOT NULL,
  total DECIMAL(10,2) NOT NULL,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT orders_status_known CHECK (status IN ('PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'RETURNED')),
  CONSTRAINT orders_total_not_negative CHECK (total >= 0)
);
CREATE INDEX orders_by_user ON orders (user_id, created_at DESC, id);
CREATE INDEX orders_by_date ON orders (created_at DESC, id);
CREATE TRIGGER orders_updated_at BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE order_items (
  order_id UUID NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  position INT NOT NULL,
  product_id UUID NOT NULL,
  variant_id UUID,
  name VARCHAR(600) NOT NULL,
  unit_price DECIMAL(10,2) NOT NULL,
  quantity INT NOT NULL,
  PRIMARY KEY (order_id, position),
  CONSTRAINT order_items_quantity_positive CHECK (quantity > 0),
  CONSTRAINT order_items_price_not_negative CHECK (unit_price >= 0)
);

-- `Idempotency-Key` of POST /api/orders, per user: the primary key is what makes concurrent
-- duplicates collapse into one order (no read-then-insert race).
CREATE TABLE idempotency_keys (
  user_id UUID NOT NULL,
  key VARCHAR(255) NOT NULL,
  request_hash CHAR(64) NOT NULL,
  order_id UUID NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_by_order ON idempotency_keys (order_id);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

-- The saga log of order placement: a row from before stock is reserved until the order is written
-- (same transaction) or the reservation released. A row left behind by a crash is found by the
-- sweeper, which releases the stock, so nothing stays reserved for an order that does not exist.
CREATE TABLE pending_orders (
  order_id UUID PRIMARY KEY,
  user_id UUID NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX pending_orders_by_age ON pending_orders (created_at);
