-- The MSP's own prices (what it charges its customers), effective-dated
-- like the vendor's price lists, and what each frozen statement sold.
--
-- A sell list prices the users (code '') and options either at a unit
-- price (`price`, value in ten-thousandths of the currency) or at a markup
-- over the vendor's unit price (`markup`, value in hundredths of a percent).
-- An item without a row sells at the vendor's price.
CREATE TABLE sell_lists (
    id INTEGER PRIMARY KEY,
    effective_month TEXT NOT NULL UNIQUE,
    saved_at TEXT NOT NULL,
    saved_by TEXT NOT NULL
);

CREATE TABLE sell_list_items (
    sell_list_id INTEGER NOT NULL REFERENCES sell_lists (id),
    code TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('price', 'markup')),
    value INTEGER NOT NULL CHECK (value >= 0),
    PRIMARY KEY (sell_list_id, code)
);

-- One customer's own prices from a month on: a discount (hundredths of a
-- percent) off the list's sell price, and fixed unit prices (code '' for
-- the users) that replace it.
CREATE TABLE customer_pricing (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    effective_month TEXT NOT NULL,
    discount_bp INTEGER NOT NULL CHECK (discount_bp BETWEEN 0 AND 10000),
    saved_at TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    UNIQUE (customer_id, effective_month)
);

CREATE TABLE customer_pricing_prices (
    customer_pricing_id INTEGER NOT NULL REFERENCES customer_pricing (id),
    code TEXT NOT NULL,
    price_e4 INTEGER NOT NULL CHECK (price_e4 >= 0),
    PRIMARY KEY (customer_pricing_id, code)
);

-- Internal use ("not for resale"): the customer costs, and brings no revenue.
ALTER TABLE customers ADD COLUMN not_for_resale BOOLEAN NOT NULL DEFAULT FALSE;

-- What a statement sold, frozen with it at the close. Statements closed
-- before sell prices existed have no row: their revenue is not recorded.
CREATE TABLE statement_sales (
    statement_id INTEGER PRIMARY KEY REFERENCES statements (id),
    not_for_resale BOOLEAN NOT NULL,
    total_cents INTEGER NOT NULL
);

CREATE TABLE statement_sell_lines (
    statement_id INTEGER NOT NULL REFERENCES statement_sales (statement_id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price_e4 INTEGER NOT NULL,
    amount_cents INTEGER NOT NULL,
    -- How the unit price came about: 'at_cost', 'list', 'fixed',
    -- 'markup:<bp>' or 'discount:<bp>'.
    basis TEXT NOT NULL,
    PRIMARY KEY (statement_id, position)
);

CREATE TRIGGER statement_sales_frozen_update BEFORE UPDATE ON statement_sales
BEGIN SELECT RAISE(ABORT, 'statements are frozen'); END;
CREATE TRIGGER statement_sales_frozen_delete BEFORE DELETE ON statement_sales
BEGIN SELECT RAISE(ABORT, 'statements are frozen'); END;
CREATE TRIGGER statement_sell_lines_frozen_update BEFORE UPDATE ON statement_sell_lines
BEGIN SELECT RAISE(ABORT, 'statements are frozen'); END;
CREATE TRIGGER statement_sell_lines_frozen_delete BEFORE DELETE ON statement_sell_lines
BEGIN SELECT RAISE(ABORT, 'statements are frozen'); END;
