-- Customers, the option catalogue and booked options; audit entries get the
-- customer they concern and a list of changed fields (old -> new).

CREATE TABLE option_catalogue (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    -- 'per_user': price per billed user and month; 'flat': per customer and month.
    pricing TEXT NOT NULL CHECK (pricing IN ('per_user', 'flat')),
    retired BOOLEAN NOT NULL DEFAULT FALSE,
    position INTEGER NOT NULL
);

INSERT INTO option_catalogue (code, name, pricing, position) VALUES
    ('web_access', 'Web application access', 'per_user', 1),
    ('offline', 'Offline add-on', 'per_user', 2),
    ('mobile_sync', 'Mobile synchronization', 'per_user', 3),
    ('sso_agent', 'SSO agent', 'per_user', 4),
    ('password_reset', 'Password reset', 'per_user', 5),
    ('discovery', 'Discovery service', 'flat', 6),
    ('directory_services', 'Directory services (AD / Entra ID)', 'flat', 7),
    ('hsm_pkcs11', 'Hardware security module (PKCS#11)', 'flat', 8);

CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    -- Unicode lower case of the name, written by the app: names are unique
    -- ignoring case among customers that are not removed.
    name_key TEXT NOT NULL,
    -- Case and accents folded, for sorting lists (written by the app).
    sort_key TEXT NOT NULL,
    database_name TEXT NOT NULL,
    database_key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('test', 'billed')),
    status TEXT NOT NULL CHECK (status IN ('active', 'deactivated', 'removed')),
    deactivation_reason TEXT,
    deactivated_at TEXT,
    removed_at TEXT,
    contract_end TEXT NOT NULL,
    max_users INTEGER NOT NULL CHECK (max_users BETWEEN 1 AND 100000),
    limit_user_creation BOOLEAN NOT NULL,
    -- Written by metering: the last user count a server reported.
    reported_users INTEGER,
    option_count INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    billed_since TEXT,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE UNIQUE INDEX customers_name_key ON customers (name_key) WHERE status <> 'removed';
CREATE UNIQUE INDEX customers_database_key ON customers (database_key) WHERE status <> 'removed';
CREATE INDEX customers_list_name ON customers (status, kind, sort_key);
CREATE INDEX customers_list_contract_end ON customers (status, kind, contract_end);

CREATE TABLE customer_options (
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    code TEXT NOT NULL REFERENCES option_catalogue (code),
    PRIMARY KEY (customer_id, code)
);

ALTER TABLE audit_log ADD COLUMN customer_id INTEGER REFERENCES customers (id);
-- JSON list of {"field", "old", "new"}.
ALTER TABLE audit_log ADD COLUMN changes TEXT NOT NULL DEFAULT '[]';
CREATE INDEX audit_log_customer ON audit_log (customer_id, id);
