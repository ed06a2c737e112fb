package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/plenar/plenar/documents"
)

// documentsGC runs "plenar documents gc": it removes blobs under
// <data dir>/files that no file row names, and stale temporary uploads,
// both only when older than --min-age (default 1h, so uploads between
// blob rename and row commit are never touched).
func (a *app) documentsGC(ctx context.Context, args []string) error {
	var cfg Config
	fs := a.dbFlags("documents gc", &cfg)
	minAge := fs.Duration("min-age", time.Hour, "remove only blobs and temporary files older than this")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *minAge < 0 {
		return usagef("--min-age must not be negative")
	}
	db, log, err := a.open(ctx, &cfg, fs)
	if err != nil {
		return err
	}
	defer db.close(ctx)
	store := documents.NewStore(db.Pool, cfg.filesDir(), documents.Limits{})
	res, err := store.GC(ctx, *minAge)
	if err != nil {
		return fmt.Errorf("documents gc: %w", err)
	}
	log.Info("documents gc done", "blobs", res.Blobs, "removed", res.Removed, "bytes_freed", res.Bytes)
	fmt.Fprintf(a.stdout, "%d blobs, %d orphaned blobs or temporary files removed (%d bytes)\n", res.Blobs, res.Removed, res.Bytes)
	return nil
}

// maxUpload reads PLENAR_MAX_UPLOAD_MB (the upload size limit in MB,
// 1 to 10240); 0 when unset (the default of 50 MB). A value that is not
// such a number is a usage error: an operator who set a limit must not
// silently get another.
func (a *app) maxUpload() (int64, error) {
	v, ok := a.env("PLENAR_MAX_UPLOAD_MB")
	if !ok || strings.TrimSpace(v) == "" {
		return 0, nil
	}
	mb, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || mb < 1 || mb > 10240 {
		return 0, usagef("PLENAR_MAX_UPLOAD_MB=%q: want a whole number of megabytes from 1 to 10240", v)
	}
	return mb << 20, nil
}

// startExtraction runs the text extraction worker until ctx ends.
func startExtraction(ctx context.Context, wg *sync.WaitGroup, db *database, filesDir string, log *slog.Logger) {
	if missing := documents.MissingTools(ctx); len(missing) > 0 {
		log.Warn("text extraction tools missing; extraction jobs will fail and retry",
			"missing", strings.Join(missing, ","), "debian", "poppler-utils tesseract-ocr tesseract-ocr-deu")
	}
	w := &documents.Worker{Store: documents.NewStore(db.Pool, filesDir, documents.Limits{}),
		Log: log.With("component", "extract")}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := w.Run(ctx); err != nil && ctx.Err() == nil {
			log.Error("text extraction stopped", "err", err)
		}
	}()
}
