-- Passkeys and security keys (WebAuthn) of staff members, each with the
-- name its owner gave it. `passkey` is the credential as the WebAuthn
-- library keeps it (JSON: its id, public key and signature counter): no
-- secret is stored. `credential_id` is its id (base64url), unique.
CREATE TABLE staff_passkeys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    credential_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    passkey TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT
);
CREATE INDEX staff_passkeys_staff ON staff_passkeys (staff_id);

-- The WebAuthn user handle of a staff member: random, so that a passkey
-- tells nothing about the account it belongs to.
ALTER TABLE staff ADD COLUMN webauthn_handle TEXT;

-- A passkey being added: the state the library needs to check the
-- browser's answer, for a few minutes (one at a time per person).
CREATE TABLE passkey_registrations (
    staff_id INTEGER PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- The passkey step of a sign-in: the library's state for the challenge
-- the browser was given.
ALTER TABLE sign_in_challenges ADD COLUMN passkey_state TEXT;
