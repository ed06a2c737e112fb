-- +goose Up
-- A councillor's own motion or inquiry (Antrag/Anfrage eines
-- Ratsmitglieds; issue 19, docs/DOMAIN.md, "Einwohnerantrag"): filed by a
-- current member of the council, a committee or a district council in
-- their own name, alone or with fellow councillors co-signing, rather than
-- on behalf of a party group. organization_id is the council (or
-- committee) the author files as a member of; the draft is shared with its
-- members, like a party group's with the group.
ALTER TABLE initiatives DROP CONSTRAINT initiatives_kind_check;
ALTER TABLE initiatives ADD CONSTRAINT initiatives_kind_check
    CHECK (kind IN ('citizens', 'youth_council', 'community_group', 'party_group', 'councillor'));
ALTER TABLE participation_routes DROP CONSTRAINT participation_routes_kind_check;
ALTER TABLE participation_routes ADD CONSTRAINT participation_routes_kind_check
    CHECK (kind IN ('citizens', 'youth_council', 'community_group', 'party_group', 'councillor'));

-- Visibility (docs/ARCHITECTURE.md, "A non-public state"): as in 00020,
-- and a councillor's motion, like a party group's, is internal to its
-- author, the co-signing councillors and the office until it is admitted;
-- then its Paper is the public record.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION initiative_public(i initiatives) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS 'SELECT NOT i.deleted AND i.state <> ''draft'' AND i.kind NOT IN (''party_group'', ''councillor'')
        AND (i.state <> ''withdrawn'' OR EXISTS (SELECT 1 FROM initiative_events e
            WHERE e.initiative_id = i.id AND e.state IN (''collecting'', ''submitted'')))';
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION initiative_public(i initiatives) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS 'SELECT NOT i.deleted AND i.state <> ''draft'' AND i.kind <> ''party_group''
        AND (i.state <> ''withdrawn'' OR EXISTS (SELECT 1 FROM initiative_events e
            WHERE e.initiative_id = i.id AND e.state IN (''collecting'', ''submitted'')))';
-- +goose StatementEnd
DELETE FROM initiative_signatures WHERE initiative_id IN (SELECT id FROM initiatives WHERE kind = 'councillor');
DELETE FROM initiative_events WHERE initiative_id IN (SELECT id FROM initiatives WHERE kind = 'councillor');
DELETE FROM initiatives WHERE kind = 'councillor';
ALTER TABLE participation_routes DROP CONSTRAINT participation_routes_kind_check;
ALTER TABLE participation_routes ADD CONSTRAINT participation_routes_kind_check
    CHECK (kind IN ('citizens', 'youth_council', 'community_group', 'party_group'));
ALTER TABLE initiatives DROP CONSTRAINT initiatives_kind_check;
ALTER TABLE initiatives ADD CONSTRAINT initiatives_kind_check
    CHECK (kind IN ('citizens', 'youth_council', 'community_group', 'party_group'));
