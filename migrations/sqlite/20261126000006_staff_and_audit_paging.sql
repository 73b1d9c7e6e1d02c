-- Staff management: an admin's password reset makes the user choose a new
-- password at the next sign-in.
ALTER TABLE staff ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;

-- The audit log page reads newest first (time, then id) under any one
-- filter; each index serves one filter without sorting, at any size.
DROP INDEX audit_log_at;
DROP INDEX audit_log_customer;
CREATE INDEX audit_log_at_id ON audit_log (at, id);
CREATE INDEX audit_log_actor_at ON audit_log (actor, at, id);
CREATE INDEX audit_log_action_at ON audit_log (action, at, id);
CREATE INDEX audit_log_customer_at ON audit_log (customer_id, at, id);
