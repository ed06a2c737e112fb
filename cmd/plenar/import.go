package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/plenar/plenar/cmd/plenar/oparlimport"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/migrations"
)

// importOParl runs "plenar import oparl <system-URL>": it checks that the
// URL serves OParl before it opens (and migrates) the database, so a
// wrong URL writes nothing.
func (a *app) importOParl(ctx context.Context, args []string) error {
	var cfg Config
	fs := a.dbFlags("import oparl", &cfg)
	full := fs.Bool("full", false, "read every list completely instead of only what changed since the last run")
	limit := fs.Int("limit", 0, "page size to ask the lists for (0: the server's default)")
	files := fs.String("files", "now", "file downloads: now (during the run), later (the server's background job), skip")
	deadline := fs.Duration("deadline", 0, "stop the run after this long (0: none); the next run continues")
	perHost := fs.Int("per-host", 4, "concurrent downloads per file host")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errFlagParse
	}
	if fs.NArg() != 1 {
		return usagef("usage: plenar import oparl [flags] <system-URL>")
	}
	systemURL := fs.Arg(0)
	mode, err := oparlimport.ParseFilesMode(*files)
	if err != nil {
		return usagef("%v", err)
	}
	// Ctrl-C stops the run cleanly: what was written stays, the run stays
	// unfinished and the next invocation continues it.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	opt := oparlimport.Options{Full: *full, Limit: *limit, Files: mode, Deadline: *deadline, PerHost: *perHost}
	if err := oparlimport.Check(ctx, opt, systemURL); err != nil {
		return err
	}
	db, log, err := a.open(ctx, &cfg, fs)
	if err != nil {
		return err
	}
	defer db.close(ctx)
	opt.DB, opt.Log = db.Pool, log.With("component", "oparl-import")
	opt.Docs = documents.NewStore(db.Pool, cfg.filesDir(), documents.Limits{})
	sum, err := oparlimport.Run(ctx, opt, systemURL)
	// A city's worth of new rows: plan the portal's queries with fresh
	// statistics (issue 21), also after an interrupted run.
	if aerr := migrations.Analyze(context.WithoutCancel(ctx), db.Pool, log); aerr != nil {
		log.Warn("refresh planner statistics after the import", "err", aerr)
	}
	if sum != nil {
		fmt.Fprint(a.stdout, sum.String())
	}
	// The exit code says whether the run was complete: ErrIncomplete and
	// ErrFilesPending are errors too (docs/OPARL.md, "Import").
	if err != nil && !errors.Is(err, oparlimport.ErrIncomplete) && !errors.Is(err, oparlimport.ErrFilesPending) {
		return fmt.Errorf("import %s: %w", systemURL, err)
	}
	return err
}

// startImportFiles runs the background job that downloads the files of
// OParl imports (plenar import oparl --files=later, and files a run could
// not fetch) until ctx ends; it resumes from import_files after a restart.
func startImportFiles(ctx context.Context, wg *sync.WaitGroup, db *database, filesDir string, log *slog.Logger) {
	job := oparlimport.FileJob{Options: oparlimport.Options{DB: db.Pool, Log: log.With("component", "oparl-files"),
		Docs: documents.NewStore(db.Pool, filesDir, documents.Limits{})}}
	wg.Go(func() { _ = job.Run(ctx) })
}
