-- How staff sign in, set by an admin: who must have a second factor
-- ('nobody', 'admins' or 'everyone'). One row.
CREATE TABLE sign_in_policy (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    require_two_factor TEXT COLLATE "C" NOT NULL DEFAULT 'nobody'
        CHECK (require_two_factor IN ('nobody', 'admins', 'everyone')),
    version BIGINT NOT NULL DEFAULT 1
);

INSERT INTO sign_in_policy (id) VALUES (1);
