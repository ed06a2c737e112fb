-- +goose Up
-- Ingest tokens for WHIP (RFC 9725): the room's camera and audio mixer
-- (OBS Studio, a hardware encoder) send the "room" source of a meeting with
-- Authorization: Bearer <token>. The chair or a clerk creates a token on
-- the live console and sees it once; only its SHA-256 is stored. A token
-- is valid for its meeting until it is revoked.
CREATE TABLE media_tokens (
    id         uuid PRIMARY KEY,
    meeting_id uuid NOT NULL REFERENCES meetings(id),
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    label      text NOT NULL DEFAULT '' CHECK (length(label) <= 200),
    created_by uuid REFERENCES users(id),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    CHECK (revoked_at IS NULL OR revoked_at >= created_at)
);
CREATE INDEX media_tokens_meeting ON media_tokens (meeting_id, created_at);

-- +goose Down
DROP TABLE media_tokens;
