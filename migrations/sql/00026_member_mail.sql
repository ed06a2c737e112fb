-- +goose Up
-- Members' mail (issue 20): the invitation with its iCalendar file, the
-- note that an invited meeting's agenda changed, the minutes to approve.
--
-- attachments: files sent with a message, as a JSON array of
-- {"name", "type", "data" (base64)}; small ones only (an .ics of a few
-- kilobytes). They are stored, not rebuilt at send time, so a message
-- is exactly what its change committed, like its text.
--
-- coalesce_key: a message with a key is not queued again while one with
-- the same key is still waiting for its first attempt (Enqueue); the
-- agenda-change note uses it with a delay so that a burst of edits sends
-- one message per member.
ALTER TABLE mail_outbox
    ADD COLUMN attachments  jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN coalesce_key text NOT NULL DEFAULT '';
CREATE INDEX mail_outbox_coalesce ON mail_outbox (coalesce_key) WHERE state = 'queued' AND coalesce_key <> '';
COMMENT ON COLUMN mail_outbox.attachments IS 'pii:message';

-- +goose Down
DROP INDEX mail_outbox_coalesce;
ALTER TABLE mail_outbox DROP COLUMN coalesce_key, DROP COLUMN attachments;
