-- +goose Up
-- Votes in live sessions (docs/VOTING.md). A poll belongs to one agenda
-- item of a running session; its eligible members are fixed when it opens
-- (poll_eligible), and the database enforces one ballot per eligible
-- member (poll_voters' primary key and its foreign key into
-- poll_eligible), in the transaction that checks the poll is open (the
-- cast locks the poll row FOR SHARE, closing locks it FOR UPDATE).

-- The voting law of the body (meetings/voting, Land profiles) and how and
-- on which legal basis a session is held.
ALTER TABLE bodies ADD COLUMN voting_profile text NOT NULL DEFAULT 'NW' CHECK (voting_profile ~ '^[A-Z]{2,8}$');
ALTER TABLE live_sessions ADD COLUMN profile text NOT NULL DEFAULT 'NW';
ALTER TABLE live_sessions ADD COLUMN mode text NOT NULL DEFAULT 'hybrid' CHECK (mode IN ('presence','hybrid','digital'));
ALTER TABLE live_sessions ADD COLUMN legal_basis text NOT NULL DEFAULT 'statute'
    CHECK (legal_basis IN ('','statute','emergency','simple'));

CREATE TABLE polls (
    id          uuid PRIMARY KEY,
    meeting_id  uuid NOT NULL REFERENCES live_sessions(meeting_id),
    item_id     uuid NOT NULL REFERENCES agenda_items(id),
    position    integer NOT NULL,           -- order within the item (amendments first)
    kind        text NOT NULL CHECK (kind IN ('open','named','secret','election')),
    question    text NOT NULL CHECK (btrim(question) <> '' AND length(question) <= 500),
    rule        text NOT NULL,              -- meetings/voting rule code ('' for elections)
    profile     text NOT NULL,              -- the Land profile it was held under
    seats       integer NOT NULL DEFAULT 1 CHECK (seats >= 1),
    round       integer NOT NULL DEFAULT 1 CHECK (round >= 1),
    previous_id uuid REFERENCES polls(id),  -- the previous round of an election, or the poll a repeat replaces
    state       text NOT NULL CHECK (state IN ('open','paused','closed','cancelled')),
    remote      boolean NOT NULL,           -- remote members take part
    -- inputs fixed at opening
    statutory   integer NOT NULL,
    present     integer NOT NULL,
    conflicted  integer NOT NULL,
    eligible    integer NOT NULL,
    opened_at   timestamptz NOT NULL,
    opened_by   uuid REFERENCES users(id),
    closed_at   timestamptz,
    closed_by   uuid REFERENCES users(id),
    reason      text NOT NULL DEFAULT '',   -- cancelled or paused: why
    -- the result, once closed
    yes         integer,
    no          integer,
    abstain     integer,
    invalid     integer,
    ballots     integer,
    outcome     text,
    result      jsonb,                      -- voting.Result or voting.ElectionResult with the tally
    seed        text NOT NULL DEFAULT '',   -- elections: the published seed of a draw of lots
    progress    integer NOT NULL DEFAULT 0, -- ballots last announced to the session
    UNIQUE (item_id, position)
);
CREATE INDEX polls_meeting ON polls (meeting_id, opened_at);
CREATE UNIQUE INDEX polls_one_running ON polls (meeting_id) WHERE state IN ('open','paused');

CREATE TABLE poll_candidates (
    poll_id   uuid NOT NULL REFERENCES polls(id),
    id        text NOT NULL CHECK (id ~ '^c[0-9]{1,3}$'),
    name      text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    person_id uuid REFERENCES persons(id),
    position  integer NOT NULL,
    PRIMARY KEY (poll_id, id)
);

-- Who may vote, fixed at opening, in the order of the roster.
CREATE TABLE poll_eligible (
    poll_id   uuid NOT NULL REFERENCES polls(id),
    person_id uuid NOT NULL REFERENCES persons(id),
    name      text NOT NULL,
    mode      text NOT NULL CHECK (mode IN ('room','remote')),
    position  integer NOT NULL,
    PRIMARY KEY (poll_id, person_id)
);

-- Who voted: one row per member and poll, and nothing about the choice.
-- For a secret poll this is all that is kept about the voter: no time, no
-- order, no client id (docs/VOTING.md, "Threat model").
CREATE TABLE poll_voters (
    poll_id   uuid NOT NULL,
    person_id uuid NOT NULL,
    via       text NOT NULL CHECK (via IN ('self','clerk','paper')),
    PRIMARY KEY (poll_id, person_id),
    FOREIGN KEY (poll_id, person_id) REFERENCES poll_eligible(poll_id, person_id)
);

-- Open and named polls: each member's choice, public by law.
CREATE TABLE poll_choices (
    poll_id   uuid NOT NULL,
    person_id uuid NOT NULL,
    choice    text[] NOT NULL,
    client_id text NOT NULL DEFAULT '',
    via       text NOT NULL CHECK (via IN ('self','clerk')),
    at        timestamptz NOT NULL,
    PRIMARY KEY (poll_id, person_id),
    FOREIGN KEY (poll_id, person_id) REFERENCES poll_voters(poll_id, person_id)
);

-- Secret polls and elections: what was voted, under the voter's receipt
-- code, with nothing that links it to poll_voters (no time, no serial id,
-- rewritten in random order when the poll closes).
CREATE TABLE poll_secret_ballots (
    poll_id uuid NOT NULL REFERENCES polls(id),
    receipt text NOT NULL CHECK (receipt ~ '^[0-9A-Z]{4}-[0-9A-Z]{4}$'),
    choice  text[] NOT NULL,
    PRIMARY KEY (poll_id, receipt)
);

-- +goose Down
DROP TABLE poll_secret_ballots, poll_choices, poll_voters, poll_eligible, poll_candidates, polls;
ALTER TABLE live_sessions DROP COLUMN legal_basis, DROP COLUMN mode, DROP COLUMN profile;
ALTER TABLE bodies DROP COLUMN voting_profile;
