-- What the usage events remember per customer, so that each fires once per
-- crossing: how full the license was at the last report (0, 80 or 100 %)
-- and whether the server is counted as silent (no report for 48 hours).
ALTER TABLE customers ADD COLUMN license_level BIGINT NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN usage_silent BOOLEAN NOT NULL DEFAULT FALSE;
-- Licenses already full when this arrives are not announced again.
UPDATE customers SET license_level = CASE
    WHEN reported_users >= max_users THEN 100
    WHEN reported_users * 5 >= max_users * 4 THEN 80
    ELSE 0 END
WHERE reported_users IS NOT NULL;
