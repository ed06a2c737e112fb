-- +goose Up
-- Search reads the start of each hit's text for its snippet (substr of up
-- to ~16,000 characters per hit, ten hits per page). Long texts are stored
-- compressed; lz4 decompresses that slice several times faster than the
-- default pglz (benchmark: the text read of a results page 1.6 → 1.1 ms).
-- Only values written from now on use lz4; older ones stay pglz and read as
-- before. A server built without lz4 keeps pglz.
-- +goose StatementBegin
DO $$
BEGIN
    ALTER TABLE papers ALTER COLUMN text SET COMPRESSION lz4;
    ALTER TABLE files ALTER COLUMN text SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'PostgreSQL without lz4: texts stay pglz-compressed';
END $$;
-- +goose StatementEnd

-- +goose Down
ALTER TABLE papers ALTER COLUMN text SET COMPRESSION DEFAULT;
ALTER TABLE files ALTER COLUMN text SET COMPRESSION DEFAULT;
