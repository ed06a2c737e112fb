package search

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
)

// minCorpusCount is how often a word must occur in the corpus (titles and
// texts) to become a compound part.
const minCorpusCount = 3

// Rebuild builds a new generation of the index in dir from PostgreSQL and
// makes it current; a running Index switches to it on its next Reload.
// The dictionary is words plus the words of the corpus itself. The new
// generation's position is the outbox position read before the first
// entity, so changes made during the rebuild are applied afterwards.
// It returns the generation and the number of documents.
func Rebuild(ctx context.Context, pool *pgxpool.Pool, dir string, words Words, log *slog.Logger) (string, int, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	started := time.Now()
	var pos int64
	if err := pool.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM outbox`).Scan(&pos); err != nil {
		return "", 0, fmt.Errorf("rebuild: outbox position: %w", council.TranslateError(err))
	}
	before := words.Len()
	if err := corpusWords(ctx, pool, words); err != nil {
		return "", 0, err
	}
	gen, bi, err := newGeneration(dir, words)
	if err != nil {
		return "", 0, err
	}
	n := 0
	for _, t := range Types {
		l, err := load(ctx, pool, t, nil)
		if err != nil {
			bi.Close()
			return "", 0, err
		}
		for i := 0; i < len(l.docs); i += defaultBatch {
			b := bi.NewBatch()
			if err := addToBatch(b, loaded{docs: l.docs[i:min(i+defaultBatch, len(l.docs))]}); err != nil {
				bi.Close()
				return "", 0, err
			}
			if err := bi.Batch(b); err != nil {
				bi.Close()
				return "", 0, fmt.Errorf("rebuild: index batch: %w", err)
			}
		}
		n += len(l.docs)
	}
	if err := bi.Close(); err != nil {
		return "", 0, fmt.Errorf("rebuild: close: %w", err)
	}
	if err := savePosition(ctx, pool, gen, pos); err != nil {
		return "", 0, err
	}
	if err := publish(dir, gen); err != nil {
		return "", 0, err
	}
	log.Info("search index rebuilt", "generation", gen, "docs", n, "words", words.Len(),
		"corpus_words", words.Len()-before, "position", pos, "took", time.Since(started).Round(time.Millisecond))
	return gen, n, nil
}

// corpusWords adds the words that occur at least minCorpusCount times in
// the titles and texts of papers and agenda items.
func corpusWords(ctx context.Context, pool *pgxpool.Pool, words Words) error {
	rows, err := pool.Query(ctx, `SELECT name || ' ' || text FROM papers WHERE NOT deleted
		UNION ALL SELECT name FROM agenda_items WHERE NOT deleted`)
	if err != nil {
		return fmt.Errorf("corpus words: %w", council.TranslateError(err))
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("corpus words: %w", err)
		}
		for _, w := range strings.FieldsFunc(s, notWordRune) {
			if len(w) >= minPart {
				counts[strings.ToLower(w)]++
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("corpus words: %w", council.TranslateError(err))
	}
	for w, c := range counts {
		if c >= minCorpusCount {
			words.Add(w)
		}
	}
	return nil
}
