-- Issue 20: orders whose payment is not completed in time are cancelled by a sweep every few
-- seconds; it looks only at pending orders still waiting for their money, oldest first.
CREATE INDEX orders_awaiting_payment ON orders (created_at) WHERE status = 'PENDING' AND payment_status IN ('unpaid', 'failed');
