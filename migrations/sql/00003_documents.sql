-- +goose Up
-- Files (OParl File): metadata rows for content-addressed blobs that live
-- under <data dir>/files/<sha512[0:2]>/<sha512[2:4]>/<sha512>. A blob is
-- written and fsynced before its row commits, so a row never lacks its
-- blob; blobs without rows are removed by `plenar documents gc`.
CREATE TABLE files (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL DEFAULT '',
    file_name   text NOT NULL CHECK (btrim(file_name) <> ''),
    mime_type   text NOT NULL CHECK (mime_type <> ''),
    size        bigint NOT NULL CHECK (size > 0),
    sha512      text NOT NULL CHECK (sha512 ~ '^[0-9a-f]{128}$'),
    date        date,
    license     text NOT NULL DEFAULT '',
    public      boolean NOT NULL DEFAULT true,
    -- master_id: the file this one derives from (a new version or a
    -- conversion); OParl's masterFile/derivativeFile.
    master_id   uuid REFERENCES files(id),
    -- text: extracted for search and OParl File.text; NULL until extracted.
    text        text,
    created     timestamptz NOT NULL DEFAULT now(),
    modified    timestamptz NOT NULL DEFAULT now(),
    deleted     boolean NOT NULL DEFAULT false,
    CHECK (master_id IS NULL OR master_id <> id)
);
-- Documents may name people (citizens' motions, inquiries).
COMMENT ON COLUMN files.name IS 'pii:document';
COMMENT ON COLUMN files.file_name IS 'pii:document';
COMMENT ON COLUMN files.text IS 'pii:document';
CREATE INDEX files_sha512 ON files (sha512);
CREATE INDEX files_master ON files (master_id) WHERE master_id IS NOT NULL;

-- Links: OParl Paper.mainFile/auxiliaryFile, Meeting.invitation/
-- resultsProtocol/verbatimProtocol/auxiliaryFile, AgendaItem.resolutionFile/
-- auxiliaryFile.
CREATE TABLE paper_files (
    paper_id uuid NOT NULL REFERENCES papers(id),
    file_id  uuid NOT NULL REFERENCES files(id),
    role     text NOT NULL DEFAULT 'auxiliary' CHECK (role IN ('main','auxiliary')),
    PRIMARY KEY (paper_id, file_id)
);
CREATE INDEX paper_files_file ON paper_files (file_id);

CREATE TABLE meeting_files (
    meeting_id uuid NOT NULL REFERENCES meetings(id),
    file_id    uuid NOT NULL REFERENCES files(id),
    role       text NOT NULL DEFAULT 'auxiliary' CHECK (role IN ('invitation','results_protocol',
                   'verbatim_protocol','auxiliary')),
    PRIMARY KEY (meeting_id, file_id)
);
CREATE INDEX meeting_files_file ON meeting_files (file_id);

CREATE TABLE agenda_item_files (
    agenda_item_id uuid NOT NULL REFERENCES agenda_items(id),
    file_id        uuid NOT NULL REFERENCES files(id),
    role           text NOT NULL DEFAULT 'auxiliary' CHECK (role IN ('resolution','auxiliary')),
    PRIMARY KEY (agenda_item_id, file_id)
);
CREATE INDEX agenda_item_files_file ON agenda_item_files (file_id);

-- Text extraction jobs, one per file. Workers claim due rows with
-- FOR UPDATE SKIP LOCKED and hold a lease (locked_until) while they work,
-- so a crashed worker's job is picked up again; failures retry with
-- backoff until attempts run out.
CREATE TABLE file_text_jobs (
    file_id      uuid PRIMARY KEY REFERENCES files(id),
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','running','done','failed')),
    attempts     integer NOT NULL DEFAULT 0,
    run_after    timestamptz NOT NULL DEFAULT now(),
    locked_until timestamptz,
    method       text NOT NULL DEFAULT '',
    pages        integer NOT NULL DEFAULT 0,
    last_error   text NOT NULL DEFAULT '',
    created      timestamptz NOT NULL DEFAULT now(),
    modified     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX file_text_jobs_due ON file_text_jobs (run_after) WHERE status IN ('pending','running');

-- +goose Down
DROP TABLE file_text_jobs, agenda_item_files, meeting_files, paper_files, files;
