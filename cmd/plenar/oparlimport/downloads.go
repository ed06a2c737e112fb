package oparlimport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"
)

// FilesMode says when a run downloads the blobs of imported files
// (docs/OPARL.md, "Import").
type FilesMode string

// Files modes.
const (
	FilesNow   FilesMode = "now"   // download during the run (default with Options.Docs)
	FilesLater FilesMode = "later" // leave them to the server's background job (RunFileJob)
	FilesSkip  FilesMode = "skip"  // leave them pending; a later run or the job fetches them
)

// ParseFilesMode reads --files.
func ParseFilesMode(s string) (FilesMode, error) {
	switch m := FilesMode(s); m {
	case FilesNow, FilesLater, FilesSkip:
		return m, nil
	}
	return "", fmt.Errorf("--files=%q: want now, later or skip", s)
}

// ErrFilesPending is returned when the objects were imported completely
// but some file blobs were not downloaded (failed, deferred by a host's
// circuit breaker or the deadline); they stay pending for the next run or
// the background job.
var ErrFilesPending = errors.New("import complete, but some files are not downloaded yet (see files); run again or let serve fetch them")

// FileCounts is the file phase of a summary.
type FileCounts struct {
	Downloaded int            // blobs stored (new or new versions), or metadata and links updated
	Deleted    int            // local files of deleted sources deleted
	Deferred   int            // left pending: --files=later, a host given up, the deadline
	Skipped    int            // left pending by --files=skip
	Failed     int            // download failed or the file was refused (logged per kind)
	GivenUp    map[string]int // hosts given up for this run: files deferred because of it
}

// errUnreachable marks a download failure of the host (transport error,
// timeout, 5xx), which the host's circuit breaker counts.
var errUnreachable = errors.New("file host unreachable")

// host is one file host's state in a file phase: a bound on concurrent
// downloads and a circuit breaker.
type host struct {
	sem   chan struct{}
	fails int  // consecutive unreachable answers
	open  bool // given up for this phase
}

// downloadFiles brings the local files in line with import_files (see
// syncFile), concurrently: at most Options.FileWorkers downloads at once,
// Options.PerHost per host. A host that fails Options.BreakAfter times in
// a row is given up for this phase (logged once, with the count of files
// it left); its files and those the context's deadline leaves stay
// pending and are counted deferred. Only database errors are returned.
func (im *importer) downloadFiles(ctx context.Context) error {
	pending, err := im.pendingFiles(ctx)
	if err != nil {
		return err
	}
	switch im.opt.Files {
	case FilesSkip:
		im.sum.Files.Skipped += len(pending)
		return nil
	case FilesLater:
		if err := im.deferFiles(ctx); err != nil {
			return err
		}
		im.sum.Files.Deferred += len(pending)
		return nil
	}
	var mu sync.Mutex
	hosts := map[string]*host{}
	hostOf := func(p pendingFile) *host {
		name := hostName(p)
		mu.Lock()
		defer mu.Unlock()
		h := hosts[name]
		if h == nil {
			h = &host{sem: make(chan struct{}, im.opt.PerHost)}
			hosts[name] = h
		}
		return h
	}
	work := make(chan pendingFile)
	var firstErr error
	var wg sync.WaitGroup
	for range im.opt.FileWorkers {
		wg.Go(func() {
			for p := range work {
				h := hostOf(p)
				mu.Lock()
				open := h.open
				mu.Unlock()
				if open || ctx.Err() != nil {
					im.count(func(s *Summary) { s.Files.Deferred++ })
					continue
				}
				select {
				case h.sem <- struct{}{}:
				case <-ctx.Done():
					im.count(func(s *Summary) { s.Files.Deferred++ })
					continue
				}
				unreachable, err := im.syncFile(ctx, p)
				<-h.sem
				mu.Lock()
				switch {
				case err != nil && firstErr == nil && ctx.Err() == nil:
					firstErr = err
				case unreachable:
					h.fails++
					if h.fails >= im.opt.BreakAfter && !h.open {
						h.open = true
						im.log.Warn("oparl import: file host given up for this run", "host", hostName(p),
							"consecutive_failures", h.fails)
					}
				case err == nil:
					h.fails = 0
				}
				mu.Unlock()
			}
		})
	}
	for _, p := range pending {
		if ctx.Err() != nil {
			im.count(func(s *Summary) { s.Files.Deferred++ })
			continue
		}
		work <- p
	}
	close(work)
	wg.Wait()
	for name, h := range hosts {
		if h.open {
			im.sum.Files.GivenUp[name] = 0
		}
	}
	if len(im.sum.Files.GivenUp) > 0 {
		// Count what each given-up host left pending.
		for _, p := range pending {
			if _, ok := im.sum.Files.GivenUp[hostName(p)]; ok {
				if still, err := im.filePending(ctx, p.sourceURL); err == nil && still {
					im.sum.Files.GivenUp[hostName(p)]++
				}
			}
		}
		for name, n := range im.sum.Files.GivenUp {
			im.log.Warn("oparl import: files of a given-up host left for the next run", "host", name, "files", n)
		}
	}
	return firstErr
}

func hostName(p pendingFile) string {
	for _, u := range []string{p.download, p.access} {
		if pu, err := url.Parse(u); err == nil && pu.Host != "" {
			return pu.Host
		}
	}
	return ""
}

// count updates the summary under the importer's lock (file workers run
// concurrently).
func (im *importer) count(f func(s *Summary)) {
	im.mu.Lock()
	defer im.mu.Unlock()
	f(im.sum)
}

// filesPending reports whether a run left files to download.
func (s *Summary) filesPending() bool {
	return s.Files.Deferred > 0 || s.Files.Failed > 0 || s.Files.Skipped > 0
}

// FileJob downloads pending file blobs in the background (serve, for
// imports run with --files=later, and files a run could not fetch): every
// Poll it takes the pending files, as a run's file phase does. Its state is
// import_files, so it resumes after a restart; a PostgreSQL advisory lock
// keeps two jobs (or a job and an import run) from fetching the same files.
type FileJob struct {
	Options               // DB, Docs, Client, Log, FileWorkers, PerHost, BreakAfter
	Poll    time.Duration // wait between rounds; 0: 1 minute
}

// Run works until ctx ends.
func (j FileJob) Run(ctx context.Context) error {
	if j.Poll <= 0 {
		j.Poll = time.Minute
	}
	for {
		sum, err := j.Once(ctx)
		if err != nil && ctx.Err() == nil {
			j.logger().Error("oparl file job", "err", err)
		} else if sum != nil && (sum.Files.Downloaded > 0 || sum.Files.Failed > 0) {
			j.logger().Info("oparl file job", "downloaded", sum.Files.Downloaded, "failed", sum.Files.Failed,
				"deferred", sum.Files.Deferred)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(j.Poll):
		}
	}
}

func (j FileJob) logger() *slog.Logger {
	if j.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return j.Log
}

// Once runs one round: it downloads what is pending now (nothing when
// another job holds the lock).
func (j FileJob) Once(ctx context.Context) (*Summary, error) {
	opt := j.Options
	opt.Files = FilesNow
	im := newImporter(opt)
	if im.opt.Docs == nil || im.opt.DB == nil {
		return im.sum, errors.New("file job: no database or documents store")
	}
	err := im.withFileLock(ctx, func(ctx context.Context) error { return im.downloadFiles(ctx) })
	im.flushProblems()
	return im.sum, err
}
