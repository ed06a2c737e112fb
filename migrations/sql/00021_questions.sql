-- Public questions, Einwohnerfragestunde (issue 19, point 5;
-- docs/DOMAIN.md, "Einwohnerfragestunde").
--
-- The clerk marks a public agenda item as the meeting's question time
-- (question_times, with its submission deadline in days before the
-- meeting's start and the limit of questions per person). Verified
-- citizens ask questions for it (questions); staff moderate them:
-- publish, merge into another (a duplicate), reject with a reason code
-- and a note for the asker, and record the answer — given orally in the
-- session (the text the clerk records for the minutes) or in writing
-- (published with the question). In the live session the chair calls a
-- published question (called_at; live command read_question).

-- +goose Up
CREATE TABLE question_times (
    item_id       uuid PRIMARY KEY REFERENCES agenda_items(id),
    deadline_days int NOT NULL DEFAULT 3 CHECK (deadline_days BETWEEN 0 AND 60),
    per_person    int NOT NULL DEFAULT 2 CHECK (per_person BETWEEN 1 AND 20),
    created       timestamptz NOT NULL DEFAULT now(),
    modified      timestamptz NOT NULL DEFAULT now(),
    deleted       boolean NOT NULL DEFAULT false
);

CREATE TABLE questions (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    item_id      uuid NOT NULL REFERENCES question_times(item_id),
    asker_id     uuid NOT NULL REFERENCES users(id),
    -- the question's number within its question time, in the order asked
    number       int NOT NULL CHECK (number > 0),
    text         text NOT NULL CHECK (btrim(text) <> '' AND length(text) <= 2000),
    -- the text normalised (lower case, letters and digits, single
    -- spaces): the same question twice from one account is refused
    norm         text NOT NULL,
    state        text NOT NULL DEFAULT 'submitted'
                 CHECK (state IN ('submitted','published','merged','rejected','answered')),
    merged_into  uuid REFERENCES questions(id),
    reason       text NOT NULL DEFAULT ''
                 CHECK (reason IN ('','offensive','not_municipal','duplicate','personal_data','too_late')),
    -- the moderator's note to the asker (never public)
    note         text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    answer_mode  text NOT NULL DEFAULT '' CHECK (answer_mode IN ('','oral','written')),
    answer       text NOT NULL DEFAULT '' CHECK (length(answer) <= 20000),
    published_at timestamptz,
    called_at    timestamptz,
    answered_at  timestamptz,
    created      timestamptz NOT NULL DEFAULT now(),
    modified     timestamptz NOT NULL DEFAULT now(),
    deleted      boolean NOT NULL DEFAULT false,
    CONSTRAINT questions_rejected_reason CHECK ((state = 'rejected') = (reason <> '')),
    CONSTRAINT questions_merged_into CHECK ((state = 'merged') = (merged_into IS NOT NULL) AND merged_into IS DISTINCT FROM id),
    CONSTRAINT questions_answered_mode CHECK ((state = 'answered') = (answer_mode <> '') AND (state <> 'answered' OR answered_at IS NOT NULL)),
    CONSTRAINT questions_written_answer CHECK (answer_mode <> 'written' OR btrim(answer) <> '')
);
CREATE UNIQUE INDEX questions_same_text ON questions (item_id, asker_id, norm) WHERE NOT deleted;
CREATE UNIQUE INDEX questions_number ON questions (item_id, number);
CREATE INDEX questions_asker ON questions (asker_id, created);
CREATE INDEX questions_state ON questions (state, created) WHERE NOT deleted;
COMMENT ON COLUMN questions.asker_id IS 'pii:account';
COMMENT ON COLUMN questions.text IS 'pii:message';
COMMENT ON COLUMN questions.norm IS 'pii:message';
COMMENT ON COLUMN questions.note IS 'pii:message';

-- Visibility (docs/ARCHITECTURE.md, "A non-public state"): a question is
-- public once published (or answered) — never while submitted, merged or
-- rejected — on a public question-time item of a published agenda.
-- Submitted and rejected questions, reasons' notes and askers stay
-- non-public; the asker's name is public only by user_name_public
-- (00018_mail_accounts.sql), pseudonymous otherwise.
-- +goose StatementBegin
CREATE FUNCTION question_published(q questions) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT q.state IN ('published','answered') $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION question_public(q questions, t question_times, i agenda_items, m meetings) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT question_published(q) AND NOT q.deleted AND NOT t.deleted AND q.item_id = t.item_id
        AND t.item_id = i.id AND i.meeting_id = m.id AND agenda_item_public(i, m) $$;
-- +goose StatementEnd

-- The answer of a public question: a written answer is published with
-- the question; an oral one (the text the clerk recorded for the
-- minutes) once the meeting's minutes are approved (minutes_published,
-- 00015_minutes.sql). x is the meeting's minutes row, NULL when none.
-- +goose StatementBegin
CREATE FUNCTION question_answer_published(q questions, x minutes) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT q.state = 'answered' AND (q.answer_mode = 'written'
        OR (q.answer_mode = 'oral' AND x.meeting_id IS NOT NULL AND minutes_published(x))) $$;
-- +goose StatementEnd

-- The moderation statistics count every question of a public question
-- time (numbers only, per state and reason code).
-- +goose StatementBegin
CREATE FUNCTION question_counted(q questions, t question_times, i agenda_items, m meetings) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT NOT q.deleted AND NOT t.deleted AND q.item_id = t.item_id
        AND t.item_id = i.id AND i.meeting_id = m.id AND agenda_item_public(i, m) $$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION question_counted(questions, question_times, agenda_items, meetings);
DROP FUNCTION question_answer_published(questions, minutes);
DROP FUNCTION question_public(questions, question_times, agenda_items, meetings);
DROP FUNCTION question_published(questions);
DROP TABLE questions;
DROP TABLE question_times;
