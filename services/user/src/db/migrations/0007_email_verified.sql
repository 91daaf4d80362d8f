-- When the owner opened the verification link emailed at signup. Accounts from before this column
-- stay unverified: nobody proved they own the address.
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMPTZ;
