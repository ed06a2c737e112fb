-- +goose Up
-- Routing of admitted motions (issue 19; docs/DOMAIN.md,
-- "Einwohnerantrag"): an admitted citizens' or group's motion goes to the
-- responsible body's next meeting whose agenda can still take it.
--
-- agenda_deadline_days: an admitted motion must be on a meeting's agenda
-- at least this many days before the meeting's day (the invitation period
-- of the main statute; a meeting nearer than that is skipped). This is not
-- motion_deadline_days, which is when a party group's motion must reach
-- the office before the meeting it names: routing starts only after the
-- clerk admitted a motion.
ALTER TABLE participation_rules
    ADD COLUMN agenda_deadline_days integer NOT NULL DEFAULT 7 CHECK (agenda_deadline_days BETWEEN 0 AND 365);

-- The body responsible for each kind of motion (e.g. the youth council's
-- motions go to the youth welfare committee); a kind without a row goes to
-- the council.
CREATE TABLE participation_routes (
    body_id         uuid NOT NULL REFERENCES bodies(id),
    kind            text NOT NULL CHECK (kind IN ('citizens', 'youth_council', 'community_group', 'party_group')),
    organization_id uuid NOT NULL REFERENCES organizations(id),
    PRIMARY KEY (body_id, kind)
);

-- +goose Down
DROP TABLE participation_routes;
ALTER TABLE participation_rules DROP COLUMN agenda_deadline_days;
