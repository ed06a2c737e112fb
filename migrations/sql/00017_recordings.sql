-- +goose Up
-- Recording of live sessions (docs/ARCHITECTURE.md, "Recording"). A
-- meeting is recorded when its record flag is set; the recorder writes the
-- public programme of the public part only, one segment per stretch of an
-- agenda item (a non-public part ends the stretch). Each segment's WebM
-- blob lives in the content-addressed store (<data dir>/files, like the
-- files' blobs; `plenar documents gc` keeps blobs a recording names).
-- Recordings are not files: they are not attached to meetings as OParl
-- files, not extracted and not indexed.
ALTER TABLE meetings ADD COLUMN record boolean NOT NULL DEFAULT false;

CREATE TABLE recordings (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    meeting_id     uuid NOT NULL REFERENCES meetings(id),
    -- agenda_item_id: the item the segment belongs to; NULL before the
    -- first item (the opening).
    agenda_item_id uuid REFERENCES agenda_items(id),
    started        timestamptz NOT NULL,
    duration_ms    bigint NOT NULL CHECK (duration_ms >= 0),
    mime_type      text NOT NULL DEFAULT 'video/webm' CHECK (mime_type <> ''),
    size           bigint NOT NULL CHECK (size > 0),
    sha512         text NOT NULL CHECK (sha512 ~ '^[0-9a-f]{128}$'),
    width          integer NOT NULL DEFAULT 0,
    height         integer NOT NULL DEFAULT 0,
    created        timestamptz NOT NULL DEFAULT now(),
    modified       timestamptz NOT NULL DEFAULT now(),
    deleted        boolean NOT NULL DEFAULT false
);
CREATE INDEX recordings_meeting ON recordings (meeting_id, started) WHERE NOT deleted;
CREATE INDEX recordings_sha512 ON recordings (sha512);

-- A recording is public when its meeting's agenda is public and its item
-- (if any) is a public item (agenda_item_public), and neither it nor its
-- meeting is deleted. The recorder never writes the non-public part; this
-- rule keeps a segment away from the public when its item is later made
-- non-public or its meeting is withdrawn. Members and staff see the
-- recordings that are not deleted. A view (docs/ARCHITECTURE.md, "A
-- non-public state"): readers select from it and never write the rule.
CREATE VIEW public_recordings AS
    SELECT r.*
    FROM recordings r JOIN meetings m ON m.id = r.meeting_id
        LEFT JOIN agenda_items i ON i.id = r.agenda_item_id
    WHERE NOT r.deleted AND agenda_public(m)
        AND (r.agenda_item_id IS NULL OR agenda_item_public(i, m));

-- +goose Down
DROP VIEW public_recordings;
DROP TABLE recordings;
ALTER TABLE meetings DROP COLUMN record;
