-- Metering and billing: settings, price lists, API keys, usage reports and
-- daily snapshots, the effective-dated history of every customer, month
-- closes and frozen statements.
--
-- Unit prices are integers in ten-thousandths of the currency (`_e4`: 1.2345
-- EUR = 12345), so a price may have up to four decimals and a line
-- (quantity x unit price) is rounded to cents half away from zero by the
-- app. Every amount of a line or total is in whole cents.

CREATE TABLE billing_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    currency TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    grace_days INTEGER NOT NULL CHECK (grace_days BETWEEN 0 AND 28),
    -- False until an admin saves a price list: the seeded prices are examples.
    prices_confirmed BOOLEAN NOT NULL DEFAULT FALSE,
    version INTEGER NOT NULL DEFAULT 1
);

INSERT INTO billing_settings (id, currency, time_zone, grace_days) VALUES (1, 'EUR', 'UTC', 3);

CREATE TABLE price_lists (
    id INTEGER PRIMARY KEY,
    -- 'YYYY-MM': in force from this month until a later list.
    effective_month TEXT NOT NULL UNIQUE,
    per_user_e4 INTEGER NOT NULL CHECK (per_user_e4 >= 0),
    saved_at TEXT NOT NULL,
    saved_by TEXT NOT NULL
);

CREATE TABLE price_list_options (
    price_list_id INTEGER NOT NULL REFERENCES price_lists (id),
    code TEXT NOT NULL REFERENCES option_catalogue (code),
    pricing TEXT NOT NULL CHECK (pricing IN ('per_user', 'flat')),
    price_e4 INTEGER NOT NULL CHECK (price_e4 >= 0),
    PRIMARY KEY (price_list_id, code)
);

-- Example prices, in force from the start.
INSERT INTO price_lists (id, effective_month, per_user_e4, saved_at, saved_by)
    VALUES (1, '2020-01', 30000, '2026-11-25T00:00:00Z', 'system');
INSERT INTO price_list_options (price_list_id, code, pricing, price_e4) VALUES
    (1, 'web_access', 'per_user', 5000),
    (1, 'offline', 'per_user', 7500),
    (1, 'mobile_sync', 'per_user', 10000),
    (1, 'sso_agent', 'per_user', 12500),
    (1, 'password_reset', 'per_user', 4167),
    (1, 'discovery', 'flat', 250000),
    (1, 'directory_services', 'flat', 150000),
    (1, 'hsm_pkcs11', 'flat', 490000);

-- One machine API key per customer, stored only as a SHA-256 hash.
CREATE TABLE api_keys (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id),
    key_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);

-- Raw usage reports, kept at least 35 days (late ones for good).
CREATE TABLE usage_reports (
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    report_id TEXT NOT NULL,
    observed_at TEXT NOT NULL,
    users INTEGER NOT NULL,
    -- The billing day of observed_at, 'YYYY-MM-DD'.
    day TEXT NOT NULL,
    received_at TEXT NOT NULL,
    -- For a month already closed: kept, but not in any daily snapshot.
    late BOOLEAN NOT NULL,
    PRIMARY KEY (customer_id, report_id)
);

CREATE INDEX usage_reports_received ON usage_reports (received_at);

-- The highest count reported per customer and billing day.
CREATE TABLE usage_daily (
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    day TEXT NOT NULL,
    peak_users INTEGER NOT NULL,
    PRIMARY KEY (customer_id, day)
);

-- When the last count was observed, so an older report never replaces it.
ALTER TABLE customers ADD COLUMN reported_at TEXT;

-- What billing depends on, from `effective_at` (UTC) until the next row:
-- one row per change, written in the same transaction as the change.
CREATE TABLE customer_history (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    effective_at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('test', 'billed')),
    status TEXT NOT NULL CHECK (status IN ('active', 'deactivated', 'removed')),
    max_users INTEGER NOT NULL,
    limit_user_creation BOOLEAN NOT NULL,
    -- Booked option codes, sorted, separated by spaces.
    options TEXT NOT NULL
);

CREATE INDEX customer_history_customer ON customer_history (customer_id, effective_at, id);

-- Customers made before this migration start their history with today's
-- state, from their creation on.
INSERT INTO customer_history (customer_id, effective_at, kind, status, max_users, limit_user_creation, options)
SELECT c.id, c.created_at, c.kind, c.status, c.max_users, c.limit_user_creation,
       COALESCE((SELECT group_concat(code, ' ') FROM (SELECT code FROM customer_options o
                 WHERE o.customer_id = c.id ORDER BY code)), '')
FROM customers c;

CREATE TABLE month_closes (
    month TEXT PRIMARY KEY,
    closed_at TEXT NOT NULL,
    closed_by TEXT NOT NULL,
    statements INTEGER NOT NULL,
    total_cents INTEGER NOT NULL
);

CREATE TABLE statements (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    month TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    currency TEXT NOT NULL,
    billable_days INTEGER NOT NULL,
    users INTEGER NOT NULL,
    users_at_start INTEGER NOT NULL,
    users_at_end INTEGER NOT NULL,
    total_cents INTEGER NOT NULL,
    closed_at TEXT NOT NULL,
    UNIQUE (customer_id, month)
);

CREATE INDEX statements_month ON statements (month, customer_id);

CREATE TABLE statement_lines (
    statement_id INTEGER NOT NULL REFERENCES statements (id),
    position INTEGER NOT NULL,
    -- 'users', 'option_per_user' or 'option_flat'.
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price_e4 INTEGER NOT NULL,
    amount_cents INTEGER NOT NULL,
    PRIMARY KEY (statement_id, position)
);

-- Statements are accounting records: the database refuses to change them.
CREATE TRIGGER statements_frozen_update BEFORE UPDATE ON statements
BEGIN SELECT RAISE(ABORT, 'statements are frozen'); END;
CREATE TRIGGER statements_frozen_delete BEFORE DELETE ON statements
BEGIN SELECT RAISE(ABORT, 'statements are frozen'); END;
CREATE TRIGGER statement_lines_frozen_update BEFORE UPDATE ON statement_lines
BEGIN SELECT RAISE(ABORT, 'statements are frozen'); END;
CREATE TRIGGER statement_lines_frozen_delete BEFORE DELETE ON statement_lines
BEGIN SELECT RAISE(ABORT, 'statements are frozen'); END;
CREATE TRIGGER month_closes_frozen_update BEFORE UPDATE ON month_closes
BEGIN SELECT RAISE(ABORT, 'month closes are frozen'); END;
CREATE TRIGGER month_closes_frozen_delete BEFORE DELETE ON month_closes
BEGIN SELECT RAISE(ABORT, 'month closes are frozen'); END;
