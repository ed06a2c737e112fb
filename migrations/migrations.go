package migrations

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed sql/*.sql
var files embed.FS

// FS returns the embedded migration files.
func FS() fs.FS {
	sub, err := fs.Sub(files, "sql")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	return sub
}

// Up applies every pending migration to the database behind pool. It is safe
// to call from several processes at once: goose takes a session lock.
func Up(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("migrations lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, FS(), goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	for _, r := range results {
		if log != nil {
			log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
		}
	}
	if len(results) > 0 {
		// A migration may create, fill or rewrite tables: plan the next
		// queries with statistics of the new schema (see Analyze).
		return Analyze(ctx, pool, log)
	}
	return nil
}

// Analyze refreshes the planner's statistics of every table. Call it after
// every bulk change (migrations, the demo seed, an import, a rebuild):
// until autovacuum gets to a table that was just filled, PostgreSQL plans
// its queries without statistics, and the public pages lose an order of
// magnitude of throughput (docs/BENCHMARKS.md, "Public pages under load").
// ANALYZE samples at most 30,000 rows per table, so it takes seconds even
// on a large city, and it does not block readers or writers.
func Analyze(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	started := time.Now()
	if _, err := pool.Exec(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	if log != nil {
		log.Info("planner statistics refreshed", "duration", time.Since(started).Round(time.Millisecond))
	}
	return nil
}

// Pending reports how many migrations the database behind pool lacks.
func Pending(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, FS())
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	st, err := p.Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("migration status: %w", err)
	}
	n := 0
	for _, s := range st {
		if s.State == goose.StatePending {
			n++
		}
	}
	return n, nil
}
