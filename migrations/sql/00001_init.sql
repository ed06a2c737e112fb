-- +goose Up
-- Plenar's initial schema. The model follows OParl 1.1: every object has a
-- stable UUID id, created/modified timestamps and a soft "deleted" flag.
-- Columns holding personal data carry a comment "pii:<class>" so that
-- retention, export and erasure can find them (docs/DOMAIN.md, "Personal data").

CREATE TABLE bodies (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (btrim(name) <> ''),
    short_name  text NOT NULL DEFAULT '',
    website     text NOT NULL DEFAULT '',
    license     text NOT NULL DEFAULT '',
    ags         text NOT NULL DEFAULT '',
    rgs         text NOT NULL DEFAULT '',
    classification text NOT NULL DEFAULT '',
    created     timestamptz NOT NULL DEFAULT now(),
    modified    timestamptz NOT NULL DEFAULT now(),
    deleted     boolean NOT NULL DEFAULT false
);

CREATE TABLE legislative_terms (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    body_id     uuid NOT NULL REFERENCES bodies(id),
    name        text NOT NULL CHECK (btrim(name) <> ''),
    start_date  date,
    end_date    date,
    created     timestamptz NOT NULL DEFAULT now(),
    modified    timestamptz NOT NULL DEFAULT now(),
    deleted     boolean NOT NULL DEFAULT false,
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);

CREATE TABLE locations (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    body_id        uuid NOT NULL REFERENCES bodies(id),
    description    text NOT NULL DEFAULT '',
    street_address text NOT NULL DEFAULT '',
    room           text NOT NULL DEFAULT '',
    postal_code    text NOT NULL DEFAULT '',
    locality       text NOT NULL DEFAULT '',
    lat            double precision CHECK (lat BETWEEN -90 AND 90),
    lon            double precision CHECK (lon BETWEEN -180 AND 180),
    created        timestamptz NOT NULL DEFAULT now(),
    modified       timestamptz NOT NULL DEFAULT now(),
    deleted        boolean NOT NULL DEFAULT false,
    CHECK ((lat IS NULL) = (lon IS NULL))
);

CREATE TABLE organizations (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    body_id         uuid NOT NULL REFERENCES bodies(id),
    name            text NOT NULL CHECK (btrim(name) <> ''),
    short_name      text NOT NULL DEFAULT '',
    kind            text NOT NULL CHECK (kind IN ('council','committee','district_council',
                        'youth_council','citizens_assembly','advisory_board','party_group',
                        'party','community_group','administration')),
    classification  text NOT NULL DEFAULT '',
    parent_id       uuid REFERENCES organizations(id),
    statutory_seats integer CHECK (statutory_seats IS NULL OR statutory_seats > 0),
    location_id     uuid REFERENCES locations(id),
    website         text NOT NULL DEFAULT '',
    start_date      date,
    end_date        date,
    created         timestamptz NOT NULL DEFAULT now(),
    modified        timestamptz NOT NULL DEFAULT now(),
    deleted         boolean NOT NULL DEFAULT false,
    CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX organizations_body_kind ON organizations (body_id, kind) WHERE NOT deleted;

CREATE TABLE persons (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    body_id         uuid NOT NULL REFERENCES bodies(id),
    family_name     text NOT NULL CHECK (btrim(family_name) <> ''),
    given_name      text NOT NULL DEFAULT '',
    title           text NOT NULL DEFAULT '',
    form_of_address text NOT NULL DEFAULT '',
    affix           text NOT NULL DEFAULT '',
    gender          text NOT NULL DEFAULT '' CHECK (gender IN ('','female','male','other')),
    email           text NOT NULL DEFAULT '',
    phone           text NOT NULL DEFAULT '',
    life_source     text NOT NULL DEFAULT '',
    created         timestamptz NOT NULL DEFAULT now(),
    modified        timestamptz NOT NULL DEFAULT now(),
    deleted         boolean NOT NULL DEFAULT false
);
COMMENT ON COLUMN persons.email IS 'pii:contact';
COMMENT ON COLUMN persons.phone IS 'pii:contact';
COMMENT ON COLUMN persons.gender IS 'pii:profile';
CREATE INDEX persons_name ON persons (family_name, given_name) WHERE NOT deleted;

CREATE TABLE memberships (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    person_id       uuid NOT NULL REFERENCES persons(id),
    organization_id uuid NOT NULL REFERENCES organizations(id),
    role            text NOT NULL DEFAULT '',
    voting_right    boolean NOT NULL DEFAULT true,
    substitute      boolean NOT NULL DEFAULT false,
    on_behalf_of_id uuid REFERENCES organizations(id),
    start_date      date,
    end_date        date,
    created         timestamptz NOT NULL DEFAULT now(),
    modified        timestamptz NOT NULL DEFAULT now(),
    deleted         boolean NOT NULL DEFAULT false,
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
CREATE INDEX memberships_org ON memberships (organization_id) WHERE NOT deleted;
CREATE INDEX memberships_person ON memberships (person_id) WHERE NOT deleted;

-- Papers (Vorlagen, Anträge, Anfragen …). reference is assigned on
-- submission from paper_counters: per body, prefix (derived from the type)
-- and year, e.g. "A0123/26".
CREATE TABLE papers (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    body_id         uuid NOT NULL REFERENCES bodies(id),
    name            text NOT NULL CHECK (btrim(name) <> ''),
    paper_type      text NOT NULL CHECK (paper_type IN ('resolution','information','motion',
                        'amendment','inquiry','citizens_motion','report')),
    reference       text,
    ref_prefix      text,
    ref_year        integer,
    ref_seq         integer,
    date            date,
    text            text NOT NULL DEFAULT '',
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','submitted',
                        'in_consultation','decided','implementation','done','withdrawn',
                        'referred_back','adjourned')),
    public          boolean NOT NULL DEFAULT true,
    lead_org_id     uuid REFERENCES organizations(id),
    created         timestamptz NOT NULL DEFAULT now(),
    modified        timestamptz NOT NULL DEFAULT now(),
    deleted         boolean NOT NULL DEFAULT false,
    UNIQUE (body_id, ref_prefix, ref_year, ref_seq),
    CHECK ((reference IS NULL) = (ref_seq IS NULL))
);
CREATE INDEX papers_date ON papers (date DESC) WHERE NOT deleted;
CREATE UNIQUE INDEX papers_reference ON papers (body_id, reference) WHERE reference IS NOT NULL;

CREATE TABLE paper_counters (
    body_id uuid NOT NULL REFERENCES bodies(id),
    prefix  text NOT NULL,
    year    integer NOT NULL,
    last    integer NOT NULL,
    PRIMARY KEY (body_id, prefix, year)
);

CREATE TABLE paper_originators (
    paper_id        uuid NOT NULL REFERENCES papers(id),
    position        integer NOT NULL,
    person_id       uuid REFERENCES persons(id),
    organization_id uuid REFERENCES organizations(id),
    PRIMARY KEY (paper_id, position),
    CHECK ((person_id IS NULL) <> (organization_id IS NULL))
);

CREATE TABLE paper_relations (
    paper_id   uuid NOT NULL REFERENCES papers(id),
    related_id uuid NOT NULL REFERENCES papers(id),
    kind       text NOT NULL CHECK (kind IN ('related','superordinate')),
    PRIMARY KEY (paper_id, related_id, kind),
    CHECK (paper_id <> related_id)
);

-- Status changes of a paper, the public timeline from submission to done.
CREATE TABLE paper_events (
    id       bigserial PRIMARY KEY,
    paper_id uuid NOT NULL REFERENCES papers(id),
    at       timestamptz NOT NULL DEFAULT now(),
    status   text NOT NULL,
    note     text NOT NULL DEFAULT ''
);
CREATE INDEX paper_events_paper ON paper_events (paper_id, at);

CREATE TABLE meetings (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    body_id      uuid NOT NULL REFERENCES bodies(id),
    name         text NOT NULL CHECK (btrim(name) <> ''),
    start_at     timestamptz NOT NULL,
    end_at       timestamptz,
    location_id  uuid REFERENCES locations(id),
    state        text NOT NULL DEFAULT 'planned' CHECK (state IN ('planned','invited','running','closed')),
    cancelled    boolean NOT NULL DEFAULT false,
    invited_at   timestamptz,
    created      timestamptz NOT NULL DEFAULT now(),
    modified     timestamptz NOT NULL DEFAULT now(),
    deleted      boolean NOT NULL DEFAULT false,
    CHECK (end_at IS NULL OR end_at >= start_at)
);
CREATE INDEX meetings_start ON meetings (start_at) WHERE NOT deleted;

CREATE TABLE meeting_organizations (
    meeting_id      uuid NOT NULL REFERENCES meetings(id),
    organization_id uuid NOT NULL REFERENCES organizations(id),
    PRIMARY KEY (meeting_id, organization_id)
);
CREATE INDEX meeting_organizations_org ON meeting_organizations (organization_id);

CREATE TABLE agenda_items (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    meeting_id      uuid NOT NULL REFERENCES meetings(id),
    position        integer NOT NULL CHECK (position >= 0),
    number          text NOT NULL DEFAULT '',
    name            text NOT NULL CHECK (btrim(name) <> ''),
    public          boolean NOT NULL DEFAULT true,
    result          text NOT NULL DEFAULT '',
    resolution_text text NOT NULL DEFAULT '',
    created         timestamptz NOT NULL DEFAULT now(),
    modified        timestamptz NOT NULL DEFAULT now(),
    deleted         boolean NOT NULL DEFAULT false
);
CREATE INDEX agenda_items_meeting ON agenda_items (meeting_id, position) WHERE NOT deleted;

CREATE TABLE consultations (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    paper_id        uuid NOT NULL REFERENCES papers(id),
    organization_id uuid NOT NULL REFERENCES organizations(id),
    agenda_item_id  uuid REFERENCES agenda_items(id),
    position        integer NOT NULL DEFAULT 0,
    role            text NOT NULL DEFAULT '',
    authoritative   boolean NOT NULL DEFAULT false,
    created         timestamptz NOT NULL DEFAULT now(),
    modified        timestamptz NOT NULL DEFAULT now(),
    deleted         boolean NOT NULL DEFAULT false
);
CREATE INDEX consultations_paper ON consultations (paper_id, position) WHERE NOT deleted;
CREATE INDEX consultations_item ON consultations (agenda_item_id) WHERE agenda_item_id IS NOT NULL;

CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email         text NOT NULL CHECK (position('@' in email) > 1),
    display_name  text NOT NULL DEFAULT '',
    password_hash text NOT NULL,
    role          text NOT NULL CHECK (role IN ('citizen','member','clerk','admin')),
    person_id     uuid REFERENCES persons(id),
    totp_secret   text NOT NULL DEFAULT '',
    totp_enabled  boolean NOT NULL DEFAULT false,
    totp_last_step bigint NOT NULL DEFAULT 0,
    disabled      boolean NOT NULL DEFAULT false,
    created       timestamptz NOT NULL DEFAULT now(),
    modified      timestamptz NOT NULL DEFAULT now(),
    deleted       boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX users_email ON users (lower(email));
COMMENT ON COLUMN users.email IS 'pii:contact';
COMMENT ON COLUMN users.display_name IS 'pii:profile';

-- Failed logins, for throttling per account and per address. Kept in
-- PostgreSQL so several web nodes share them.
CREATE TABLE login_failures (
    id      bigserial PRIMARY KEY,
    account text NOT NULL,
    addr    text NOT NULL,
    at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_account ON login_failures (account, at);
CREATE INDEX login_failures_addr ON login_failures (addr, at);
COMMENT ON COLUMN login_failures.addr IS 'pii:network';

-- Server-side sessions (alexedwards/scs pgxstore schema).
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- Every change writes one outbox row in its transaction; the search
-- indexer and live events consume it in id order.
CREATE TABLE outbox (
    id        bigserial PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    entity    text NOT NULL,
    entity_id uuid NOT NULL,
    op        text NOT NULL CHECK (op IN ('create','update','delete')),
    payload   jsonb NOT NULL DEFAULT '{}'
);

-- Who changed what, when.
CREATE TABLE audit (
    id        bigserial PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    actor_id  uuid REFERENCES users(id),
    entity    text NOT NULL,
    entity_id uuid NOT NULL,
    op        text NOT NULL,
    changes   jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_entity ON audit (entity, entity_id, at);

-- +goose Down
DROP TABLE audit, outbox, sessions, login_failures, users, consultations, agenda_items,
    meeting_organizations, meetings, paper_events, paper_relations, paper_originators,
    paper_counters, papers, memberships, persons, organizations, locations,
    legislative_terms, bodies;
