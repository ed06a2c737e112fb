-- +goose Up
-- The minutes (Niederschrift) of a meeting (docs/DOMAIN.md, "Niederschrift").
-- The draft is derived from the live session's log on demand and never
-- stored; what the clerk adds is a layer on top of it: minutes_edits keeps
-- every edit (the newest per item and field counts, the older ones are the
-- history), so the log's own values stay visible next to the edits. A later
-- meeting of the same organization approves the minutes by an agenda item
-- linked to them (agenda_items.approves_minutes_of) and its poll; approval
-- freezes the minutes: the approved document is stored as JSON with its
-- SHA-256, and from then on only an addendum can be added.
CREATE TABLE minutes (
    meeting_id       uuid PRIMARY KEY REFERENCES meetings(id),
    state            text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft','approved')),
    approved_at      timestamptz,
    approved_by_item uuid REFERENCES agenda_items(id),
    approved_by_poll uuid REFERENCES polls(id),
    frozen           jsonb,                 -- the members' version as approved
    hash             text NOT NULL DEFAULT '',  -- hex SHA-256 of frozen
    public_hash      text NOT NULL DEFAULT '',  -- hex SHA-256 of the public version of frozen
    created          timestamptz NOT NULL DEFAULT now(),
    modified         timestamptz NOT NULL DEFAULT now(),
    CHECK ((state = 'approved') = (approved_at IS NOT NULL AND frozen IS NOT NULL AND hash <> '' AND public_hash <> ''))
);

CREATE TABLE minutes_edits (
    id         bigserial PRIMARY KEY,
    meeting_id uuid NOT NULL REFERENCES meetings(id),
    item_id    uuid REFERENCES agenda_items(id),  -- NULL: the minutes as a whole
    field      text NOT NULL CHECK (field IN ('resolution_text','result','notes','correction','addendum')),
    value      text NOT NULL CHECK (length(value) <= 100000),
    reason     text NOT NULL DEFAULT '' CHECK (length(reason) <= 2000),
    author_id  uuid REFERENCES users(id),
    at         timestamptz NOT NULL DEFAULT now(),
    CHECK (field NOT IN ('correction','addendum') OR (btrim(reason) <> '' AND btrim(value) <> ''))
);
CREATE INDEX minutes_edits_meeting ON minutes_edits (meeting_id, id);

ALTER TABLE agenda_items ADD COLUMN approves_minutes_of uuid REFERENCES meetings(id);
CREATE INDEX agenda_items_approves_minutes ON agenda_items (approves_minutes_of) WHERE approves_minutes_of IS NOT NULL;

-- Visibility (docs/ARCHITECTURE.md, "A non-public state"): the public sees
-- minutes once they are approved, of a meeting that is not deleted, and
-- then only their public version (meetings.MinutesRecord.Public); drafts
-- and edits are for the organization's members and the staff.
-- +goose StatementBegin
CREATE FUNCTION minutes_published(x minutes) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT x.state = 'approved' $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION minutes_public(x minutes, m meetings) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT minutes_published(x) AND NOT m.deleted $$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION minutes_public(minutes, meetings);
DROP FUNCTION minutes_published(minutes);
DROP INDEX agenda_items_approves_minutes;
ALTER TABLE agenda_items DROP COLUMN approves_minutes_of;
DROP TABLE minutes_edits;
DROP TABLE minutes;
