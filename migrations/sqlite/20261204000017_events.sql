-- The events the console tells people about (the outbox): each is written
-- in the same transaction as the change that causes it, so a crash can
-- neither lose one nor leave one for a change that rolled back. `id` is
-- what deliveries name it by (`evt_` + 128 random bits); `cause` is unique
-- where an event must happen once per cause (a contract end's 30-day
-- notice, a month's close), so two instances cannot both write it.
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    customer_id INTEGER REFERENCES customers (id),
    cause TEXT UNIQUE,
    data TEXT NOT NULL
);
CREATE INDEX events_customer ON events (customer_id);
