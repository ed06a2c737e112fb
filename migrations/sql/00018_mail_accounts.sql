-- Outgoing mail and citizens' accounts (issue 20, point 1; issue 19,
-- point 1). docs/ARCHITECTURE.md, "Mail"; docs/DOMAIN.md, "Citizen accounts".

-- +goose Up

-- The durable outbox of outgoing mail (package council/mail). A row is
-- written in the transaction of the change that causes it and sent by a
-- Sender: queued → sending (claimed; the SMTP transaction runs) →
-- committing (the message is written, the final dot goes out) → sent;
-- or failed (a permanent refusal, or too many attempts). claimed_by is
-- the advisory lock key that the claiming sender holds on its database
-- connection while it lives: a row in sending or committing whose key is
-- no longer held belongs to a sender that died and is claimed again.
CREATE TABLE mail_outbox (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    message_id      text NOT NULL UNIQUE,
    recipient       text NOT NULL CHECK (position('@' in recipient) > 1),
    lang            text NOT NULL CHECK (lang IN ('de','en')),
    kind            text NOT NULL CHECK (kind IN ('transactional','bulk')),
    list            text NOT NULL DEFAULT '',
    subject         text NOT NULL,
    body_text       text NOT NULL,
    body_html       text NOT NULL DEFAULT '',
    headers         jsonb NOT NULL DEFAULT '{}',
    state           text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','sending','committing','sent','failed')),
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_by      int,
    last_error      text NOT NULL DEFAULT '',
    created         timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    CHECK (kind = 'transactional' OR list <> '')
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE state = 'queued';
CREATE INDEX mail_outbox_claimed ON mail_outbox (claimed_by) WHERE state IN ('sending','committing');
CREATE INDEX mail_outbox_recipient ON mail_outbox (lower(recipient), created);
COMMENT ON COLUMN mail_outbox.recipient IS 'pii:contact';
COMMENT ON COLUMN mail_outbox.subject IS 'pii:message';
COMMENT ON COLUMN mail_outbox.body_text IS 'pii:message';
COMMENT ON COLUMN mail_outbox.body_html IS 'pii:message';
COMMENT ON COLUMN mail_outbox.headers IS 'pii:message';

-- One-click unsubscribe (RFC 8058): every bulk message carries a token of
-- its own; only its SHA-256 is stored.
CREATE TABLE mail_unsubscribe_tokens (
    token_hash bytea PRIMARY KEY,
    address    text NOT NULL,
    list       text NOT NULL,
    created    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON COLUMN mail_unsubscribe_tokens.address IS 'pii:contact';

-- Addresses (lower case) that asked for no more bulk mail of a list.
CREATE TABLE mail_optouts (
    address text NOT NULL,
    list    text NOT NULL,
    created timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (address, list)
);
COMMENT ON COLUMN mail_optouts.address IS 'pii:contact';

-- Citizens' accounts. Accounts made by an administrator (plenar user add,
-- the back office) count as verified; self-registered ones start
-- unverified (email_verified NULL) and cannot log in until verified.
ALTER TABLE users
    ADD COLUMN email_verified      timestamptz DEFAULT now(),
    ADD COLUMN lang                text NOT NULL DEFAULT 'de' CHECK (lang IN ('de','en')),
    ADD COLUMN publish_name        boolean NOT NULL DEFAULT false,
    ADD COLUMN group_name          text NOT NULL DEFAULT '',
    ADD COLUMN residence_confirmed timestamptz,
    ADD COLUMN birth_year          int CHECK (birth_year BETWEEN 1900 AND 2100);
UPDATE users SET email_verified = created;
COMMENT ON COLUMN users.group_name IS 'pii:profile';
COMMENT ON COLUMN users.residence_confirmed IS 'pii:residence';
COMMENT ON COLUMN users.birth_year IS 'pii:age';

-- Pending e-mail verifications: the SHA-256 of the token sent by mail.
CREATE TABLE email_verifications (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires    timestamptz NOT NULL,
    created    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_verifications_user ON email_verifications (user_id);

-- Requests of the account forms (register, resend) per client address,
-- for the rate limit; shared by every web node, kept one day.
CREATE TABLE account_requests (
    id   bigserial PRIMARY KEY,
    addr text NOT NULL,
    at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_requests_addr ON account_requests (addr, at);
COMMENT ON COLUMN account_requests.addr IS 'pii:network';

-- The one rule for a user's name in public (docs/DOMAIN.md, "Citizen
-- accounts"): a verified, active account whose holder consented.
-- Pseudonymous by default: every other reader shows no name. A string
-- body, not RETURN, so that later ALTER TABLE users stays possible
-- (see 00011_visibility.sql).
-- +goose StatementBegin
CREATE FUNCTION user_name_public(u users) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT u.email_verified IS NOT NULL AND u.publish_name AND NOT u.disabled AND NOT u.deleted $$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION user_name_public(users);
DROP TABLE account_requests;
DROP TABLE email_verifications;
ALTER TABLE users DROP COLUMN email_verified, DROP COLUMN lang, DROP COLUMN publish_name, DROP COLUMN group_name,
    DROP COLUMN residence_confirmed, DROP COLUMN birth_year;
DROP TABLE mail_optouts;
DROP TABLE mail_unsubscribe_tokens;
DROP TABLE mail_outbox;
