-- The version moves only when a row of the configuration did: per statement, a DELETE or UPDATE
-- that matched nothing (an admin's refused change, a 404) bumped it too, a write where there was
-- none. Per row a bulk change bumps several times, in the same transaction and row lock, which
-- costs nothing that matters for tables an admin edits by hand. TRUNCATE has no rows: it stays per
-- statement.
DROP TRIGGER shipping_zones_bump_version ON shipping_zones;
DROP TRIGGER shipping_methods_bump_version ON shipping_methods;
DROP TRIGGER tax_rates_bump_version ON tax_rates;
DROP TRIGGER checkout_settings_bump_version ON checkout_settings;

CREATE TRIGGER shipping_zones_bump_version AFTER INSERT OR UPDATE OR DELETE ON shipping_zones
  FOR EACH ROW EXECUTE FUNCTION bump_checkout_configuration_version();
CREATE TRIGGER shipping_methods_bump_version AFTER INSERT OR UPDATE OR DELETE ON shipping_methods
  FOR EACH ROW EXECUTE FUNCTION bump_checkout_configuration_version();
CREATE TRIGGER tax_rates_bump_version AFTER INSERT OR UPDATE OR DELETE ON tax_rates
  FOR EACH ROW EXECUTE FUNCTION bump_checkout_configuration_version();
CREATE TRIGGER checkout_settings_bump_version AFTER INSERT OR UPDATE OR DELETE ON checkout_settings
  FOR EACH ROW EXECUTE FUNCTION bump_checkout_configuration_version();

CREATE TRIGGER shipping_zones_truncate_bumps_version AFTER TRUNCATE ON shipping_zones
  FOR EACH STATEMENT EXECUTE FUNCTION bump_checkout_configuration_version();
CREATE TRIGGER shipping_methods_truncate_bumps_version AFTER TRUNCATE ON shipping_methods
  FOR EACH STATEMENT EXECUTE FUNCTION bump_checkout_configuration_version();
CREATE TRIGGER tax_rates_truncate_bumps_version AFTER TRUNCATE ON tax_rates
  FOR EACH STATEMENT EXECUTE FUNCTION bump_checkout_configuration_version();
CREATE TRIGGER checkout_settings_truncate_bumps_version AFTER TRUNCATE ON checkout_settings
  FOR EACH STATEMENT EXECUTE FUNCTION bump_checkout_configuration_version();
