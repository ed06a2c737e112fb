package search

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"github.com/plenar/plenar/council"
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
		l, err := load(ctx, pool, t, nil, IndexTextLimit)
		if err != nil {
			bi.Close()
			return "", 0, err
		}
		logCut(log, t, l.cut)
		var bb bulkBatch
		for _, d := range l.docs {
			if err := bb.add(bi, d); err != nil {
				bb.wait() //nolint:errcheck // the first error is returned
				bi.Close()
				return "", 0, fmt.Errorf("rebuild: %w", err)
			}
		}
		if err := bb.flush(bi); err != nil {
			bi.Close()
			return "", 0, fmt.Errorf("rebuild: %w", err)
		}
		n += len(l.docs)
	}
	if err := compact(ctx, bi, filepath.Join(dir, gen)); err != nil {
		bi.Close()
		return "", 0, fmt.Errorf("rebuild: %w", err)
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
// the titles and texts of papers and agenda items, and makes the words
// in at least pairShare of them the words that pair (shingle.go).
func corpusWords(ctx context.Context, pool *pgxpool.Pool, words Words) error {
	rows, err := pool.Query(ctx, `SELECT name || ' ' || text FROM papers WHERE NOT deleted
		UNION ALL SELECT name FROM agenda_items WHERE NOT deleted`)
	if err != nil {
		return fmt.Errorf("corpus words: %w", council.TranslateError(err))
	}
	defer rows.Close()
	counts := map[string]int{}
	df := newDocFreq()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("corpus words: %w", err)
		}
		df.add(s)
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
	words.SetPairs(df.pairWords())
	return nil
}

// compact merges a freshly built generation (in path) into one segment
// before it serves (Lucene's forceMerge after a bulk load). A bulk load
// leaves the index in about ten segments of the merge policy's tiers,
// and every query pays per segment: a dictionary lookup per term,
// postings iterators, facet arrays. One segment halves the index part of
// a query at full size (docs/BENCHMARKS.md). The live Indexer's later
// small segments merge by the normal policy.
//
// scorch deletes the merged-away segment files in its persister's idle
// loop; compact waits for that (up to compactCleanup), so the generation
// does not keep the old files, twice its size, until the next write.
func compact(ctx context.Context, bi bleve.Index, path string) error {
	ai, err := bi.Advanced()
	if err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	s, ok := ai.(*scorch.Scorch)
	if !ok {
		return fmt.Errorf("compact: index is %T, not scorch", ai)
	}
	opts := mergeplan.SingleSegmentMergePlanOptions
	if err := s.ForceMerge(ctx, &opts); err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	deadline := time.Now().Add(compactCleanup)
	for {
		n, err := segmentFiles(path)
		if err != nil {
			return fmt.Errorf("compact: %w", err)
		}
		if n <= 1 || time.Now().After(deadline) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("compact: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// compactCleanup bounds compact's wait for scorch to delete merged-away
// segment files.
const compactCleanup = 30 * time.Second

// segmentFiles counts the segment files (*.zap) of the scorch index in
// path.
func segmentFiles(path string) (int, error) {
	ents, err := os.ReadDir(filepath.Join(path, "store"))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".zap") {
			n++
		}
	}
	return n, nil
}
