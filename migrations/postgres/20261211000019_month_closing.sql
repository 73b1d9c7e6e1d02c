-- A month whose close has begun: from this mark on, reports for the month
-- are late (kept, not billed), so the close can freeze its statements
-- without holding the write lock that every usage batch waits for. The
-- close removes the mark when it commits; a close that died leaves it for
-- the next one to finish.
CREATE TABLE month_closing (
    month TEXT COLLATE "C" PRIMARY KEY,
    marked_at TEXT COLLATE "C" NOT NULL
);
