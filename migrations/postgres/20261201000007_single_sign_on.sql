-- Single sign-on with one OpenID Connect provider, set by an admin (one
-- row). The client secret is sealed with MSP_SECRET_KEY (AES-256-GCM), like
-- authenticator secrets. `allowed_domains`: email domains whose people get
-- an account at their first sign-in (comma-separated, lower case). The role
-- comes from `new_staff_role`, or from the claim `role_claim` when an admin
-- maps its values. `break_glass_staff_id`: when set, password sign-in is
-- off for everyone but this admin.
CREATE TABLE single_sign_on (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    enabled BOOLEAN NOT NULL DEFAULT FALSE,
    display_name TEXT COLLATE "C" NOT NULL DEFAULT '',
    issuer_url TEXT COLLATE "C" NOT NULL DEFAULT '',
    client_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    client_secret TEXT COLLATE "C" NOT NULL DEFAULT '',
    allowed_domains TEXT COLLATE "C" NOT NULL DEFAULT '',
    new_staff_role TEXT COLLATE "C" NOT NULL DEFAULT 'viewer' CHECK (new_staff_role IN ('admin', 'operator', 'viewer')),
    role_claim TEXT COLLATE "C" NOT NULL DEFAULT '',
    role_admin TEXT COLLATE "C" NOT NULL DEFAULT '',
    role_operator TEXT COLLATE "C" NOT NULL DEFAULT '',
    role_viewer TEXT COLLATE "C" NOT NULL DEFAULT '',
    break_glass_staff_id BIGINT REFERENCES staff (id),
    version BIGINT NOT NULL DEFAULT 1
);
INSERT INTO single_sign_on (id) VALUES (1);

-- A staff member's link to the provider: its issuer and subject (`sub`),
-- set at their first sign-in there. `sso_email`: the email an admin gave
-- when creating the account, by which that first sign-in finds it.
ALTER TABLE staff ADD COLUMN sso_issuer TEXT COLLATE "C";
ALTER TABLE staff ADD COLUMN sso_subject TEXT COLLATE "C";
ALTER TABLE staff ADD COLUMN sso_email TEXT COLLATE "C";
CREATE UNIQUE INDEX staff_sso_subject ON staff (sso_issuer, sso_subject);
CREATE UNIQUE INDEX staff_sso_email ON staff (sso_email);

-- Sessions signed in through the provider (which asks for its own second
-- factor).
ALTER TABLE sessions ADD COLUMN single_sign_on BOOLEAN NOT NULL DEFAULT FALSE;

-- A sign-in sent to the provider and not back yet: the browser holds a
-- random token in a cookie (only its hash is here); `state`, `nonce` and
-- the PKCE verifier are checked against the provider's answer. Single use,
-- for ten minutes.
CREATE TABLE sso_flows (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    state TEXT COLLATE "C" NOT NULL,
    nonce TEXT COLLATE "C" NOT NULL,
    pkce_verifier TEXT COLLATE "C" NOT NULL,
    next TEXT COLLATE "C" NOT NULL,
    ip TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX sso_flows_created ON sso_flows (created_at);
CREATE INDEX sso_flows_ip ON sso_flows (ip, created_at);
