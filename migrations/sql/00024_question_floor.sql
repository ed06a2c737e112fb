-- The asking citizen's floor in the Einwohnerfragestunde (issue 19,
-- point 5; docs/DOMAIN.md, "Einwohnerfragestunde"): the chair may give
-- the citizen who asked a published question a temporary speaker slot,
-- audio only, through the SFU (live command give_question_floor). The
-- slot runs from floor_from until floor_until; ending it early, moving to
-- another item, switching to the non-public part or closing the session
-- set floor_until to that moment. At most one question of an item holds
-- the floor at a time (the live command ends the earlier one). The times
-- stay as the record for the minutes ("the asker spoke from … to …").
-- Like called_at they are public with the question (question_public).

-- +goose Up
ALTER TABLE questions
    ADD COLUMN floor_from  timestamptz,
    ADD COLUMN floor_until timestamptz,
    ADD CONSTRAINT questions_floor CHECK ((floor_from IS NULL) = (floor_until IS NULL) AND (floor_until IS NULL OR floor_until >= floor_from));

-- +goose Down
ALTER TABLE questions DROP CONSTRAINT questions_floor, DROP COLUMN floor_until, DROP COLUMN floor_from;
