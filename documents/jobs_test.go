package documents_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/documents/doctest"
)

func TestWorkerExtractsAndRecords(t *testing.T) {
	needTools(t)
	e := newEnv(t)
	f := e.upload(t, "antrag.pdf", doctest.TextPDF(sampleText), true)
	broken := e.upload(t, "kaputt.pdf", doctest.TextPDF("x"), true)
	// Damage the second blob behind the store's back: extraction fails.
	if _, err := e.pool.Exec(e.ctx, `UPDATE files SET mime_type = 'application/x-unknown' WHERE id = $1`, broken.ID); err != nil {
		t.Fatal(err)
	}
	w := &documents.Worker{Store: e.docs, Extractor: documents.Extractor{Timeout: time.Minute}}
	for range 2 {
		did, err := w.RunOnce(e.ctx)
		if err != nil || !did {
			t.Fatalf("RunOnce = %v, %v; want a job done", did, err)
		}
	}
	if did, err := w.RunOnce(e.ctx); did || err != nil {
		t.Errorf("RunOnce with nothing due = %v, %v", did, err)
	}
	text, has, err := e.docs.Text(e.ctx, f.ID, documents.DefaultMaxText)
	if err != nil {
		t.Fatal(err)
	}
	if !has || !strings.Contains(text, "Radwegs") {
		t.Errorf("text = %q (has %v), want the extracted text", text, has)
	}
	if got, err := e.docs.File(e.ctx, f.ID); err != nil || !got.HasText {
		t.Errorf("file = %+v, %v; want HasText", got, err)
	}
	j, _ := e.docs.Job(e.ctx, f.ID)
	if j.Status != documents.JobDone || j.Method != "pdftotext" || j.Pages != 1 {
		t.Errorf("job = %+v, want done by pdftotext, 1 page", j)
	}
	var n int
	_ = e.pool.QueryRow(e.ctx, `SELECT count(*) FROM outbox WHERE entity = 'file' AND entity_id = $1 AND op = 'update'
		AND payload->>'text' = 'extracted'`, f.ID).Scan(&n)
	if n != 1 {
		t.Errorf("%d outbox rows for the extracted text, want 1", n)
	}
	jb, _ := e.docs.Job(e.ctx, broken.ID)
	if jb.Status != documents.JobFailed || jb.LastError == "" {
		t.Errorf("job of a file without extractable type = %+v, want failed with a message", jb)
	}
	if err := e.docs.Retry(e.ctx, broken.ID); err != nil {
		t.Errorf("Retry: %v", err)
	}
	if jb, _ = e.docs.Job(e.ctx, broken.ID); jb.Status != documents.JobPending || jb.Attempts != 0 {
		t.Errorf("after Retry: %+v", jb)
	}
}

// Two workers never take the same job; a job whose worker died (lease
// over) is taken again; a transient failure is retried later.
func TestWorkerClaimsOnce(t *testing.T) {
	needTools(t)
	e := newEnv(t)
	f := e.upload(t, "a.pdf", doctest.TextPDF(sampleText), true)
	// Simulate a crashed worker: running, lease expired.
	if _, err := e.pool.Exec(e.ctx, `UPDATE file_text_jobs SET status = 'running', attempts = 1,
		locked_until = now() - interval '1 minute' WHERE file_id = $1`, f.ID); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(e.ctx, time.Minute)
	defer cancel()
	results := make(chan bool, 2)
	for range 2 {
		go func() {
			w := &documents.Worker{Store: e.docs}
			did, err := w.RunOnce(ctx)
			if err != nil {
				t.Errorf("RunOnce: %v", err)
			}
			results <- did
		}()
	}
	done := 0
	for range 2 {
		if <-results {
			done++
		}
	}
	if done != 1 {
		t.Errorf("%d workers ran the job, want exactly 1", done)
	}
	j, _ := e.docs.Job(e.ctx, f.ID)
	if j.Status != documents.JobDone || j.Attempts != 2 {
		t.Errorf("job = %+v, want done on attempt 2", j)
	}
}
