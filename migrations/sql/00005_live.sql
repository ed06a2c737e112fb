-- +goose Up
-- Live sessions (docs/DOMAIN.md, "Live sessions"). Every piece of a running
-- meeting's state lives here, so any node can serve it and a restart loses
-- nothing. live_sessions.seq is the last sequence number handed out for the
-- meeting's event log; a command locks the row (FOR UPDATE), writes its
-- domain rows and events with the following numbers, and bumps it, so the
-- log is gap-free and in commit order.
CREATE TABLE live_sessions (
    meeting_id      uuid PRIMARY KEY REFERENCES meetings(id),
    seq             bigint NOT NULL DEFAULT 0 CHECK (seq >= 0),
    item_id         uuid REFERENCES agenda_items(id),
    part            text NOT NULL DEFAULT 'public' CHECK (part IN ('public','non_public')),
    part_seq        bigint NOT NULL DEFAULT 0, -- seq of the event that began the current part
    chair_person_id uuid REFERENCES persons(id),
    statutory_seats integer NOT NULL CHECK (statutory_seats >= 0),
    floor_limit     integer NOT NULL DEFAULT 1 CHECK (floor_limit > 0),
    started_at      timestamptz NOT NULL DEFAULT now(),
    closed_at       timestamptz
);

-- Who may take part, fixed when the session starts (memberships current on
-- the meeting day in the meeting's organizations).
CREATE TABLE live_roster (
    meeting_id uuid NOT NULL REFERENCES live_sessions(meeting_id),
    person_id  uuid NOT NULL REFERENCES persons(id),
    name       text NOT NULL,
    role       text NOT NULL DEFAULT '',
    voting     boolean NOT NULL,
    position   integer NOT NULL,
    PRIMARY KEY (meeting_id, person_id)
);

-- The append-only event log. audience is the lowest audience that sees
-- payload; lower audiences see redacted instead, or nothing when it is NULL.
CREATE TABLE live_events (
    meeting_id uuid NOT NULL REFERENCES live_sessions(meeting_id),
    seq        bigint NOT NULL CHECK (seq > 0),
    kind       text NOT NULL,
    audience   text NOT NULL CHECK (audience IN ('public','members','staff')),
    payload    jsonb NOT NULL,
    redacted   jsonb,
    actor_id   uuid REFERENCES users(id),
    at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (meeting_id, seq)
);

-- Current attendance per member, and every change (for the minutes'
-- attendance per agenda item).
CREATE TABLE live_presence (
    meeting_id uuid NOT NULL,
    person_id  uuid NOT NULL,
    mode       text NOT NULL CHECK (mode IN ('room','remote','absent')),
    since      timestamptz NOT NULL,
    PRIMARY KEY (meeting_id, person_id),
    FOREIGN KEY (meeting_id, person_id) REFERENCES live_roster(meeting_id, person_id)
);
CREATE TABLE live_attendance (
    id         bigserial PRIMARY KEY,
    meeting_id uuid NOT NULL REFERENCES live_sessions(meeting_id),
    person_id  uuid NOT NULL REFERENCES persons(id),
    mode       text NOT NULL CHECK (mode IN ('room','remote','absent')),
    item_id    uuid REFERENCES agenda_items(id),
    actor_id   uuid REFERENCES users(id),
    at         timestamptz NOT NULL
);
CREATE INDEX live_attendance_meeting ON live_attendance (meeting_id, at);

-- Befangenheit: a member declared conflicted for one agenda item.
CREATE TABLE live_conflicts (
    meeting_id uuid NOT NULL REFERENCES live_sessions(meeting_id),
    item_id    uuid NOT NULL REFERENCES agenda_items(id),
    person_id  uuid NOT NULL REFERENCES persons(id),
    actor_id   uuid REFERENCES users(id),
    at         timestamptz NOT NULL,
    PRIMARY KEY (item_id, person_id)
);

-- Speakers' requests. At most one open request per member and meeting.
CREATE TABLE live_speakers (
    id            uuid PRIMARY KEY,
    meeting_id    uuid NOT NULL REFERENCES live_sessions(meeting_id),
    item_id       uuid REFERENCES agenda_items(id),
    person_id     uuid NOT NULL REFERENCES persons(id),
    kind          text NOT NULL CHECK (kind IN ('point_of_order','first','second')),
    requested_at  timestamptz NOT NULL,
    granted_at    timestamptz,
    ended_at      timestamptz,
    withdrawn     boolean NOT NULL DEFAULT false,
    limit_seconds integer NOT NULL DEFAULT 0 CHECK (limit_seconds >= 0),
    CHECK (granted_at IS NULL OR granted_at >= requested_at),
    CHECK (ended_at IS NULL OR granted_at IS NULL OR ended_at >= granted_at)
);
CREATE UNIQUE INDEX live_speakers_open ON live_speakers (meeting_id, person_id) WHERE ended_at IS NULL;
CREATE INDEX live_speakers_item ON live_speakers (meeting_id, item_id, requested_at);

-- Formal quorum findings by the chair, with their inputs.
CREATE TABLE live_quorum_findings (
    id         bigserial PRIMARY KEY,
    meeting_id uuid NOT NULL REFERENCES live_sessions(meeting_id),
    item_id    uuid REFERENCES agenda_items(id),
    quorate    boolean NOT NULL,
    seats      integer NOT NULL,
    present    integer NOT NULL,
    conflicted integer NOT NULL,
    needed     integer NOT NULL,
    actor_id   uuid REFERENCES users(id),
    at         timestamptz NOT NULL
);

-- Rügen: complaints of a technical disturbance.
CREATE TABLE live_complaints (
    id             uuid PRIMARY KEY,
    meeting_id     uuid NOT NULL REFERENCES live_sessions(meeting_id),
    item_id        uuid REFERENCES agenda_items(id),
    person_id      uuid NOT NULL REFERENCES persons(id),
    text           text NOT NULL DEFAULT '' CHECK (length(text) <= 2000),
    raised_at      timestamptz NOT NULL,
    classification text NOT NULL DEFAULT '',
    resolved_at    timestamptz
);

-- Remote members' confirmations that no third party can see or hear the
-- non-public part; part_seq identifies the part they confirmed.
CREATE TABLE live_nonpublic_confirmations (
    meeting_id uuid NOT NULL REFERENCES live_sessions(meeting_id),
    part_seq   bigint NOT NULL,
    person_id  uuid NOT NULL REFERENCES persons(id),
    at         timestamptz NOT NULL,
    PRIMARY KEY (meeting_id, part_seq, person_id)
);

-- +goose Down
DROP TABLE live_nonpublic_confirmations, live_complaints, live_quorum_findings, live_speakers,
    live_conflicts, live_attendance, live_presence, live_events, live_roster, live_sessions;
