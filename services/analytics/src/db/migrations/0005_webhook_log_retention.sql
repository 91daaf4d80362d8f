-- Pruning the webhook delivery log: a delivery is kept for the retention from the moment it ended
-- (succeeded or failed for good), not from its creation, so one an admin redelivered last week is
-- not pruned the moment its new attempt is recorded. Pending deliveries are never pruned.
ALTER TABLE webhook_deliveries ADD COLUMN finished_at TIMESTAMPTZ;
UPDATE webhook_deliveries d
   SET finished_at = COALESCE((SELECT max(a.attempted_at) FROM webhook_attempts a WHERE a.delivery_id = d.id), d.created_at)
 WHERE d.status <> 'pending';
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (finished_at) WHERE finished_at IS NOT NULL;
-- Messages are pruned once no delivery refers to them: their age is where the sweep starts looking.
CREATE INDEX webhook_messages_received ON webhook_messages (received_at);
