-- Personal access tokens of staff members for the staff API: `mspt_` and
-- 256 random bits, shown once; only a SHA-256 hash is stored (the token has
-- full entropy) and `prefix` (the first characters) to tell them apart.
-- A token acts as its owner with at most its scope: `read`, or `write`
-- (read and change, never more than the owner's role allows).
CREATE TABLE access_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT,
    revoked_by TEXT
);
CREATE INDEX access_tokens_staff ON access_tokens (staff_id);

-- Requests per token and minute (the staff API's rate limit), shared by
-- every instance like the machine API's.
CREATE TABLE token_request_windows (
    token_id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    requests INTEGER NOT NULL
);
