-- The audit log (issue 21): one row per admin action, from the AUDIT_RECORDED events every service
-- writes in the transaction of the change. Append-only: nothing in Dema edits or removes an entry,
-- and the triggers below refuse it to anyone with SQL access short of dropping them (or the table),
-- so an entry cannot be quietly rewritten to hide what was done.

CREATE TABLE audit_log (
  seq BIGSERIAL PRIMARY KEY,
  -- The event's id: a redelivered event finds its row here and adds nothing.
  event_id UUID NOT NULL UNIQUE,
  actor_id UUID NOT NULL,
  actor_role VARCHAR(20) NOT NULL,
  action VARCHAR(100) NOT NULL,
  resource_type VARCHAR(50) NOT NULL,
  resource_id TEXT NOT NULL,
  before JSONB,
  after JSONB,
  request_id TEXT NOT NULL,
  occurred_at TIMESTAMPTZ NOT NULL,
  recorded_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_occurred_at ON audit_log (occurred_at DESC, seq DESC);
CREATE INDEX audit_log_resource ON audit_log (resource_type, resource_id);
CREATE INDEX audit_log_actor ON audit_log (actor_id);
CREATE INDEX audit_log_request ON audit_log (request_id);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
