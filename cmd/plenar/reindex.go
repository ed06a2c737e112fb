package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"

	"github.com/plenar/plenar/search"
)

// searchDir is the search index directory inside the data directory.
func searchDir(dataDir string) string { return filepath.Join(dataDir, "index") }

// reindex rebuilds the search index from PostgreSQL into a new generation
// and makes it current. A running server keeps answering from the old
// generation and switches within its catch-up interval (10 s), then
// applies the changes made during the rebuild. With the managed
// PostgreSQL cluster the data directory is locked by a running server, so
// there reindex needs an external database (--database-url) or a stopped
// server.
func (a *app) reindex(ctx context.Context, args []string) error {
	var cfg Config
	db, log, err := a.openWith(ctx, "reindex", args, &cfg)
	if err != nil {
		return err
	}
	defer db.close(ctx)
	words, system, err := search.DefaultWords(search.SystemWordList)
	if err != nil {
		return err
	}
	if !system {
		log.Warn("German word list missing; compound splitting uses the built-in vocabulary and the corpus only",
			"path", search.SystemWordList, "debian", "wngerman")
	}
	gen, n, err := search.Rebuild(ctx, db.Pool, searchDir(cfg.DataDir), words, log)
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	fmt.Fprintf(a.stdout, "search index rebuilt: %d documents, generation %s\n", n, gen)
	return nil
}

// openSearch opens the search index of the data directory.
func openSearch(dataDir string, log *slog.Logger) (*search.Index, error) {
	ix, err := search.Open(searchDir(dataDir), log.With("component", "search"))
	if err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	return ix, nil
}

// startIndexer follows the outbox into ix until ctx ends, then closes ix.
// On a fresh data directory it builds the index first; searches answer
// 503 until then.
func startIndexer(ctx context.Context, wg *sync.WaitGroup, db *database, ix *search.Index, log *slog.Logger) {
	in := search.NewIndexer(db.Pool, ix, log.With("component", "indexer"))
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer ix.Close()
		if err := in.Run(ctx); err != nil && ctx.Err() == nil {
			log.Error("search indexer stopped", "err", err)
		}
	}()
}
