-- The store's checkout configuration (issue 20), managed by admins through the Order service, which
-- applies it to orders: shipping zones and their methods, tax rates, promotion codes and the one row
-- of store settings. Amounts are DECIMAL(10,2) like every price; percentages NUMERIC(6,3) (at most
-- three decimals, 0 to 100), so no rate is ever a binary fraction.

CREATE TABLE shipping_zones (
  id UUID PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  -- ISO 3166-1 alpha-2 codes; at least one.
  countries TEXT[] NOT NULL,
  -- ISO 3166-2 codes with their country prefix ("US-CA"); empty = the listed countries whole.
  regions TEXT[] NOT NULL DEFAULT '{}',
  tax_shipping BOOLEAN NOT NULL DEFAULT false,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT shipping_zones_has_country CHECK (cardinality(countries) > 0)
);

-- A zone's methods go with it (deleting a zone deletes its methods). `rate` is the wire shape of
-- ShippingRate ({"kind":"flat","amount":5}, …): amounts with two decimals are exact as JSON numbers,
-- and the whole rate is read and replaced at once, never queried inside.
CREATE TABLE shipping_methods (
  id UUID PRIMARY KEY,
  zone_id UUID NOT NULL REFERENCES shipping_zones(id) ON DELETE CASCADE,
  name VARCHAR(255) NOT NULL,
  rate JSONB NOT NULL,
  active BOOLEAN NOT NULL DEFAULT true,
  -- Counts up with every method created: they are listed in that order (timestamps can tie).
  created_seq BIGINT GENERATED ALWAYS AS IDENTITY,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT shipping_methods_rate_kind CHECK (rate->>'kind' IN ('flat', 'free_above', 'weight'))
);
CREATE INDEX shipping_methods_by_zone ON shipping_methods (zone_id, created_seq);

-- One rate per country (region NULL) and per region of a country: the unique index treats "no
-- region" as a value, which a plain UNIQUE (country, region) would not (NULLs are all distinct).
CREATE TABLE tax_rates (
  id UUID PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  country CHAR(2) NOT NULL,
  -- ISO 3166-2 subdivision without the country prefix ("CA"), as addresses carry it.
  region VARCHAR(3),
  rate NUMERIC(6,3) NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT tax_rates_rate_percent CHECK (rate >= 0 AND rate <= 100)
);
CREATE UNIQUE INDEX tax_rates_country_region_key ON tax_rates (country, coalesce(region, ''));

-- Codes are stored upper case and unique whatever the case. How often a code was used is the count
-- of its promotion_redemptions, written with each order (see record_checkout_order, which holds the
-- limits under concurrency); no counter here, so a store-wide code does not make every order update
-- one row.
CREATE TABLE promotions (
  id UUID PRIMARY KEY,
  code VARCHAR(50) NOT NULL,
  kind VARCHAR(20) NOT NULL,
  -- The value of a `percentage` promotion; NULL for the other kinds.
  percent NUMERIC(6,3),
  -- The value of a `fixed` promotion; NULL for the other kinds.
  amount DECIMAL(10,2),
  min_subtotal DECIMAL(10,2),
  starts_at TIMESTAMPTZ,
  ends_at TIMESTAMPTZ,
  usage_limit INT,
  per_customer_limit INT,
  active BOOLEAN NOT NULL DEFAULT true,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT promotions_value_matches_kind CHECK (
    (kind = 'percentage' AND percent > 0 AND percent <= 100 AND amount IS NULL)
    OR (kind = 'fixed' AND amount > 0 AND percent IS NULL)
    OR (kind = 'free_shipping' AND percent IS NULL AND amount IS NULL)
  ),
  CONSTRAINT promotions_min_subtotal_positive CHECK (min_subtotal > 0),
  CONSTRAINT promotions_ends_after_start CHECK (ends_at > starts_at),
  CONSTRAINT promotions_limits_positive CHECK (usage_limit > 0 AND per_customer_limit > 0)
);
CREATE UNIQUE INDEX promotions_code_key ON promotions (upper(code));
CREATE INDEX promotions_by_date ON promotions (created_at DESC, id);

-- One row per order that used a promotion, written in the order's transaction: what the
-- per-customer limit counts. `user_id` refers to the User service's users by id (another database).
CREATE TABLE promotion_redemptions (
  order_id UUID PRIMARY KEY,
  promotion_id UUID NOT NULL REFERENCES promotions(id) ON DELETE CASCADE,
  user_id UUID NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX promotion_redemptions_by_customer ON promotion_redemptions (promotion_id, user_id);

-- The store's checkout settings: exactly one row (the primary key can only be true).
CREATE TABLE checkout_settings (
  id BOOLEAN PRIMARY KEY DEFAULT true,
  prices_include_tax BOOLEAN NOT NULL DEFAULT false,
  currency CHAR(3) NOT NULL DEFAULT 'USD',
  payment_timeout_minutes INT NOT NULL DEFAULT 60,
  capture_on VARCHAR(20) NOT NULL DEFAULT 'shipment',
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT checkout_settings_one_row CHECK (id),
  CONSTRAINT checkout_settings_capture_on_known CHECK (capture_on IN ('shipment', 'checkout')),
  CONSTRAINT checkout_settings_timeout_positive CHECK (payment_timeout_minutes > 0)
);
INSERT INTO checkout_settings DEFAULT VALUES;
