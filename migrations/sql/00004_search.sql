-- +goose Up
-- Where each search index generation stands in the outbox: the indexer
-- has applied every outbox row up to position. One row per generation
-- (an index directory on one node); plenar reindex writes the row of the
-- generation it builds, and rows of generations no longer served are
-- removed by the node that swapped them out.
CREATE TABLE search_positions (
    generation text PRIMARY KEY,
    position   bigint NOT NULL,
    updated    timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE search_positions;
