-- +goose Up
-- Related papers are looked up from both sides (OParl relatedPaper, the
-- paper page).
CREATE INDEX paper_relations_related ON paper_relations (related_id);

-- +goose Down
DROP INDEX paper_relations_related;
