package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/cmd/plenar/pgcluster"
	"github.com/plenar/plenar/migrations"
)

// database is an open pool and what must be released with it.
type database struct {
	Pool    *pgxpool.Pool
	cluster *pgcluster.Cluster // started by us: stopped on close
	lock    *dirLock
	log     *slog.Logger
	// endSupervision stops the cluster's supervisor and waits for it
	// (see supervise); nil when none runs.
	endSupervision func()
}

// supervise restarts the cluster we started when PostgreSQL dies, until
// close (pgcluster.Cluster.Supervise). When every restart failed it calls
// giveUp with the error, for the caller to shut down. Without a cluster of
// ours (PLENAR_DATABASE_URL) it does nothing.
func (db *database) supervise(ctx context.Context, giveUp func(error)) {
	if db.cluster == nil || db.endSupervision != nil {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	db.endSupervision = func() { cancel(); <-done }
	go func() {
		defer close(done)
		if err := db.cluster.Supervise(ctx, pgcluster.Supervision{}); errors.Is(err, pgcluster.ErrGaveUp) {
			giveUp(err)
		}
	}()
}

// openDatabase resolves the database: PLENAR_DATABASE_URL, or the private
// cluster in the data directory. With exclusive (serve), the data directory
// must not be locked by another process (ErrDataDirInUse). Otherwise a
// locked data directory means a running server, whose cluster is used
// without starting or stopping it.
//
// The pool connects lazily: a server that is down is not an error here.
func openDatabase(ctx context.Context, cfg Config, log *slog.Logger, exclusive bool) (*database, error) {
	db := &database{log: log}
	url := cfg.DatabaseURL
	if exclusive || url == "" {
		lock, err := lockDataDir(cfg.DataDir)
		switch {
		case err == nil:
			db.lock = lock
		case exclusive || !errors.Is(err, ErrDataDirInUse):
			return nil, err
		}
	}
	if url == "" {
		c, err := pgcluster.New(ctx, pgcluster.Options{DataDir: cfg.DataDir, Log: log})
		if err != nil {
			db.close(ctx)
			return nil, err
		}
		if db.lock != nil {
			if err := c.Start(ctx); err != nil {
				db.close(ctx)
				return nil, err
			}
			db.cluster = c
		} else if running, err := c.Running(ctx); err != nil || !running {
			return nil, fmt.Errorf("the data directory is locked by another plenar process, but its PostgreSQL "+
				"in %s is not running (running %v, %v)", c.Dir(), running, err)
		}
		url = c.ConnString()
	}
	pcfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		db.close(ctx)
		return nil, usagef("database URL: %v", err)
	}
	pcfg.ConnConfig.ConnectTimeout = 5 * time.Second
	pcfg.MaxConns = cfg.maxConns()
	if db.Pool, err = pgxpool.NewWithConfig(ctx, pcfg); err != nil {
		db.close(ctx)
		return nil, fmt.Errorf("database pool: %w", err)
	}
	return db, nil
}

// close ends the supervision, closes the pool, stops the cluster we
// started and unlocks the data directory, in that order.
func (db *database) close(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	if db.endSupervision != nil {
		db.endSupervision() // first: a stopping cluster must not be restarted
	}
	if db.Pool != nil {
		db.Pool.Close()
	}
	if db.cluster != nil {
		ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
		defer cancel()
		if err := db.cluster.Stop(ctx); err != nil {
			db.log.Error("stop PostgreSQL", "err", err)
		}
	}
	if err := db.lock.Close(); err != nil {
		db.log.Error("unlock data directory", "err", err)
	}
}

// dbFlags returns a flag set with the database settings bound to cfg.
func (a *app) dbFlags(name string, cfg *Config) *flag.FlagSet {
	fs := a.flagSet(name)
	a.bind(cfg, fs, dbSettings()...)
	return fs
}

// openWith parses args into cfg for a command that has only the database
// settings and opens the database as open does. The caller closes the
// database.
func (a *app) openWith(ctx context.Context, name string, args []string, cfg *Config) (*database, *slog.Logger, error) {
	fs := a.dbFlags(name, cfg)
	if err := parse(fs, args); err != nil {
		return nil, nil, err
	}
	return a.open(ctx, cfg, fs)
}

// open checks the parsed settings, builds the logger, opens the database and
// brings its schema up to date, for the commands other than serve. The
// caller closes the database.
func (a *app) open(ctx context.Context, cfg *Config, fs *flag.FlagSet) (*database, *slog.Logger, error) {
	if err := a.check(cfg, fs); err != nil {
		return nil, nil, err
	}
	log := cfg.logger(a.stderr)
	db, err := openDatabase(ctx, *cfg, log, false)
	if err != nil {
		return nil, nil, err
	}
	if err := migrations.Up(ctx, db.Pool, log); err != nil {
		db.close(ctx)
		return nil, nil, err
	}
	return db, log, nil
}
