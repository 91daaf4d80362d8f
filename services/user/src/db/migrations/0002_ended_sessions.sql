-- The session store loads the sessions ended within an access token's lifetime at start and when
-- Redis returns: that look-up reads only the recent end of this index.
CREATE INDEX session_families_revoked ON session_families (revoked_at) WHERE revoked_at IS NOT NULL;
