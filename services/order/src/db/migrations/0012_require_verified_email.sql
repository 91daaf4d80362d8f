-- Issue 21: a store may take orders only from customers who verified their email. Off by default:
-- a store that turns it on chooses fewer fake accounts over a first order without a detour.
ALTER TABLE checkout_settings ADD COLUMN require_verified_email BOOLEAN NOT NULL DEFAULT false;
