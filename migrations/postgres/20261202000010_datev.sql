-- The DATEV export's settings (set by an admin; no row: not set up) and
-- each customer's debtor account.
CREATE TABLE datev_settings (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    adviser_number BIGINT NOT NULL CHECK (adviser_number BETWEEN 1001 AND 9999999),
    client_number BIGINT NOT NULL CHECK (client_number BETWEEN 1 AND 99999),
    fiscal_year_start BIGINT NOT NULL CHECK (fiscal_year_start BETWEEN 1 AND 12),
    account_length BIGINT NOT NULL CHECK (account_length BETWEEN 4 AND 8),
    revenue_account TEXT COLLATE "C" NOT NULL,
    tax_key TEXT COLLATE "C" NOT NULL,
    -- Customers without a debtor account of their own book to it (NULL: none).
    collective_debtor TEXT COLLATE "C",
    version BIGINT NOT NULL DEFAULT 1
);

-- An item's own revenue account and tax key (code '' for the users).
CREATE TABLE datev_revenue_accounts (
    code TEXT COLLATE "C" PRIMARY KEY,
    account TEXT COLLATE "C" NOT NULL,
    tax_key TEXT COLLATE "C" NOT NULL
);

ALTER TABLE customers ADD COLUMN debtor_account TEXT COLLATE "C" CHECK (length(debtor_account) <= 9);
