-- What a staff member sees of each of their sessions: an id to end it by
-- (never the token or its hash), the address it was signed in from and the
-- browser's user agent (cut to 512 characters).
ALTER TABLE sessions ADD COLUMN id TEXT COLLATE "C";
ALTER TABLE sessions ADD COLUMN ip TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
UPDATE sessions SET id = substr(md5(random()::text || token_hash), 1, 24);
ALTER TABLE sessions ALTER COLUMN id SET NOT NULL;
CREATE UNIQUE INDEX sessions_id ON sessions (id);
