-- How staff sign in, set by an admin: who must have a second factor
-- ('nobody', 'admins' or 'everyone'). One row.
CREATE TABLE sign_in_policy (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    require_two_factor TEXT NOT NULL DEFAULT 'nobody'
        CHECK (require_two_factor IN ('nobody', 'admins', 'everyone')),
    version INTEGER NOT NULL DEFAULT 1
);

INSERT INTO sign_in_policy (id) VALUES (1);
