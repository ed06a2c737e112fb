-- +goose Up
-- Abuse reports (issue 19, "anti-abuse without surveillance"): anyone may
-- report a public contribution — a citizens' or group's motion, a public
-- question — as offensive, as exposing personal data, as spam or for
-- another reason; staff see the open reports and close each with what
-- they did. A report keeps the reporting account when there is one and no
-- address: the form's rate limit counts in account_requests, which forgets
-- after a day.
CREATE TABLE abuse_reports (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    target_kind text NOT NULL CHECK (target_kind IN ('initiative', 'question')),
    target_id   uuid NOT NULL,
    reason      text NOT NULL CHECK (reason IN ('offensive', 'personal_data', 'spam', 'other')),
    note        text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    reporter_id uuid REFERENCES users(id),
    created     timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,
    resolution  text NOT NULL DEFAULT '' CHECK (length(resolution) <= 1000)
);
CREATE INDEX abuse_reports_open ON abuse_reports (created) WHERE resolved_at IS NULL;
CREATE INDEX abuse_reports_target ON abuse_reports (target_kind, target_id);
COMMENT ON COLUMN abuse_reports.reporter_id IS 'pii:reporter';

-- +goose Down
DROP TABLE abuse_reports;
