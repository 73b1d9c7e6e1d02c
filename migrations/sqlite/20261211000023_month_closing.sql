-- A month whose close has begun: from this mark on, reports for the month
-- are late (kept, not billed). The close removes the mark when it commits;
-- a close that died leaves it for the next one to finish.
CREATE TABLE month_closing (
    month TEXT PRIMARY KEY,
    marked_at TEXT NOT NULL
);
