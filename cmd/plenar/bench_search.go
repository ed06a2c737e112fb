package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/cmd/plenar/demo"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/migrations"
	"github.com/plenar/plenar/search"
	"github.com/plenar/plenar/search/searchbench"
)

// benchSearch runs the search benchmark of issue 5 in one command:
//
//	plenar bench search [--papers 20000] [--db URL] [--rounds 5] [--pg-rounds 2] [--skip-pg] [--realistic]
//
// With --judged it measures relevance instead (benchJudged).
//
// It creates a scratch database on the server (default
// PLENAR_TEST_DATABASE_URL), migrates it, runs searchbench.Run (bleve and
// PostgreSQL FTS on the same generated corpus and query mix) and drops
// the database and the index afterwards.
func (a *app) benchSearch(ctx context.Context, args []string) error {
	fs := a.flagSet("bench search")
	papers := fs.Int("papers", 20000, "papers in the corpus (each with 3 files on average); 2000 is a 10% run")
	server := fs.String("db", "", "admin URL of a PostgreSQL server for the scratch database (default: PLENAR_TEST_DATABASE_URL or the local server)")
	rounds := fs.Int("rounds", 5, "passes over the query mix (bleve)")
	pgRounds := fs.Int("pg-rounds", 2, "passes over the query mix (PostgreSQL)")
	edits := fs.Int("edits", 5, "single edits timed until searchable")
	skipPG := fs.Bool("skip-pg", false, "bleve only")
	realistic := fs.Bool("realistic", false, "generate the corpus with a real city's rates of the query words (docs/BENCHMARKS.md)")
	seed := fs.Uint64("seed", 2026, "corpus seed")
	words := fs.String("words", search.SystemWordList, "word list (compound parts and vocabulary)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole benchmark to this file")
	queryProfile := fs.String("queryprofile", "", "write a CPU profile of the bleve query rounds to this file")
	judged := fs.Bool("judged", false, "relevance instead of speed: seed the demo city, run the judged query set, report nDCG@10, MRR and the zero-result rate (docs/BENCHMARKS.md)")
	judgedSet := fs.String("judged-set", "", "with --judged: a judged query set file (default: the one built in, search/searchbench/judged_demo.tsv)")
	files := fs.Bool("files", false, "with --judged: also render the demo city's documents and extract their text (minutes)")
	worst := fs.Int("worst", 15, "with --judged: how many of the worst queries to list")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("bench search: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("bench search: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	if *papers < 10 || *papers > 1_000_000 {
		return usagef("--papers must be between 10 and 1000000")
	}
	pool, drop, err := a.scratchDB(ctx, *server)
	if err != nil {
		return fmt.Errorf("bench search: %w", err)
	}
	defer drop()
	if *judged {
		return a.benchJudged(ctx, pool, judgedConfig{Set: *judgedSet, Words: *words, Files: *files, Worst: *worst})
	}
	dir, err := os.MkdirTemp("", "plenar-bench-index-")
	if err != nil {
		return fmt.Errorf("bench search: %w", err)
	}
	defer os.RemoveAll(dir)
	return searchbench.Run(ctx, pool, searchbench.Config{Papers: *papers, Seed: *seed, Dir: dir, WordList: *words,
		Rounds: *rounds, PGRounds: *pgRounds, Edits: *edits, SkipPG: *skipPG, QueryProfile: *queryProfile, Realistic: *realistic}, a.stdout)
}

// scratchDB creates a migrated scratch database on server (default
// PLENAR_TEST_DATABASE_URL, then the local server) and returns a pool on
// it and a function that closes the pool and drops the database.
func (a *app) scratchDB(ctx context.Context, server string) (*pgxpool.Pool, func(), error) {
	if server == "" {
		server = os.Getenv("PLENAR_TEST_DATABASE_URL")
	}
	if server == "" {
		server = testDatabaseURL
	}
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		return nil, nil, fmt.Errorf("connect: %w", err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "plenar_bench_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		admin.Close(context.WithoutCancel(ctx))
		return nil, nil, fmt.Errorf("create scratch database: %w", err)
	}
	var pool *pgxpool.Pool
	drop := func() {
		if pool != nil {
			pool.Close()
		}
		if _, err := admin.Exec(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(a.stderr, "bench search: drop %s: %v\n", name, err)
		}
		admin.Close(context.WithoutCancel(ctx))
	}
	u, err := url.Parse(server)
	if err != nil {
		drop()
		return nil, nil, err
	}
	u.Path = "/" + name
	if pool, err = pgxpool.New(ctx, u.String()); err != nil {
		drop()
		return nil, nil, err
	}
	if err := migrations.Up(ctx, pool, nil); err != nil {
		drop()
		return nil, nil, fmt.Errorf("migrate: %w", err)
	}
	return pool, drop, nil
}

// judgedConfig tunes benchJudged.
type judgedConfig struct {
	Set   string // judged query set file; "": searchbench.JudgedDemo
	Words string // word list; "": search.SystemWordList
	Files bool   // also the demo city's documents, their text extracted
	Worst int    // worst queries to list
	// Months shortens the demo city (demo.Options.Months); 0: the full
	// city. The test uses a smaller city.
	Months int
}

// benchJudged seeds the demo city at searchbench.JudgedNow into pool (a
// migrated, empty scratch database), builds the search index and runs
// the judged query set as the public, then writes nDCG@10, MRR, the
// zero-result rate, pass or fail against the targets of issue 15 and the
// worst queries.
func (a *app) benchJudged(ctx context.Context, pool *pgxpool.Pool, cfg judgedConfig) error {
	rep, err := a.judged(ctx, pool, cfg)
	if err != nil {
		return fmt.Errorf("bench search --judged: %w", err)
	}
	rep.Write(a.stdout, cfg.Worst)
	return nil
}

// judged is benchJudged without the report.
func (a *app) judged(ctx context.Context, pool *pgxpool.Pool, cfg judgedConfig) (searchbench.JudgedReport, error) {
	var rep searchbench.JudgedReport
	set := searchbench.JudgedDemo
	if cfg.Set != "" {
		b, err := os.ReadFile(cfg.Set)
		if err != nil {
			return rep, err
		}
		set = b
	}
	qs, err := searchbench.ParseJudged(bytes.NewReader(set))
	if err != nil {
		return rep, err
	}
	started := time.Now()
	res, err := demo.SeedWith(ctx, pool, nil, demo.Options{Now: searchbench.JudgedNow, Months: cfg.Months})
	if err != nil {
		return rep, err
	}
	fmt.Fprintf(a.stdout, "demo city seeded at %s in %s: %d papers, %d meetings, %d agenda items\n",
		searchbench.JudgedNow.Format("2006-01-02"), time.Since(started).Round(time.Millisecond),
		res.Counts.Papers, res.Counts.Meetings, res.Counts.AgendaItems)
	tmp, err := os.MkdirTemp("", "plenar-bench-judged-")
	if err != nil {
		return rep, err
	}
	defer os.RemoveAll(tmp)
	if cfg.Files {
		started = time.Now()
		store := documents.NewStore(pool, filepath.Join(tmp, "files"), documents.Limits{})
		dc, err := demo.SeedDocuments(ctx, pool, store, nil, demo.DocOptions{Now: searchbench.JudgedNow})
		if err != nil {
			return rep, err
		}
		w := &documents.Worker{Store: store, Log: slog.New(slog.DiscardHandler)}
		for {
			more, err := w.RunOnce(ctx)
			if err != nil {
				return rep, fmt.Errorf("text extraction: %w", err)
			}
			if !more {
				break
			}
		}
		fmt.Fprintf(a.stdout, "documents stored and extracted in %s: %d files\n", time.Since(started).Round(time.Second), dc.Files())
	}
	if cfg.Words == "" {
		cfg.Words = search.SystemWordList
	}
	words, _, err := search.DefaultWords(cfg.Words)
	if err != nil {
		return rep, err
	}
	started = time.Now()
	dir := filepath.Join(tmp, "index")
	_, n, err := search.Rebuild(ctx, pool, dir, words, nil)
	if err != nil {
		return rep, err
	}
	ix, err := search.Open(dir, nil)
	if err != nil {
		return rep, err
	}
	defer ix.Close()
	fmt.Fprintf(a.stdout, "index built in %s: %d documents\n", time.Since(started).Round(time.Millisecond), n)
	u, err := searchbench.LoadUniverse(ctx, pool)
	if err != nil {
		return rep, err
	}
	return searchbench.EvaluateJudged(ctx, qs, u, searchbench.Searcher(search.NewSearcher(ix, pool)))
}
