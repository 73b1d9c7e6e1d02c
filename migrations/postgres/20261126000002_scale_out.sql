-- State that several app instances share through the database.

-- Machine API requests per key in the current one-minute window.
CREATE TABLE api_request_windows (
    customer_id BIGINT PRIMARY KEY,
    started_at TEXT COLLATE "C" NOT NULL,
    requests BIGINT NOT NULL
);

-- Background job passes: an instance runs a pass only when no instance
-- started one within the last interval.
CREATE TABLE job_runs (
    name TEXT COLLATE "C" PRIMARY KEY,
    started_at TEXT COLLATE "C" NOT NULL,
    holder TEXT COLLATE "C" NOT NULL
);

-- Counters that change with each write of a kind, so a cache can tell
-- cheaply whether anything changed ('usage': each stored usage report).
CREATE TABLE change_counters (
    name TEXT COLLATE "C" PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO change_counters (name, value) VALUES ('usage', 0);
