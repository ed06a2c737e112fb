-- +goose Up
-- Media-driven remote attendance (issue 6): a member is remote while a live
-- audio/video connection is up. live_media keeps, per member, the epoch of
-- their latest media connection and whether it is up. Every Connected bumps
-- the epoch; a leave after the grace period names the epoch it saw and is
-- ignored when a newer connection was recorded meanwhile (by any node), so
-- a late leave never undoes a reconnect.
CREATE TABLE live_media (
    meeting_id uuid NOT NULL,
    person_id  uuid NOT NULL,
    epoch      bigint NOT NULL CHECK (epoch > 0),
    connected  boolean NOT NULL,
    at         timestamptz NOT NULL,
    PRIMARY KEY (meeting_id, person_id),
    FOREIGN KEY (meeting_id, person_id) REFERENCES live_roster(meeting_id, person_id)
);

-- Who changed an attendance: the clerk (check-in), the system (media), ...
ALTER TABLE live_attendance ADD COLUMN via text NOT NULL DEFAULT ''
    CHECK (via IN ('', 'clerk', 'chair', 'member', 'system'));

-- When each agenda item was current, so the minutes can list attendance per
-- item: the attendance at started_at plus the live_attendance rows until
-- ended_at. ended_at is NULL for the current item.
CREATE TABLE live_item_periods (
    id         bigserial PRIMARY KEY,
    meeting_id uuid NOT NULL REFERENCES live_sessions(meeting_id),
    item_id    uuid NOT NULL REFERENCES agenda_items(id),
    started_at timestamptz NOT NULL,
    ended_at   timestamptz,
    CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE UNIQUE INDEX live_item_periods_open ON live_item_periods (meeting_id) WHERE ended_at IS NULL;

-- A Rüge's resolution: the chair's classification (repeat the affected step
-- or continue), an optional note and who resolved it.
ALTER TABLE live_complaints
    ADD COLUMN note text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    ADD COLUMN resolved_by uuid REFERENCES users(id),
    ADD CONSTRAINT live_complaints_classification CHECK (classification IN ('', 'repeat', 'continue')),
    ADD CONSTRAINT live_complaints_resolved CHECK ((resolved_at IS NULL) = (classification = ''));

-- +goose Down
ALTER TABLE live_complaints DROP CONSTRAINT live_complaints_resolved, DROP CONSTRAINT live_complaints_classification,
    DROP COLUMN resolved_by, DROP COLUMN note;
DROP TABLE live_item_periods;
ALTER TABLE live_attendance DROP COLUMN via;
DROP TABLE live_media;
