-- +goose Up
-- The decision trail, Beschlusskontrolle (docs/DOMAIN.md, "Beschlusskontrolle";
-- issue 18, point 5): for every decided paper an implementation record —
-- the responsible office, the status (open, in progress, done, not
-- implemented with the reason), the due date, dated progress notes, the
-- follow-up papers — and the history of its status changes (the page's
-- history and the Atom feed).
--
-- The record hangs on the paper, not on the deciding agenda item: a
-- resolution is about a paper, which may be decided in several steps
-- (an advisory committee, then the council; referred back and decided
-- again), and OParl publishes it on the Paper (plenar:implementation,
-- docs/OPARL.md). The deciding agenda item is read from the consultation
-- path. One live record per paper.

CREATE TABLE implementations (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    paper_id   uuid NOT NULL REFERENCES papers(id),
    office     text NOT NULL DEFAULT '' CHECK (length(office) <= 300),
    status     text NOT NULL DEFAULT 'open' CHECK (status IN ('open','in_progress','done','not_implemented')),
    reason     text NOT NULL DEFAULT '' CHECK (length(reason) <= 5000),
    due_date   date,
    created    timestamptz NOT NULL DEFAULT now(),
    modified   timestamptz NOT NULL DEFAULT now(),
    deleted    boolean NOT NULL DEFAULT false,
    -- Not implemented needs its reason (council.Implementation.Validate
    -- says so in the user's words first).
    CONSTRAINT implementations_not_implemented_reason CHECK (status <> 'not_implemented' OR btrim(reason) <> '')
);
CREATE UNIQUE INDEX implementations_paper ON implementations (paper_id) WHERE NOT deleted;
CREATE INDEX implementations_status ON implementations (status, due_date) WHERE NOT deleted;

-- Progress notes (Sachstand), dated by the staff; the author is a user
-- account and never shown to the public.
CREATE TABLE implementation_notes (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    implementation_id uuid NOT NULL REFERENCES implementations(id),
    date              date NOT NULL,
    text              text NOT NULL CHECK (btrim(text) <> '' AND length(text) <= 5000),
    author_id         uuid REFERENCES users(id),
    created           timestamptz NOT NULL DEFAULT now(),
    deleted           boolean NOT NULL DEFAULT false
);
CREATE INDEX implementation_notes_impl ON implementation_notes (implementation_id, date) WHERE NOT deleted;

-- Follow-up papers: a report on the implementation, a new draft
-- resolution, a budget motion.
CREATE TABLE implementation_follow_ups (
    implementation_id uuid NOT NULL REFERENCES implementations(id),
    paper_id          uuid NOT NULL REFERENCES papers(id),
    created           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (implementation_id, paper_id)
);

-- Every status a record took, with when and who (the first row is the
-- status it was created with): the page's history and the feed.
CREATE TABLE implementation_events (
    id                bigserial PRIMARY KEY,
    implementation_id uuid NOT NULL REFERENCES implementations(id),
    at                timestamptz NOT NULL DEFAULT now(),
    status            text NOT NULL CHECK (status IN ('open','in_progress','done','not_implemented')),
    reason            text NOT NULL DEFAULT '',
    actor_id          uuid REFERENCES users(id)
);
CREATE INDEX implementation_events_impl ON implementation_events (implementation_id, at);
CREATE INDEX implementation_events_at ON implementation_events (at DESC);

-- Visibility (docs/ARCHITECTURE.md, "A non-public state"): an
-- implementation record is public exactly when its paper is; it has no
-- state of its own that hides it. Readers call these functions, never
-- paper_public on their own, so that a state of the record's own (a
-- record "not yet released", say) is one condition here.
-- +goose StatementBegin
CREATE FUNCTION implementation_published(i implementations, p papers) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT i.paper_id = p.id AND paper_published(p) $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION implementation_public(i implementations, p papers) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT implementation_published(i, p) AND NOT i.deleted AND NOT p.deleted $$;
-- +goose StatementEnd

-- Members and staff see the record wherever they see its paper
-- (paper_visible_to); used for one paper at a time, as that function is.
-- +goose StatementBegin
CREATE FUNCTION implementation_visible_to(i implementations, p papers, viewer_role text, viewer_orgs uuid[]) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT i.paper_id = p.id AND NOT i.deleted AND paper_visible_to(p, viewer_role, viewer_orgs) $$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION implementation_visible_to(implementations, papers, text, uuid[]);
DROP FUNCTION implementation_public(implementations, papers);
DROP FUNCTION implementation_published(implementations, papers);
DROP TABLE implementation_events, implementation_follow_ups, implementation_notes, implementations;
