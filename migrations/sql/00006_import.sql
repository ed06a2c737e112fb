-- +goose Up
-- OParl importer (plenar import oparl): which source object became which
-- local row, how far each list got, and file metadata awaiting download.

-- One row per imported source object, written in the same transaction as
-- the object, so a re-run finds it and an interrupted run never leaves an
-- object without its mapping (or a mapping without its object).
CREATE TABLE import_sources (
    source_url      text PRIMARY KEY,
    entity          text NOT NULL,
    local_id        uuid NOT NULL,
    source_modified timestamptz,
    imported        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX import_sources_local ON import_sources (entity, local_id);

-- One row per run against a system; finished is NULL while it is in
-- progress (an interrupted run is resumed by the next invocation).
CREATE TABLE import_runs (
    id          bigserial PRIMARY KEY,
    system_url  text NOT NULL,
    since       timestamptz,
    started     timestamptz NOT NULL DEFAULT now(),
    finished    timestamptz
);
CREATE INDEX import_runs_system ON import_runs (system_url, started);

-- Progress per list of a run: the next page to read, or done.
CREATE TABLE import_progress (
    run_id    bigint NOT NULL REFERENCES import_runs(id),
    list_url  text NOT NULL,
    next_url  text NOT NULL DEFAULT '',
    done      boolean NOT NULL DEFAULT false,
    modified  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, list_url)
);

-- File metadata of imported OParl File objects. The blob is not downloaded
-- yet (files requires its sha512 and size), so the metadata waits here
-- with the links to the objects it belongs to.
CREATE TABLE import_files (
    source_url   text PRIMARY KEY,
    name         text NOT NULL DEFAULT '',
    file_name    text NOT NULL DEFAULT '',
    mime_type    text NOT NULL DEFAULT '',
    size         bigint,
    sha512       text NOT NULL DEFAULT '',
    access_url   text NOT NULL DEFAULT '',
    download_url text NOT NULL DEFAULT '',
    date         date,
    license      text NOT NULL DEFAULT '',
    -- links: [{"entity": "paper", "id": "<local uuid>", "role": "main"}, …]
    links        jsonb NOT NULL DEFAULT '[]',
    file_id      uuid REFERENCES files(id),
    created      timestamptz NOT NULL DEFAULT now(),
    modified     timestamptz NOT NULL DEFAULT now(),
    deleted      boolean NOT NULL DEFAULT false
);
COMMENT ON COLUMN import_files.name IS 'pii:document';
COMMENT ON COLUMN import_files.file_name IS 'pii:document';

-- +goose Down
DROP TABLE import_files, import_progress, import_runs, import_sources;
