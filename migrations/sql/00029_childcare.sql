-- +goose Up
-- Family-friendly council work (issue 20; docs/DOMAIN.md,
-- "Kinderbetreuungskosten"): members claim the childcare costs of a
-- meeting they attended; the clerk's office approves or rejects.
--
-- childcare_rules: the city's cap per hour of childcare and the margin for
-- the way there and back that a claim's hours may exceed the meeting's
-- length by. One row per body; a body without a row uses the defaults.
CREATE TABLE childcare_rules (
    body_id             uuid PRIMARY KEY REFERENCES bodies(id),
    cap_cents_per_hour  integer NOT NULL DEFAULT 1500 CHECK (cap_cents_per_hour BETWEEN 1 AND 100000),
    margin_minutes      integer NOT NULL DEFAULT 120 CHECK (margin_minutes BETWEEN 0 AND 1440),
    modified            timestamptz NOT NULL DEFAULT now()
);

-- One claim per member (person) and meeting. No data about the children:
-- the form asks for none and there is no column for any. A claim is never
-- public: no view, function, OParl object, feed or dump reads this table,
-- only the member's own page and the back office.
--
-- Retention: a decided claim is the voucher of a payment (or of its
-- refusal) and is kept until the end of the tenth year after its decision
-- (meetings.ChildcareRetention); meetings.Store.ForgetChildcareClaims
-- deletes older ones for the retention job.
CREATE TABLE childcare_claims (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    meeting_id   uuid NOT NULL REFERENCES meetings(id),
    person_id    uuid NOT NULL REFERENCES persons(id),
    user_id      uuid NOT NULL REFERENCES users(id),
    minutes      integer NOT NULL CHECK (minutes > 0 AND minutes <= 24 * 60),
    amount_cents integer NOT NULL CHECK (amount_cents > 0),
    note         text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    state        text NOT NULL DEFAULT 'submitted' CHECK (state IN ('submitted', 'approved', 'rejected')),
    reason       text NOT NULL DEFAULT '' CHECK (length(reason) <= 1000),
    submitted_at timestamptz NOT NULL,
    decided_at   timestamptz,
    decided_by   uuid REFERENCES users(id),
    UNIQUE (meeting_id, person_id),
    CHECK ((state = 'submitted') = (decided_at IS NULL)),
    CHECK (state <> 'rejected' OR reason <> '')
);
CREATE INDEX childcare_claims_queue ON childcare_claims (submitted_at) WHERE state = 'submitted';
CREATE INDEX childcare_claims_user ON childcare_claims (user_id, submitted_at);
CREATE INDEX childcare_claims_decided ON childcare_claims (decided_at) WHERE decided_at IS NOT NULL;
COMMENT ON COLUMN childcare_claims.person_id IS 'pii:account';
COMMENT ON COLUMN childcare_claims.user_id IS 'pii:account';
COMMENT ON COLUMN childcare_claims.minutes IS 'pii:payment';
COMMENT ON COLUMN childcare_claims.amount_cents IS 'pii:payment';
COMMENT ON COLUMN childcare_claims.note IS 'pii:message';
COMMENT ON COLUMN childcare_claims.reason IS 'pii:message';

-- +goose Down
DROP TABLE childcare_claims, childcare_rules;
