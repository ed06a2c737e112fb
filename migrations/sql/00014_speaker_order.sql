-- +goose Up
-- The chair's order of the speakers' list: 0 for a request the chair has
-- not placed (the list's own order: points of order first, then first
-- contributions before further ones, by time); 1, 2, … for the waiting
-- requests in the order the chair set (move_request; docs/DOMAIN.md,
-- "Speakers' list"). Points of order stay first either way.
ALTER TABLE live_speakers ADD COLUMN place integer NOT NULL DEFAULT 0 CHECK (place >= 0);

-- +goose Down
ALTER TABLE live_speakers DROP COLUMN place;
