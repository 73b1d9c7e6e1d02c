-- The first billed month (asked by every cost page) from an index instead
-- of reading the whole history: 1.3 ms -> 0.07 ms for 10,000 customers.
-- PostgreSQL only: SQLite's planner then read every customer's history for
-- a month's close one customer at a time (README, "Scaling out").
CREATE INDEX customer_history_kind ON customer_history (kind, effective_at);
