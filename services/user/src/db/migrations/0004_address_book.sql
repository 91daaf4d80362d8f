-- A customer's address book: the addresses they ship and bill to, kept for the next checkout. The
-- address itself is stored as the checkout takes it (normalised JSON: country and region upper
-- case, postal code in its country's form), so choosing a saved one sends exactly what was checked.
-- At most one default shipping and one default billing address per customer (partial unique indexes).
CREATE TABLE saved_addresses (
  id UUID PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  label VARCHAR(50),
  address JSONB NOT NULL,
  default_shipping BOOLEAN NOT NULL DEFAULT false,
  default_billing BOOLEAN NOT NULL DEFAULT false,
  created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX saved_addresses_by_user ON saved_addresses (user_id, created_at, id);
CREATE UNIQUE INDEX saved_addresses_one_default_shipping ON saved_addresses (user_id) WHERE default_shipping;
CREATE UNIQUE INDEX saved_addresses_one_default_billing ON saved_addresses (user_id) WHERE default_billing;
CREATE TRIGGER saved_addresses_updated_at BEFORE UPDATE ON saved_addresses FOR EACH ROW EXECUTE FUNCTION set_updated_at();
