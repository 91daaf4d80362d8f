-- An event a consumer kept failing on stays in the outbox, dead-lettered (dead_at set), instead of
-- being marked published: the relay no longer sends it, the metrics and the admin show it, and a
-- retry from the admin puts it back in line. `dead_consumers` are the consumers that failed on it
-- (`last_error` says why).
ALTER TABLE outbox ADD COLUMN dead_at TIMESTAMPTZ, ADD COLUMN dead_consumers TEXT[];
CREATE INDEX outbox_dead ON outbox (seq) WHERE dead_at IS NOT NULL;
