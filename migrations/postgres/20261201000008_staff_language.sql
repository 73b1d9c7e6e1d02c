-- Each staff member's language ('en', 'de') and time zone (an IANA name),
-- set on their account page. NULL: the browser's language, and the billing
-- time zone.
ALTER TABLE staff ADD COLUMN language TEXT COLLATE "C" CHECK (language IN ('en', 'de'));
ALTER TABLE staff ADD COLUMN time_zone TEXT COLLATE "C" CHECK (length(time_zone) <= 64);
