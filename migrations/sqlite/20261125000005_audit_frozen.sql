-- The audit log is append-only: the database itself refuses to change or
-- delete an entry, whatever path the SQL comes from.
CREATE TRIGGER audit_log_frozen_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit log entries cannot be changed'); END;
CREATE TRIGGER audit_log_frozen_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit log entries cannot be deleted'); END;
