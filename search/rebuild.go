package search

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/search/internal/scorch"
)

// Bulk indexing (Rebuild, the benchmark) writes batches of up to
// bulkDocs documents or bulkBytes of text: each batch becomes one
// segment, and fewer, larger segments mean less merging afterwards; but
// a batch is analysed in memory (5,000 documents / 48 MB took the
// full-size benchmark to 5.4 GB RSS, 2,000 / 16 MB the 10 % run to
// 2.1 GB) and larger batches did not index measurably faster, so they
// stay at 1,000 documents / 8 MB.
const (
	bulkDocs  = 1000
	bulkBytes = 8 << 20
)

// bulkWriters is how many batches are written at once. scorch analyses
// a batch's documents in parallel but then builds its segment in the
// calling goroutine alone (a quarter of indexing time), so two batches
// in flight keep both cores busy. Batches of a bulk load never touch the
// same document, so their order does not matter.
const bulkWriters = 2

// bulkBatch collects documents into bleve batches and writes up to
// bulkWriters of them concurrently; flush waits for all of them.
type bulkBatch struct {
	b     *bleve.Batch
	bytes int
	g     *errgroup.Group
}

// add adds d, writing the batch when it is full.
func (bb *bulkBatch) add(bi bleve.Index, d Doc) error {
	if bb.b == nil {
		bb.b = bi.NewBatch()
	}
	if err := bb.b.Index(d.ID, d.withPub()); err != nil {
		return fmt.Errorf("index %s: %w", d.ID, err)
	}
	bb.bytes += len(d.Text) + len(d.Title)
	if bb.b.Size() >= bulkDocs || bb.bytes >= bulkBytes {
		bb.write(bi)
	}
	return nil
}

// write hands the batch to a writer, waiting while bulkWriters are busy.
func (bb *bulkBatch) write(bi bleve.Index) {
	if bb.b == nil || bb.b.Size() == 0 {
		return
	}
	if bb.g == nil {
		bb.g = new(errgroup.Group)
		bb.g.SetLimit(bulkWriters)
	}
	b := bb.b
	bb.g.Go(func() error {
		if err := bi.Batch(b); err != nil {
			return fmt.Errorf("index batch: %w", err)
		}
		return nil
	})
	bb.b, bb.bytes = nil, 0
}

// flush writes the last batch and waits until every batch is written.
func (bb *bulkBatch) flush(bi bleve.Index) error {
	bb.write(bi)
	return bb.wait()
}

// wait waits until the batches handed to writers are written, and
// returns the first error. Callers that give up wait before they close
// the index.
func (bb *bulkBatch) wait() error {
	if bb.g == nil {
		return nil
	}
	err := bb.g.Wait()
	bb.g = nil
	return err
}

// minCorpusCount is how often a word must occur in the corpus (titles and
// texts) to become a compound part.
const minCorpusCount = 3

// Build is a new generation of an index directory being filled in bulk
// (Rebuild, the benchmark): Add the documents (Flush may come between
// them; Rebuild flushes after each type), Flush, Compact, Close, then
// Publish. After an error of any step before Close, Abort.
type Build struct {
	dir, gen string
	bi       bleve.Index
	bb       bulkBatch
}

// NewBuild creates an empty generation in dir with the mapping for
// words.
func NewBuild(dir string, words Words) (*Build, error) {
	gen, bi, err := newGeneration(dir, words)
	if err != nil {
		return nil, err
	}
	return &Build{dir: dir, gen: gen, bi: bi}, nil
}

// Add adds d, writing a full batch in the background.
func (b *Build) Add(d Doc) error { return b.bb.add(b.bi, d) }

// Flush writes the last batch and waits until every batch is written.
func (b *Build) Flush() error { return b.bb.flush(b.bi) }

// Compact merges the flushed generation into one segment (see
// scorch.Compact: one segment halves the index part of a query).
func (b *Build) Compact(ctx context.Context) error {
	return scorch.Compact(ctx, b.bi, filepath.Join(b.dir, b.gen))
}

// Close closes the generation; it is complete on disk.
func (b *Build) Close() error {
	if err := b.bi.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	return nil
}

// Abort waits for the batches being written and closes the generation;
// it stays on disk, unpublished.
func (b *Build) Abort() {
	b.bb.wait() //nolint:errcheck // the caller returns the first error
	b.bi.Close()
}

// Publish records pos as the outbox position the closed generation
// reflects and makes it the current one of the directory; a running
// Index switches to it on its next Reload.
func (b *Build) Publish(ctx context.Context, db council.DBTX, pos int64) error {
	if err := savePosition(ctx, db, b.gen, pos); err != nil {
		return err
	}
	return publish(b.dir, b.gen)
}

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
	b, err := NewBuild(dir, words)
	if err != nil {
		return "", 0, err
	}
	n, err := b.fill(ctx, pool, log)
	if err == nil {
		err = b.Compact(ctx)
	}
	if err != nil {
		b.Abort()
		return "", 0, fmt.Errorf("rebuild: %w", err)
	}
	if err := b.Close(); err != nil {
		return "", 0, fmt.Errorf("rebuild: %w", err)
	}
	if err := b.Publish(ctx, pool, pos); err != nil {
		return "", 0, err
	}
	log.Info("search index rebuilt", "generation", b.gen, "docs", n, "words", words.Len(),
		"corpus_words", words.Len()-before, "position", pos, "took", time.Since(started).Round(time.Millisecond))
	return b.gen, n, nil
}

// fill adds every document of every type from pool, each type flushed
// before the next, and returns how many it added.
func (b *Build) fill(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) (int, error) {
	zone := berlin()
	n := 0
	for _, t := range Types {
		l, err := loadForIndex(ctx, pool, zone, t, nil)
		if err != nil {
			return 0, err
		}
		logCut(log, t, l.cut)
		for _, d := range l.docs {
			if err := b.Add(d); err != nil {
				return 0, err
			}
		}
		if err := b.Flush(); err != nil {
			return 0, err
		}
		n += len(l.docs)
	}
	return n, nil
}

// corpusWords adds the words that occur at least minCorpusCount times in
// the titles and texts of papers and agenda items, and makes the words
// in at least PairShare of them the words that pair (shingle.go).
func corpusWords(ctx context.Context, pool *pgxpool.Pool, words Words) error {
	rows, err := pool.Query(ctx, `SELECT name || ' ' || text FROM papers WHERE NOT deleted
		UNION ALL SELECT name FROM agenda_items WHERE NOT deleted`)
	if err != nil {
		return fmt.Errorf("corpus words: %w", council.TranslateError(err))
	}
	defer rows.Close()
	counts := map[string]int{}
	df := NewDocFreq()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("corpus words: %w", err)
		}
		df.Add(s)
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
	words.SetPairs(df.PairWords())
	return nil
}
