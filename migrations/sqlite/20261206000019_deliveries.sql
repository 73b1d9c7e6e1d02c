-- Where events go and how far they got. An endpoint receives the kinds
-- listed for it (webhook_endpoint_events); each event gets one delivery
-- per endpoint, written in the event's own transaction, so a delivery
-- exists exactly when its event does. Deliveries are tried until one
-- attempt succeeds or a day has passed since `retry_from` (the event, or
-- a redelivery by hand); every attempt is kept for the
-- delivery log. `secret` is sealed with the server's key (MSP_SECRET_KEY).
CREATE TABLE webhook_endpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    description TEXT NOT NULL,
    secret TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    failing_since TEXT,
    disabled_reason TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE webhook_endpoint_events (
    endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints (id),
    kind TEXT NOT NULL,
    PRIMARY KEY (endpoint_id, kind)
);
CREATE INDEX webhook_endpoint_events_kind ON webhook_endpoint_events (kind);
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_seq INTEGER NOT NULL REFERENCES events (seq),
    endpoint_id INTEGER REFERENCES webhook_endpoints (id),
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    retry_from TEXT NOT NULL,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    UNIQUE (event_seq, endpoint_id)
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, id);
CREATE TABLE delivery_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id INTEGER NOT NULL REFERENCES deliveries (id),
    at TEXT NOT NULL,
    status INTEGER,
    reply TEXT NOT NULL,
    succeeded BOOLEAN NOT NULL
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, id);
