-- The 'usage' change counter moves with each stored usage report, kept by
-- the database instead of a statement of the usage writer's own (one round
-- trip fewer per batch).
CREATE TRIGGER usage_counted AFTER INSERT ON usage_reports
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'usage';
END;
