-- +goose Up
-- Motions from outside the back office (issue 19; docs/DOMAIN.md,
-- "Einwohnerantrag"): an initiative is a motion a citizen (Einwohnerantrag),
-- the representative of a youth council or community group, or a party
-- group (Fraktion: a motion or a question) files, and that the clerk
-- admits into a council Paper, or rejects (returns) with a reason.
--
-- A citizens' motion is drafted (private to its author), published for
-- co-signing (collecting; public), submitted once it has enough
-- signatures, then admitted or rejected by the clerk; the author may
-- withdraw it until it is admitted. A group's motion is submitted on the
-- group's behalf (after the group's own decision, optionally its meeting)
-- and carries an answer obligation: a due date by which the body must have
-- decided or the administration answered.

-- The rules of the municipality (docs/DOMAIN.md, "Einwohnerantrag"): how
-- many co-signers a citizens' motion needs (an absolute number, or a share
-- of the inhabitants, whichever the Land's law names; the larger of both
-- counts when both are set), from what age one may sign, how long
-- signatures are collected, and how long the administration has to answer
-- a group's motion.
CREATE TABLE participation_rules (
    body_id          uuid PRIMARY KEY REFERENCES bodies(id),
    inhabitants      integer NOT NULL DEFAULT 0 CHECK (inhabitants >= 0),
    threshold        integer NOT NULL DEFAULT 0 CHECK (threshold >= 0),
    threshold_share  numeric(6,5) NOT NULL DEFAULT 0 CHECK (threshold_share >= 0 AND threshold_share <= 1),
    min_age          integer NOT NULL DEFAULT 14 CHECK (min_age BETWEEN 0 AND 100),
    -- A party group's motion must reach the office this many days before
    -- the meeting it is meant for (the main statute's Antragsfrist).
    motion_deadline_days integer NOT NULL DEFAULT 10 CHECK (motion_deadline_days BETWEEN 0 AND 365),
    collect_days     integer NOT NULL DEFAULT 90 CHECK (collect_days BETWEEN 1 AND 3650),
    answer_days      integer NOT NULL DEFAULT 90 CHECK (answer_days BETWEEN 1 AND 3650),
    modified         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE initiatives (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    body_id         uuid NOT NULL REFERENCES bodies(id),
    kind            text NOT NULL CHECK (kind IN ('citizens', 'youth_council', 'community_group', 'party_group')),
    paper_type      text NOT NULL DEFAULT 'motion' CHECK (paper_type IN ('motion', 'inquiry')),
    author_id       uuid NOT NULL REFERENCES users(id),
    -- The youth council or community group on whose behalf a group's
    -- motion is filed, and its meeting that decided to file it.
    organization_id uuid REFERENCES organizations(id),
    group_meeting_id uuid REFERENCES meetings(id),
    meeting_id      uuid REFERENCES meetings(id), -- a party group's motion: the meeting it is for
    title           text NOT NULL CHECK (btrim(title) <> '' AND length(title) <= 300),
    text            text NOT NULL CHECK (btrim(text) <> '' AND length(text) <= 20000),
    reasoning       text NOT NULL DEFAULT '' CHECK (length(reasoning) <= 20000),
    state           text NOT NULL DEFAULT 'draft'
                    CHECK (state IN ('draft', 'collecting', 'submitted', 'admitted', 'rejected', 'returned', 'withdrawn')),
    threshold       integer NOT NULL DEFAULT 0 CHECK (threshold >= 0), -- fixed when published
    min_age         integer NOT NULL DEFAULT 0,
    deadline        date,                 -- signatures until (citizens)
    reason          text NOT NULL DEFAULT '' CHECK (length(reason) <= 5000), -- rejection
    paper_id        uuid REFERENCES papers(id), -- the Paper an admitted motion became
    due_date        date,                 -- answer obligation (groups), set on admission
    answer          text NOT NULL DEFAULT '' CHECK (length(answer) <= 20000),
    answered_at     timestamptz,
    reminded_at     timestamptz,          -- staff were reminded of the coming due date
    created         timestamptz NOT NULL DEFAULT now(),
    modified        timestamptz NOT NULL DEFAULT now(),
    deleted         boolean NOT NULL DEFAULT false,
    CONSTRAINT initiatives_group CHECK ((kind = 'citizens') = (organization_id IS NULL)),
    CONSTRAINT initiatives_rejected_reason CHECK (state NOT IN ('rejected', 'returned') OR btrim(reason) <> ''),
    CONSTRAINT initiatives_admitted_paper CHECK (state <> 'admitted' OR paper_id IS NOT NULL)
);
CREATE INDEX initiatives_state ON initiatives (body_id, state, modified DESC) WHERE NOT deleted;
CREATE INDEX initiatives_author ON initiatives (author_id) WHERE NOT deleted;

-- Co-signatures: of a citizens' motion, one per resident's account (the
-- count is public, the names never: no public reader selects user_id); of
-- a party group's motion, its members who co-sign (shown to the group and
-- the office).
CREATE TABLE initiative_signatures (
    initiative_id uuid NOT NULL REFERENCES initiatives(id),
    user_id       uuid NOT NULL REFERENCES users(id),
    signed_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (initiative_id, user_id)
);
COMMENT ON COLUMN initiative_signatures.user_id IS 'pii:signature';

-- Every step with its date (the public timeline): created, published,
-- submitted, admitted, rejected, withdrawn, answered.
CREATE TABLE initiative_events (
    id            bigserial PRIMARY KEY,
    initiative_id uuid NOT NULL REFERENCES initiatives(id),
    at            timestamptz NOT NULL DEFAULT now(),
    state         text NOT NULL,
    note          text NOT NULL DEFAULT ''
);
CREATE INDEX initiative_events_initiative ON initiative_events (initiative_id, at);

-- Visibility (docs/ARCHITECTURE.md, "A non-public state"): an initiative
-- is public once it left its author's draft — published for co-signing,
-- submitted, decided, or withdrawn after it was public — and not
-- deleted. A draft, and a motion withdrawn while still a draft, stay
-- private to the author (and staff). A party group's motion is internal
-- to the group and the office until it is admitted; then its Paper is the
-- public record. Readers call this function.
-- +goose StatementBegin
CREATE FUNCTION initiative_public(i initiatives) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS 'SELECT NOT i.deleted AND i.state <> ''draft'' AND i.kind <> ''party_group''
        AND (i.state <> ''withdrawn'' OR EXISTS (SELECT 1 FROM initiative_events e
            WHERE e.initiative_id = i.id AND e.state IN (''collecting'', ''submitted'')))';
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION initiative_public(initiatives);
DROP TABLE initiative_events;
DROP TABLE initiative_signatures;
DROP TABLE initiatives;
DROP TABLE participation_rules;
