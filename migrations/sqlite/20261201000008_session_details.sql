-- What a staff member sees of each of their sessions: an id to end it by
-- (never the token or its hash), the address it was signed in from and the
-- browser's user agent (cut to 512 characters).
ALTER TABLE sessions ADD COLUMN id TEXT;
ALTER TABLE sessions ADD COLUMN ip TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
UPDATE sessions SET id = lower(hex(randomblob(12)));
CREATE UNIQUE INDEX sessions_id ON sessions (id);
