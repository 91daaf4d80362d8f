-- A version of the checkout configuration that placements apply (settings, shipping zones and
-- methods, tax rates), so that each Order-service instance may keep it in memory: every statement
-- that changes one of those tables bumps the version in the same transaction, and a placement reads
-- the version (with its promotion row, in one query) and reloads only when it moved. Several
-- instances stay right without a bus: a change made through one is seen by the others at their next
-- placement. Promotions are not in it: their row is read with every placement anyway (its uses count).

-- Exactly one row (the primary key can only be true).
CREATE TABLE checkout_configuration_version (
  id BOOLEAN PRIMARY KEY DEFAULT true,
  version BIGINT NOT NULL DEFAULT 1,
  CONSTRAINT checkout_configuration_version_one_row CHECK (id)
);
INSERT INTO checkout_configuration_version DEFAULT VALUES;

CREATE FUNCTION bump_checkout_configuration_version() RETURNS trigger AS $$
BEGIN
  UPDATE checkout_configuration_version SET version = version + 1;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql SET search_path FROM CURRENT;

-- Per statement, not per row: a change of many rows is one bump (and one row lock on the version).
CREATE TRIGGER shipping_zones_bump_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON shipping_zones
  FOR EACH STATEMENT EXECUTE FUNCTION bump_checkout_configuration_version();
CREATE TRIGGER shipping_methods_bump_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON shipping_methods
  FOR EACH STATEMENT EXECUTE FUNCTION bump_checkout_configuration_version();
CREATE TRIGGER tax_rates_bump_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tax_rates
  FOR EACH STATEMENT EXECUTE FUNCTION bump_checkout_configuration_version();
CREATE TRIGGER checkout_settings_bump_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON checkout_settings
  FOR EACH STATEMENT EXECUTE FUNCTION bump_checkout_configuration_version();
