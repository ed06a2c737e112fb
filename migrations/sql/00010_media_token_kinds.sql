-- +goose Up
-- Media tokens come in two kinds: 'whip' lets an encoder send the room's
-- source (as before), 'whep' lets a player (the city's stream, a restreaming
-- server, a media centre) watch the public programme over WHEP. Each
-- token is valid for its meeting and kind only, until revoked.
ALTER TABLE media_tokens ADD COLUMN kind text NOT NULL DEFAULT 'whip' CHECK (kind IN ('whip', 'whep'));

-- +goose Down
ALTER TABLE media_tokens DROP COLUMN kind;
