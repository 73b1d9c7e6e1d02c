-- Authenticator apps (TOTP): one per staff member. The shared secret is
-- sealed with MSP_SECRET_KEY (AES-256-GCM, base64 of nonce and ciphertext).
-- Until the first code confirms it, `confirmed_at` is NULL and sign-in does
-- not ask for codes. `last_step` is the newest 30-second step a code was
-- accepted for: a code of that step or an older one is refused (replay).
CREATE TABLE staff_totp (
    staff_id INTEGER PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    confirmed_at TEXT,
    last_step INTEGER NOT NULL DEFAULT 0
);

-- A sign-in whose password was right and whose code is still to come. The
-- browser holds a random token in a short-lived cookie; only its hash is
-- here. No session exists until the code passes.
CREATE TABLE sign_in_challenges (
    token_hash TEXT PRIMARY KEY,
    staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);
CREATE INDEX sign_in_challenges_created_at ON sign_in_challenges (created_at);

-- Recovery codes: ten single-use codes per staff member with an app,
-- shown once; only their SHA-256 is kept (80 random bits each).
CREATE TABLE recovery_codes (
    staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at TEXT,
    PRIMARY KEY (staff_id, code_hash)
);
