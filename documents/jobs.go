package documents

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
)

// Job is the text extraction state of one file.
type Job struct {
	FileID    council.ID
	Status    string // "pending", "running", "done", "failed"; "" when there is no job
	Attempts  int
	Method    string
	Pages     int
	LastError string
}

// Job statuses.
const (
	JobPending = "pending"
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// Worker runs text extraction jobs from the file_text_jobs table. Several
// workers (in one process or several) share the table: each claims a due
// job with FOR UPDATE SKIP LOCKED and holds a lease while it works, so a
// job whose worker died is claimed again when the lease ends.
type Worker struct {
	Store       *Store
	Extractor   Extractor
	Log         *slog.Logger
	Poll        time.Duration // idle wait between looks; default 5 s
	Lease       time.Duration // default 15 minutes
	MaxAttempts int           // default 5
}

func (w *Worker) defaults() {
	if w.Log == nil {
		w.Log = slog.New(slog.DiscardHandler)
	}
	if w.Poll <= 0 {
		w.Poll = 5 * time.Second
	}
	if w.Lease <= 0 {
		w.Lease = 15 * time.Minute
	}
	if w.MaxAttempts <= 0 {
		w.MaxAttempts = 5
	}
}

// Run works through due jobs until ctx ends, then returns ctx's error.
func (w *Worker) Run(ctx context.Context) error {
	w.defaults()
	for {
		did, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.Log.Warn("text extraction", "err", err)
		}
		if did && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(w.Poll):
		}
	}
}

// RunOnce claims one due job and runs it. It reports whether there was a
// job; err is a database error (a failed extraction is recorded on the
// job, not returned).
func (w *Worker) RunOnce(ctx context.Context) (bool, error) {
	w.defaults()
	db := w.Store.db
	var id council.ID
	var attempts int
	err := db.QueryRow(ctx, `
		UPDATE file_text_jobs SET status = 'running', attempts = attempts + 1,
			locked_until = now() + make_interval(secs => $1), modified = now()
		WHERE file_id = (
			SELECT file_id FROM file_text_jobs
			WHERE (status = 'pending' AND run_after <= now()) OR (status = 'running' AND locked_until < now())
			ORDER BY run_after LIMIT 1 FOR UPDATE SKIP LOCKED)
		RETURNING file_id, attempts`, w.Lease.Seconds()).Scan(&id, &attempts)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim extraction job: %w", council.TranslateError(err))
	}
	log := w.Log.With("file_id", id, "attempt", attempts)
	start := time.Now()
	res, xerr := w.extract(ctx, id)
	if xerr != nil {
		if ctx.Err() != nil {
			// Shutting down: give the job back without counting the attempt.
			_, err := db.Exec(context.WithoutCancel(ctx), `UPDATE file_text_jobs SET status = 'pending',
				attempts = attempts - 1, locked_until = NULL WHERE file_id = $1`, id)
			return true, err
		}
		var rej *Rejection
		final := attempts >= w.MaxAttempts || errors.As(xerr, &rej) || errors.Is(xerr, council.ErrInvalid) ||
			errors.Is(xerr, council.ErrNotFound)
		status, backoff := JobPending, time.Duration(30<<min(attempts, 10))*time.Second
		if final {
			status = JobFailed
		}
		log.Warn("text extraction failed", "err", xerr, "final", final)
		msg := xerr.Error()
		if len(msg) > 2000 {
			msg = msg[:2000]
		}
		_, err := db.Exec(ctx, `UPDATE file_text_jobs SET status = $2, last_error = $3, locked_until = NULL,
			run_after = now() + make_interval(secs => $4), modified = now() WHERE file_id = $1`, id, status, msg, backoff.Seconds())
		if err != nil {
			return true, fmt.Errorf("record extraction failure: %w", council.TranslateError(err))
		}
		return true, nil
	}
	err = council.Tx(ctx, db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE files SET text = $2, modified = now() WHERE id = $1`, id, res.Text); err != nil {
			return council.TranslateError(err)
		}
		if _, err := tx.Exec(ctx, `UPDATE file_text_jobs SET status = 'done', method = $2, pages = $3, last_error = '',
			locked_until = NULL, modified = now() WHERE file_id = $1`, id, res.Method, res.Pages); err != nil {
			return council.TranslateError(err)
		}
		if err := touchParents(ctx, tx, id); err != nil {
			return err
		}
		return council.Record(ctx, tx, "file", id, council.OpUpdate, map[string]any{
			"text": "extracted", "method": res.Method, "pages": res.Pages, "chars": len(res.Text)})
	})
	if err != nil {
		return true, fmt.Errorf("store extracted text of %s: %w", id, err)
	}
	log.Info("text extracted", "method", res.Method, "pages", res.Pages, "chars", len(res.Text),
		"duration_ms", time.Since(start).Milliseconds())
	return true, nil
}

func (w *Worker) extract(ctx context.Context, id council.ID) (Result, error) {
	f, err := w.Store.File(ctx, id)
	if err != nil {
		return Result{}, err
	}
	p, err := w.Store.blobs.Path(f.SHA512)
	if err != nil {
		return Result{}, err
	}
	return w.Extractor.Extract(ctx, p, f.MIMEType)
}

// Job returns the extraction state of file id; Status is "" when the file
// has no job. Errors: none for a missing job.
func (s *Store) Job(ctx context.Context, id council.ID) (Job, error) {
	j := Job{FileID: id}
	err := s.db.QueryRow(ctx, `SELECT status, attempts, method, pages, last_error FROM file_text_jobs WHERE file_id = $1`, id).
		Scan(&j.Status, &j.Attempts, &j.Method, &j.Pages, &j.LastError)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return Job{}, fmt.Errorf("extraction job of %s: %w", id, council.TranslateError(err))
	}
	return j, nil
}

// Retry makes a failed job of file id due again with fresh attempts.
// Errors: ErrNotFound when the file has no failed job.
func (s *Store) Retry(ctx context.Context, id council.ID) error {
	tag, err := s.db.Exec(ctx, `UPDATE file_text_jobs SET status = 'pending', attempts = 0, run_after = now(),
		last_error = '', modified = now() WHERE file_id = $1 AND status = 'failed'`, id)
	if err != nil {
		return fmt.Errorf("retry extraction of %s: %w", id, council.TranslateError(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: no failed extraction job for file %s", council.ErrNotFound, id)
	}
	return nil
}
