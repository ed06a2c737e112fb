// Package searchbench is the search benchmark behind `plenar bench
// search` (docs/BENCHMARKS.md): it generates a council corpus (package
// corpus), indexes it into bleve through package search's bulk build and,
// unless told not to, into a PostgreSQL table with a GIN index over a
// `german` tsvector, and times the same query mix on both, then single
// edits from the store until searchable.
//
// It measures search through search's public API (Build, Index.Find,
// IndexPage.Snippet, Indexer), so it times what production runs. It
// needs a scratch database with Plenar's schema; it is no part of the
// server and only cmd/plenar imports it.
package searchbench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/search"
	"github.com/plenar/plenar/search/searchbench/corpus"
)

// Config sizes a search benchmark.
type Config struct {
	Papers   int    // 20,000 for a 20-year city
	Seed     uint64 // corpus seed
	Dir      string // index directory (created, left for the caller to remove)
	WordList string // compound parts and corpus vocabulary (search.SystemWordList)
	Rounds   int    // passes over the query mix for bleve
	PGRounds int    // passes over the query mix for PostgreSQL
	Edits    int    // single edits timed through the Indexer
	SkipPG   bool   // bleve only
	// Realistic generates the corpus with a real city's rates of the
	// query words (corpus.Corpus.Realistic).
	Realistic bool
	// QueryProfile, when not "", receives a CPU profile of the bleve
	// query rounds.
	QueryProfile string
}

// bench is one run of the benchmark: its configuration and what the
// steps before hand to the steps after.
type bench struct {
	pool    *pgxpool.Pool
	cfg     Config
	out     io.Writer
	started time.Time
	c       *corpus.Corpus
	words   search.Words
	ix      *search.Index
}

// Run generates a corpus, indexes it into bleve and (unless SkipPG) into
// a PostgreSQL table with a GIN index over a `german` tsvector, and times
// the same query mix on both: every query with the public visibility
// filter, facets (type, organization, year) and highlighted snippets of
// the first 20 hits. pool is a scratch database with Plenar's schema: the
// benchmark creates the table bench_docs and, for the edit-to-searchable
// time, a body, an organization and papers through the stores, followed
// by an Indexer. It writes a report to out.
func Run(ctx context.Context, pool *pgxpool.Pool, cfg Config, out io.Writer) error {
	b := &bench{pool: pool, cfg: cfg, out: out, started: time.Now()}
	if err := b.prepare(); err != nil {
		return err
	}
	if err := b.index(ctx); err != nil {
		return err
	}
	defer b.ix.Close()
	// The texts of the hits, for snippets, live in PostgreSQL as in
	// production (Search reads them with its re-check): bench_docs, with
	// the tsvector and GIN index of the baseline unless SkipPG.
	if err := pgLoad(ctx, pool, b.c, !cfg.SkipPG, out); err != nil {
		return err
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer conn.Release()
	qs := mix(b.c)
	segsBefore := segments(b.ix)
	bl, err := b.bleveRounds(ctx, conn.Conn(), qs)
	if err != nil {
		return err
	}
	if err := b.worstCases(ctx, conn.Conn()); err != nil {
		return err
	}
	fmt.Fprintf(out, "RSS peak after bleve queries (VmHWM): %s; index segments before / after the queries: %d / %d\n",
		vmHWM(), segsBefore, segments(b.ix))
	// A single edit, through the outbox and the Indexer, until searchable.
	editLat, err := edits(ctx, pool, b.ix, max(cfg.Edits, 1))
	if err != nil {
		return err
	}
	pg := &roundsResult{wall: map[string][]time.Duration{}, hits: map[string]int{}}
	if !cfg.SkipPG {
		if pg, err = pgRounds(ctx, conn.Conn(), qs, cfg.PGRounds); err != nil {
			return err
		}
	}
	if err := b.report(qs, bl, pg, editLat); err != nil {
		return err
	}
	return nil
}

// prepare reads the word list, generates the corpus, and chooses the
// words that pair for phrases from every tenth document (Rebuild takes
// them from the papers and agenda items in PostgreSQL).
func (b *bench) prepare() error {
	words, sys, err := search.DefaultWords(b.cfg.WordList)
	if err != nil {
		return err
	}
	c, err := corpus.New(b.cfg.Papers, b.cfg.Seed, b.cfg.WordList)
	if err != nil {
		return err
	}
	c.Realistic = b.cfg.Realistic
	b.c, b.words = c, words
	kind := "dense (query words at the rates of the 2026-11-27 figures)"
	if c.Realistic {
		kind = "realistic (query words at a real city's rates)"
	}
	fmt.Fprintf(b.out, "plenar bench search: %d papers, %d files, %d documents, corpus %s; GOMAXPROCS=%d, %d CPUs; word list %d words (system list read: %v)\n",
		c.Papers, c.Files(), c.Len(), kind, runtime.GOMAXPROCS(0), runtime.NumCPU(), words.Len(), sys)

	t0 := time.Now()
	df := search.NewDocFreq()
	for n := 0; n < c.Len(); n += 10 {
		d := c.Doc(n)
		df.Add(d.Title + " " + d.Text)
	}
	words.SetPairs(df.PairWords())
	fmt.Fprintf(b.out, "pair words: %d terms in ≥ %.0f %% of %d sampled documents (%.1f s)\n",
		len(words.Pairs()), search.PairShare*100, df.Docs(), time.Since(t0).Seconds())
	return nil
}

// indexStats are the figures of the bulk indexing.
type indexStats struct {
	textBytes int64
	sizes     []int         // text lengths of the files
	inBatch   time.Duration // in Build.Add and Build.Flush
	genCPU    time.Duration // generating the corpus, on the indexing thread
	cpu       time.Duration // the process's, indexing less generation
	compacted time.Duration
	closed    time.Duration // since the start of the benchmark
}

// index bulk-loads the corpus into a new generation of cfg.Dir,
// publishes it and opens it as b.ix.
func (b *bench) index(ctx context.Context) error {
	if err := os.MkdirAll(b.cfg.Dir, 0o755); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	bd, err := search.NewBuild(b.cfg.Dir, b.words)
	if err != nil {
		return err
	}
	st, err := b.build(ctx, bd)
	if err != nil {
		return err
	}
	b.reportIndexing(st)
	var maxOutbox int64
	if err := b.pool.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM outbox`).Scan(&maxOutbox); err != nil {
		return fmt.Errorf("bench: outbox: %w", err)
	}
	if err := bd.Publish(ctx, b.pool, maxOutbox); err != nil {
		return err
	}
	t0 := time.Now()
	if b.ix, err = search.Open(b.cfg.Dir, nil); err != nil {
		return err
	}
	fmt.Fprintf(b.out, "bleve index: %.1f MB on disk, opened in %.0f ms; RSS peak so far (VmHWM) %s\n",
		float64(dirSize(b.cfg.Dir))/1e6, ms(time.Since(t0)), vmHWM())
	return nil
}

// build adds the corpus to bd, compacts and closes it. The CPU time of
// the process while indexing, less the generation of the corpus (timed
// on this goroutine's locked thread), is a throughput figure that the
// neighbours' load does not change.
func (b *bench) build(ctx context.Context, bd *search.Build) (indexStats, error) {
	st := indexStats{sizes: make([]int, 0, b.c.Files())}
	runtime.LockOSThread()
	cpu0 := processCPU()
	for n := range b.c.Len() {
		if err := ctx.Err(); err != nil {
			runtime.UnlockOSThread()
			bd.Abort()
			return st, err
		}
		g0 := threadCPU()
		d := indexDoc(b.c.Doc(n))
		st.genCPU += threadCPU() - g0
		st.textBytes += int64(len(d.Text) + len(d.Title))
		if n >= b.c.Papers {
			st.sizes = append(st.sizes, len(d.Text))
		}
		t0 := time.Now()
		if err := bd.Add(d); err != nil {
			runtime.UnlockOSThread()
			bd.Abort()
			return st, fmt.Errorf("bench: %w", err)
		}
		st.inBatch += time.Since(t0)
	}
	runtime.UnlockOSThread()
	t0 := time.Now()
	err := bd.Flush()
	st.inBatch += time.Since(t0)
	if err == nil {
		t0 = time.Now()
		err = bd.Compact(ctx)
		st.compacted = time.Since(t0)
	}
	if err != nil {
		bd.Abort()
		return st, fmt.Errorf("bench: %w", err)
	}
	if err := bd.Close(); err != nil {
		return st, fmt.Errorf("bench: %w", err)
	}
	st.closed = time.Since(b.started)
	st.cpu = processCPU() - cpu0 - st.genCPU
	slices.Sort(st.sizes)
	return st, nil
}

// reportIndexing writes the figures of the bulk indexing.
func (b *bench) reportIndexing(st indexStats) {
	n := float64(b.c.Len())
	fmt.Fprintf(b.out, "corpus: %.1f MB text; file text median %.1f KB, p99 %.1f KB, max %.1f KB\n",
		float64(st.textBytes)/1e6, float64(pct(st.sizes, 50))/1e3, float64(pct(st.sizes, 99))/1e3, float64(pct(st.sizes, 100))/1e3)
	fmt.Fprintf(b.out, "bleve indexing: %.0f docs/s in bleve.Batch calls (%.1f s), %.0f docs/s including generation and close (%.1f s); %.1f MB/s\n",
		n/st.inBatch.Seconds(), st.inBatch.Seconds(), n/st.closed.Seconds(), st.closed.Seconds(),
		float64(st.textBytes)/1e6/st.inBatch.Seconds())
	fmt.Fprintf(b.out, "bleve compaction into one segment (in the close time above): %.1f s\n", st.compacted.Seconds())
	fmt.Fprintf(b.out, "bleve indexing CPU: %.0f CPU-s for batches, merges and close (corpus generation, %.0f CPU-s, left out): %.0f docs per CPU-second\n",
		st.cpu.Seconds(), st.genCPU.Seconds(), n/st.cpu.Seconds())
}

// indexDoc is d as search indexes it.
func indexDoc(d corpus.Doc) search.Doc {
	out := search.Doc{ID: search.DocID(search.TypePaper, d.ID), Type: search.TypePaper, Title: d.Title, Text: d.Text,
		Reference: d.Reference, Status: d.Status, Orgs: d.Orgs, Year: d.Year, Date: d.Date, Vis: search.VisPublic}
	out.Matter = out.ID // a paper and its files are one matter, one result
	if d.File {
		out.Type, out.ID, out.Parent = search.TypeFile, search.DocID(search.TypeFile, d.ID), search.DocID(search.TypePaper, d.Paper)
		out.Matter = out.Parent
	}
	// A public matter is grouped by its paper's title, as search does
	// (search.Doc.Group), so that every public paper on a page costs the
	// look-up of its identically titled others; the corpus has few.
	out.Group = "m:" + out.Matter
	title := d.Title
	if _, paper, ok := strings.Cut(title, " zu "); ok && d.File { // "Anlage 2 zu <the paper's title>"
		title = paper
	}
	if d.Vis == corpus.Public {
		out.Group = search.TitleGroup(title)
	}
	switch d.Vis {
	case corpus.Members:
		out.Vis = search.VisMembers
	case corpus.Staff:
		out.Vis = search.VisStaff
	}
	return out
}

// segments is the number of segments of ix, -1 when it cannot be read.
func segments(ix *search.Index) int {
	n, err := ix.Segments()
	if err != nil {
		return -1
	}
	return n
}

// dirSize is the size of the files under dir.
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
