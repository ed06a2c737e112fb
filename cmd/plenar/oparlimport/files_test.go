package oparlimport_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plenar/plenar/cmd/plenar/oparlimport"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/documents/doctest"
	"github.com/plenar/plenar/migrations/pgtest"
)

const t10 = "https://schema.oparl.org/1.0/"

// deadHost is a file host that accepts connections and never answers, as
// an old Ratsinformationssystem's file server behind a dead proxy does.
func deadHost(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

// sdnetPages is an SD.NET RIM 1.0 style server: OParl 1.0 types, files
// at getfile.asp with accessUrl and downloadUrl, good papers' files on
// the server itself ("/blob/N") and the others' on fileHost.
func sdnetPages(good, dead int, fileHost string) map[string]string {
	pages := defectPages()
	var papers []string
	for i := range good + dead {
		access := fmt.Sprintf("{B}/blob/%d", i)
		if i >= good {
			access = fmt.Sprintf("%s/getfile.asp?id=%d&type=do", fileHost, i)
		}
		papers = append(papers, fmt.Sprintf(`{"id": "{B}/paper/%d", "type": "`+t10+`Paper", "name": "Vorlage %d",
			"reference": "VO/%04d/21", "paperType": "Mitteilungsvorlage", "modified": "2021-01-01T00:00:00+01:00",
			"mainFile": {"id": "{B}/file/%d", "type": "`+t10+`File", "name": "Vorlage", "fileName": "v%d.pdf",
			  "mimeType": "application/pdf", "accessUrl": "%s", "downloadUrl": "%s&dl=1"}}`, i, i, i, i, i, access, access))
		if i < good {
			pages[fmt.Sprintf("/blob/%d", i)] = string(doctest.TextPDF(fmt.Sprintf("Vorlage %d", i)))
		}
	}
	pages["/body/1/papers"] = `{"data": [` + strings.Join(papers, ",") + `], "links": {}}`
	delete(pages, "/body/1/files")
	return pages
}

// TestFilesUnreachableHost: files on a host that never answers do not
// hold the run up. Downloads run concurrently; after BreakAfter failures
// in a row the host is given up for the run, logged once with its count;
// its files stay pending (deferred) and the run says so (ErrFilesPending)
// while the objects are complete. The good host's files are stored.
func TestFilesUnreachableHost(t *testing.T) {
	pool := pgtest.New(t)
	ctx := context.Background()
	srv := newFixtureServer(t, sdnetPages(4, 30, deadHost(t)))
	var logs bytes.Buffer
	opt := fastOptions(pool)
	opt.Log = slog.New(slog.NewTextHandler(&logs, nil))
	opt.Client = &http.Client{Timeout: 300 * time.Millisecond}
	opt.BreakAfter, opt.PerHost = 3, 2
	opt.Docs = documents.NewStore(pool, filepath.Join(t.TempDir(), "files"), documents.Limits{})
	sum, err := oparlimport.Run(ctx, opt, srv.URL+"/system")
	if !errors.Is(err, oparlimport.ErrFilesPending) {
		t.Fatalf("err %v, want ErrFilesPending\n%s", err, sum)
	}
	t.Logf("summary:\n%s", sum)
	if !sum.Complete || sum.Imported["paper"] != 34 {
		t.Errorf("objects: complete %v, papers %d; want complete with 34", sum.Complete, sum.Imported["paper"])
	}
	f := sum.Files
	if f.Downloaded != 4 || f.Deferred+f.Failed != 30 || f.Deferred < 20 {
		t.Errorf("files: %+v; want 4 downloaded, 30 failed or deferred (most deferred)", f)
	}
	if len(f.GivenUp) != 1 {
		t.Errorf("hosts given up: %v, want the dead one", f.GivenUp)
	}
	if n := strings.Count(logs.String(), "file host given up"); n != 1 {
		t.Errorf("the given-up host logged %d times, want once", n)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM import_files WHERE file_id IS NULL`); n != 30 {
		t.Errorf("%d files pending, want 30", n)
	}
	if strings.Contains(sum.String(), "result:     complete") {
		t.Errorf("summary claims a complete run:\n%s", sum)
	}
}

// TestFilesLaterAndSkip: --files=skip leaves every file pending and counts
// it; --files=later marks them deferred and the run is complete; the
// background job (FileJob, run by serve) then downloads them, and a second
// round has nothing left.
func TestFilesLaterAndSkip(t *testing.T) {
	pool := pgtest.New(t)
	ctx := context.Background()
	srv := newFixtureServer(t, sdnetPages(5, 0, ""))
	opt := fastOptions(pool)
	opt.Docs = documents.NewStore(pool, filepath.Join(t.TempDir(), "files"), documents.Limits{})

	opt.Files = oparlimport.FilesSkip
	sum, err := oparlimport.Run(ctx, opt, srv.URL+"/system")
	if err != nil || sum.Files.Skipped != 5 || sum.Files.Downloaded != 0 {
		t.Fatalf("skip: err %v, files %+v", err, sum.Files)
	}
	opt.Files, opt.Full = oparlimport.FilesLater, true
	sum, err = oparlimport.Run(ctx, opt, srv.URL+"/system")
	if err != nil || sum.Files.Deferred != 5 {
		t.Fatalf("later: err %v, files %+v", err, sum.Files)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM import_files WHERE deferred AND file_id IS NULL`); n != 5 {
		t.Errorf("%d files deferred, want 5", n)
	}
	job := oparlimport.FileJob{Options: opt}
	sum, err = job.Once(ctx)
	if err != nil || sum.Files.Downloaded != 5 {
		t.Fatalf("job: err %v, files %+v", err, sum.Files)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM paper_files WHERE role = 'main'`); n != 5 {
		t.Errorf("%d papers with their main file, want 5", n)
	}
	sum, err = job.Once(ctx)
	if err != nil || sum.Files.Downloaded != 0 {
		t.Errorf("second round: err %v, files %+v; want nothing to do", err, sum.Files)
	}
}

// TestInterruptResumes: Ctrl-C (a cancelled context) while page 2 of the
// papers is read stops the run with ErrIncomplete; the next run continues
// the unfinished run and completes it. A deadline does the same.
func TestInterruptResumes(t *testing.T) {
	for _, how := range []string{"cancel", "deadline"} {
		t.Run(how, func(t *testing.T) {
			pool := pgtest.New(t)
			pages := sdnetPages(3, 0, "")
			pages["/body/1/papers"] = strings.Replace(pages["/body/1/papers"], `"links": {}`, `"links": {"next": "{B}/body/1/papers2"}`, 1)
			pages["/body/1/papers2"] = `{"data": [{"id": "{B}/paper/99", "type": "` + t10 + `Paper", "name": "Spät",
				"paperType": "Antrag", "modified": "2021-01-01T00:00:00+01:00"}], "links": {}}`
			srv := newFixtureServer(t, pages)
			var block atomic.Bool
			block.Store(true)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			srv.before = func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != "/body/1/papers2" || !block.Load() {
					return false
				}
				if how == "cancel" {
					cancel() // Ctrl-C while the page is read
				}
				<-r.Context().Done()
				return true
			}
			opt := fastOptions(pool)
			if how == "deadline" {
				opt.Deadline = 500 * time.Millisecond
			}
			sum, err := oparlimport.Run(ctx, opt, srv.URL+"/system")
			if !errors.Is(err, oparlimport.ErrIncomplete) || sum.Complete {
				t.Fatalf("interrupted run: err %v, complete %v", err, sum.Complete)
			}
			if n := pgtest.Count(t, pool, `SELECT count(*) FROM import_runs WHERE finished IS NULL`); n != 1 {
				t.Errorf("%d unfinished runs, want 1", n)
			}
			block.Store(false)
			sum, err = oparlimport.Run(context.Background(), fastOptions(pool), srv.URL+"/system")
			if err != nil || !sum.Resumed || !sum.Complete {
				t.Fatalf("next run: err %v, resumed %v, complete %v\n%s", err, sum.Resumed, sum.Complete, sum)
			}
			if n := pgtest.Count(t, pool, `SELECT count(*) FROM papers`); n != 4 {
				t.Errorf("%d papers, want 4", n)
			}
		})
	}
}
