-- Alert mails. The SMTP server is one row (`password` sealed with the
-- server's key, MSP_SECRET_KEY). Each staff member has an address for
-- alerts, the events they chose (staff_alert_events; until they choose,
-- their role's defaults) and one mail per event or a daily digest. A mail
-- per event is written in the event's transaction, like a webhook
-- delivery; events for a digest wait in digest_waiting until the day's
-- digest is made. A mail goes to the address and in the language its
-- recipient had when it was made; every attempt is kept for the log.
CREATE TABLE smtp_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    host TEXT NOT NULL,
    port INTEGER NOT NULL,
    security TEXT NOT NULL CHECK (security IN ('starttls', 'tls', 'none')),
    username TEXT NOT NULL,
    password TEXT,
    from_address TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
ALTER TABLE staff ADD COLUMN alert_email TEXT;
ALTER TABLE staff ADD COLUMN alert_digest BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE staff ADD COLUMN alerts_chosen BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE staff ADD COLUMN digest_sent_on TEXT;
CREATE TABLE staff_alert_events (
    staff_id INTEGER NOT NULL REFERENCES staff (id),
    kind TEXT NOT NULL,
    PRIMARY KEY (staff_id, kind)
);
CREATE TABLE mails (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_id INTEGER REFERENCES staff (id),
    recipient TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('en', 'de')),
    kind TEXT NOT NULL CHECK (kind IN ('event', 'digest', 'test')),
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    retry_from TEXT NOT NULL,
    created_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX mails_due ON mails (state, next_attempt_at);
CREATE TABLE mail_events (
    mail_id INTEGER NOT NULL REFERENCES mails (id),
    event_seq INTEGER NOT NULL REFERENCES events (seq),
    PRIMARY KEY (mail_id, event_seq)
);
CREATE TABLE mail_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    mail_id INTEGER NOT NULL REFERENCES mails (id),
    at TEXT NOT NULL,
    reply TEXT NOT NULL,
    succeeded BOOLEAN NOT NULL
);
CREATE INDEX mail_attempts_mail ON mail_attempts (mail_id, id);
CREATE TABLE digest_waiting (
    staff_id INTEGER NOT NULL REFERENCES staff (id),
    event_seq INTEGER NOT NULL REFERENCES events (seq),
    PRIMARY KEY (staff_id, event_seq)
);
