package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"runtime/pprof"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/migrations"
	"github.com/plenar/plenar/search"
	"github.com/plenar/plenar/search/searchbench"
)

// benchSearch runs the search benchmark of issue 5 in one command:
//
//	plenar bench search [--papers 20000] [--db URL] [--rounds 5] [--pg-rounds 2] [--skip-pg] [--realistic]
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
	if *server == "" {
		*server = os.Getenv("PLENAR_TEST_DATABASE_URL")
	}
	if *server == "" {
		*server = testDatabaseURL
	}
	admin, err := pgx.Connect(ctx, *server)
	if err != nil {
		return fmt.Errorf("bench search: connect: %w", err)
	}
	defer admin.Close(context.WithoutCancel(ctx))
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "plenar_bench_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("bench search: create scratch database: %w", err)
	}
	defer func() {
		if _, err := admin.Exec(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(a.stderr, "bench search: drop %s: %v\n", name, err)
		}
	}()
	u, err := url.Parse(*server)
	if err != nil {
		return fmt.Errorf("bench search: %w", err)
	}
	u.Path = "/" + name
	pool, err := pgxpool.New(ctx, u.String())
	if err != nil {
		return fmt.Errorf("bench search: %w", err)
	}
	defer pool.Close()
	if err := migrations.Up(ctx, pool, nil); err != nil {
		return fmt.Errorf("bench search: migrate: %w", err)
	}
	dir, err := os.MkdirTemp("", "plenar-bench-index-")
	if err != nil {
		return fmt.Errorf("bench search: %w", err)
	}
	defer os.RemoveAll(dir)
	return searchbench.Run(ctx, pool, searchbench.Config{Papers: *papers, Seed: *seed, Dir: dir, WordList: *words,
		Rounds: *rounds, PGRounds: *pgRounds, Edits: *edits, SkipPG: *skipPG, QueryProfile: *queryProfile, Realistic: *realistic}, a.stdout)
}
