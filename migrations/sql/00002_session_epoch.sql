-- +goose Up
-- session_epoch ends every session of a user at once. A session stores the
-- epoch of its login; resetting the password or the second factor,
-- disabling the account and "log out everywhere" increment it, and a
-- session whose stored epoch differs is destroyed on its next request.
-- (scs keeps session data gob-encoded, so sessions cannot be found by user.)
ALTER TABLE users ADD COLUMN session_epoch integer NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE users DROP COLUMN session_epoch;
