-- The last user count each customer's server reported, and when it was
-- observed, in a narrow table of their own. The usage writer changes them
-- with nearly every report; in `customers` those writes bloated the table
-- that every staff page reads (on PostgreSQL, a new row version per
-- report). A customer with no report has no row.
CREATE TABLE customer_usage (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id),
    reported_users INTEGER NOT NULL,
    reported_at TEXT
);
INSERT INTO customer_usage (customer_id, reported_users, reported_at)
SELECT id, reported_users, reported_at FROM customers WHERE reported_users IS NOT NULL;
ALTER TABLE customers DROP COLUMN reported_users;
ALTER TABLE customers DROP COLUMN reported_at;

-- Counts every change of a customer (a new one, a new version), so that
-- the cost overview knows whether its cached bills still hold without
-- reading every customer.
INSERT INTO change_counters (name, value) VALUES ('customers', 0);
CREATE TRIGGER customers_counted_insert AFTER INSERT ON customers
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'customers';
END;
CREATE TRIGGER customers_counted_update AFTER UPDATE OF version ON customers
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'customers';
END;
