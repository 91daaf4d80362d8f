-- An endpoint is disabled once its attempts have all failed for DEMA_WEBHOOKS_DISABLE_AFTER_FAILING_MS
-- (a day), not merely after a count of them: during a busy hour a receiver down for a minute (a
-- deploy) failed fifty attempts in seconds, was disabled, and missed every event after that. This is
-- when the run of failures began; a success clears it.
ALTER TABLE webhook_endpoints ADD COLUMN failing_since TIMESTAMPTZ;
