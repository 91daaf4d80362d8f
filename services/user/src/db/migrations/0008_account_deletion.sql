-- When the owner deleted the account. The row stays (orders and their emails name its id) but holds
-- nothing personal any more: the email is a tombstone (deleted-<id>@invalid, which frees the real
-- address for a new signup), the name a placeholder, the password hash unusable.
ALTER TABLE users ADD COLUMN deleted_at TIMESTAMPTZ;
