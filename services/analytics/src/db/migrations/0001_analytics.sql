-- The Analytics DB: an append-only log of every consumed event (the full history a replay rebuilds
-- from) and fact tables derived from it. Facts are written in the transaction that logs the event,
-- and only ever from events: no table here mirrors another service's.

CREATE TABLE event_log (
  seq BIGSERIAL PRIMARY KEY,
  id UUID NOT NULL UNIQUE,
  type VARCHAR(100) NOT NULL,
  version INT NOT NULL,
  payload JSONB NOT NULL,
  received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One row per order, made by whichever of its events arrives first: a status change can overtake
-- the ORDER_CREATED it follows (retries do not keep order), so `placed_at` stays NULL until that
-- arrives. `status_rank` is the status's depth in the order lifecycle: the furthest status wins,
-- whatever order the events came in and whatever the producers' clocks said.
CREATE TABLE order_facts (
  order_id UUID PRIMARY KEY,
  user_id UUID NOT NULL,
  placed_at TIMESTAMPTZ,
  total DECIMAL(12,2),
  units INT,
  status VARCHAR(50) NOT NULL,
  status_rank INT NOT NULL,
  status_at TIMESTAMPTZ NOT NULL,
  CONSTRAINT order_facts_total_not_negative CHECK (total >= 0)
);
CREATE INDEX order_facts_placed_at ON order_facts (placed_at) WHERE placed_at IS NOT NULL;

CREATE TABLE order_item_facts (
  order_id UUID NOT NULL,
  line INT NOT NULL,
  product_id UUID NOT NULL,
  quantity INT NOT NULL,
  unit_price DECIMAL(12,2) NOT NULL,
  line_total DECIMAL(14,2) NOT NULL,
  PRIMARY KEY (order_id, line)
);

CREATE TABLE stock_movement_facts (
  event_id UUID PRIMARY KEY,
  product_id UUID NOT NULL,
  reason VARCHAR(20) NOT NULL,
  old_stock INT NOT NULL,
  new_stock INT NOT NULL,
  delta INT NOT NULL,
  occurred_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX stock_movement_facts_occurred_at ON stock_movement_facts (occurred_at);

-- Each product's stock as its latest STOCK_UPDATED said; "latest" is (occurred_at, event_seq) so
-- two changes within the same millisecond still have one answer, the same on every replay.
CREATE TABLE product_stock (
  product_id UUID PRIMARY KEY,
  stock INT NOT NULL,
  as_of TIMESTAMPTZ NOT NULL,
  event_seq BIGINT NOT NULL
);
CREATE INDEX product_stock_level ON product_stock (stock, product_id);
