-- A closed month's totals split into users and options, and its billed
-- users, so that the cost overview's chart reads one row per month.
ALTER TABLE month_closes ADD COLUMN users INTEGER NOT NULL DEFAULT 0;
ALTER TABLE month_closes ADD COLUMN users_cents INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER month_closes_frozen_update;
UPDATE month_closes SET
    users = COALESCE((SELECT SUM(s.users) FROM statements s WHERE s.month = month_closes.month), 0),
    users_cents = COALESCE((SELECT SUM(l.amount_cents) FROM statement_lines l JOIN statements s ON s.id = l.statement_id
                            WHERE s.month = month_closes.month AND l.kind = 'users'), 0);
CREATE TRIGGER month_closes_frozen_update BEFORE UPDATE ON month_closes
BEGIN SELECT RAISE(ABORT, 'month closes are frozen'); END;
