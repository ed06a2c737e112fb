-- +goose Up
-- Importing a whole city over OParl (docs/OPARL.md, "Import"):
-- the source's own labels, consultations that name a meeting but no agenda
-- item, the source's web pages and file links, and file downloads that a
-- run defers to the server's background job.

-- OParl's paperType and organizationType are free text. Plenar keeps the
-- source's label as it was and maps it to one of its kinds; 'other' when
-- the mapping is unsure (docs/OPARL.md, "Types").
ALTER TABLE papers ADD COLUMN paper_type_name text NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN organization_type_name text NOT NULL DEFAULT '';
ALTER TABLE papers DROP CONSTRAINT papers_paper_type_check;
ALTER TABLE papers ADD CONSTRAINT papers_paper_type_check CHECK (paper_type IN ('resolution','information','motion',
    'amendment','inquiry','citizens_motion','report','other'));
ALTER TABLE organizations DROP CONSTRAINT organizations_kind_check;
ALTER TABLE organizations ADD CONSTRAINT organizations_kind_check CHECK (kind IN ('council','committee','district_council',
    'youth_council','citizens_assembly','advisory_board','party_group','party','community_group','administration','other'));

-- A consultation may name its meeting without an agenda item (OParl 1.1
-- Consultation.meeting); with an agenda item, the item's meeting counts.
ALTER TABLE consultations ADD COLUMN meeting_id uuid REFERENCES meetings(id);
CREATE INDEX consultations_meeting ON consultations (meeting_id) WHERE meeting_id IS NOT NULL;

-- OParl's Body.location and Paper.location (the places a paper is
-- about): kept, not dropped.
ALTER TABLE bodies ADD COLUMN location_id uuid REFERENCES locations(id);
CREATE TABLE paper_locations (
    paper_id    uuid NOT NULL REFERENCES papers(id),
    location_id uuid NOT NULL REFERENCES locations(id),
    PRIMARY KEY (paper_id, location_id)
);

-- The source's web page of an imported object ("Original im bisherigen
-- Ratsinformationssystem").
ALTER TABLE import_sources ADD COLUMN web_url text NOT NULL DEFAULT '';
-- A digest of the source's JSON: an object without modified is skipped
-- when it did not change (the body was re-imported on every run).
ALTER TABLE import_sources ADD COLUMN source_hash text NOT NULL DEFAULT '';

-- File downloads: how often a file failed and why, and whether the run
-- left it to the server's background job (plenar import oparl --files=later).
ALTER TABLE import_files ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE import_files ADD COLUMN last_error text NOT NULL DEFAULT '';
ALTER TABLE import_files ADD COLUMN deferred boolean NOT NULL DEFAULT false;
CREATE INDEX import_files_pending ON import_files (created) WHERE file_id IS NULL AND NOT deleted;

-- +goose Down
DROP INDEX import_files_pending;
ALTER TABLE import_files DROP COLUMN deferred, DROP COLUMN last_error, DROP COLUMN attempts;
ALTER TABLE import_sources DROP COLUMN web_url, DROP COLUMN source_hash;
ALTER TABLE consultations DROP COLUMN meeting_id;
DROP TABLE paper_locations;
ALTER TABLE bodies DROP COLUMN location_id;
UPDATE papers SET paper_type = 'information' WHERE paper_type = 'other';
UPDATE organizations SET kind = 'community_group' WHERE kind = 'other';
ALTER TABLE papers DROP CONSTRAINT papers_paper_type_check;
ALTER TABLE papers ADD CONSTRAINT papers_paper_type_check CHECK (paper_type IN ('resolution','information','motion',
    'amendment','inquiry','citizens_motion','report'));
ALTER TABLE organizations DROP CONSTRAINT organizations_kind_check;
ALTER TABLE organizations ADD CONSTRAINT organizations_kind_check CHECK (kind IN ('council','committee','district_council',
    'youth_council','citizens_assembly','advisory_board','party_group','party','community_group','administration'));
ALTER TABLE organizations DROP COLUMN organization_type_name;
ALTER TABLE papers DROP COLUMN paper_type_name;
