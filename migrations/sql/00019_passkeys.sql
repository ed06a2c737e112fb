-- +goose Up
-- Passkeys (WebAuthn credentials) as a login method next to passwords and
-- TOTP, and the log of a user's own logins and sessions
-- (docs/DOMAIN.md, "Account security").

-- One row per passkey a user registered. credential_id is the
-- authenticator's id of the credential (the browser's rawId), public_key
-- its COSE public key; sign_count the last signature counter seen (0 for
-- authenticators without one, e.g. synced passkeys); transports the
-- authenticator's hints (internal, hybrid, usb …); aaguid the model of the
-- authenticator (16 bytes, zero for most synced passkeys); backup_eligible
-- and backup_state the BE/BS flags (a synced passkey is backed up).
-- attestation_format is kept because an assertion's extensions are
-- checked against it. name is what the user called it ("Laptop").
CREATE TABLE passkeys (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id            uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    credential_id      bytea NOT NULL CHECK (octet_length(credential_id) BETWEEN 1 AND 1023),
    public_key         bytea NOT NULL CHECK (octet_length(public_key) > 0),
    sign_count         bigint NOT NULL DEFAULT 0 CHECK (sign_count >= 0),
    transports         text[] NOT NULL DEFAULT '{}',
    aaguid             bytea NOT NULL DEFAULT '\x'::bytea,
    attestation_format text NOT NULL DEFAULT '',
    user_verified      boolean NOT NULL DEFAULT false,
    backup_eligible    boolean NOT NULL DEFAULT false,
    backup_state       boolean NOT NULL DEFAULT false,
    name               text NOT NULL CHECK (btrim(name) <> '' AND char_length(name) <= 100),
    created            timestamptz NOT NULL DEFAULT now(),
    last_used          timestamptz
);
-- A credential id is globally unique (the authenticator makes it at
-- random); one credential never belongs to two accounts.
CREATE UNIQUE INDEX passkeys_credential ON passkeys (credential_id);
CREATE INDEX passkeys_user ON passkeys (user_id, created);
COMMENT ON COLUMN passkeys.name IS 'pii:profile';
COMMENT ON COLUMN passkeys.last_used IS 'pii:usage';

-- One row per successful login: when, how (the factors), from what kind of
-- device (a summary such as "Firefox, Linux", never the full User-Agent)
-- and from which network (the address truncated to /24 or /48: data
-- minimisation; enough for a user to recognise "not me"). session_token is
-- the web session (table sessions) the login opened, while it may still
-- stand: it is how a user ends one of their sessions, and it is the same
-- secret the sessions table holds. It is set to NULL when the session is
-- gone. session_epoch is the user's session epoch at login: a session of
-- an older epoch is void (users.session_epoch). last_seen is updated at
-- most once a minute while the session is used. Rows are kept 90 days
-- (web: cleanSessions).
CREATE TABLE logins (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at            timestamptz NOT NULL DEFAULT now(),
    method        text NOT NULL CHECK (method IN ('password', 'password_totp', 'password_passkey', 'passkey')),
    user_agent    text NOT NULL DEFAULT '' CHECK (char_length(user_agent) <= 100),
    addr          text NOT NULL DEFAULT '' CHECK (char_length(addr) <= 64),
    session_token text,
    session_epoch integer NOT NULL DEFAULT 0,
    last_seen     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX logins_user ON logins (user_id, at DESC);
CREATE UNIQUE INDEX logins_session ON logins (session_token) WHERE session_token IS NOT NULL;
CREATE INDEX logins_at ON logins (at);
COMMENT ON COLUMN logins.at IS 'pii:usage';
COMMENT ON COLUMN logins.user_agent IS 'pii:device';
COMMENT ON COLUMN logins.addr IS 'pii:network';
COMMENT ON COLUMN logins.last_seen IS 'pii:usage';

-- +goose Down
DROP TABLE logins, passkeys;
