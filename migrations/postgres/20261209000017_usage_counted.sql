-- One trigger function for every change counter, named by the trigger's
-- argument: the 'customers' counter moves as before, and the 'usage'
-- counter now moves with each statement that stores usage reports, kept by
-- the database instead of a statement of the usage writer's own (one round
-- trip fewer per batch).
CREATE FUNCTION count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = TG_ARGV[0];
    RETURN NULL;
END;
$$;
DROP TRIGGER customers_counted ON customers;
DROP FUNCTION count_customer_change();
CREATE TRIGGER customers_counted AFTER INSERT OR UPDATE OF version ON customers
    FOR EACH ROW EXECUTE FUNCTION count_change('customers');
CREATE TRIGGER usage_counted AFTER INSERT ON usage_reports
    FOR EACH STATEMENT EXECUTE FUNCTION count_change('usage');
