-- The hourly sweep of each outbox relay deletes what is older than the retention
-- (DEMA_OUTBOX_RETENTION_DAYS): published events, and the ids of the events handled (a redelivery
-- comes within minutes, not days). Rows arrive in time order, so a block-range index finds the old
-- ones without reading the whole table each hour, and costs a write next to nothing; created_at
-- never changes, so the outbox's updates stay HOT.
CREATE INDEX outbox_created_brin ON outbox USING brin (created_at);
CREATE INDEX processed_events_brin ON processed_events USING brin (processed_at);
