package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/documents/doctest"
)

// queryCounter counts the statements a pool sends.
type queryCounter struct{ n *atomic.Int64 }

func (c queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}
func (queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// maxQueriesPerPage bounds the statements of one public request. The
// heaviest page today, a decided paper (its consultation path, files,
// timeline and the decision trail: polls, protocols, the minutes' state
// of the deciding meetings, the recorded chapters of the decided items,
// the implementation record), needs 17 — each a statement for all rows,
// which the growth check below holds to.
const maxQueriesPerPage = 17

// TestPublicPagesOneConnection serves every public GET route (the paths
// of TestVisibilityEveryPublicReader) from a pool of ONE connection: a
// request that needed two at a time would wait for itself until the
// client gives up (issue 21: the pool is shared by all requests, so one
// that holds two halves the throughput under load). Each request's
// statements are counted: at most maxQueriesPerPage, and the same count
// again after the city grew by many papers, meetings, agenda items and
// files — no page runs a query per row.
func TestPublicPagesOneConnection(t *testing.T) {
	e := newFilesEnv(t, 1<<20)
	f := newHostileFixture(t, e)
	ctx := context.Background()
	paths := publicPaths(t, e, f)

	var queries atomic.Int64
	cfg := e.srv.pool.Config()
	cfg.MaxConns, cfg.MinConns = 1, 0
	cfg.ConnConfig.Tracer = queryCounter{&queries}
	one, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(one.Close)
	srv, err := New(Options{Pool: one, BaseURL: e.srv.opt.BaseURL, Version: "test", InsecureCookies: true,
		DataDir: e.srv.opt.DataDir})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	client := &http.Client{Timeout: 2 * time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}

	walk := func() map[string]int64 {
		t.Helper()
		counts := map[string]int64{}
		for _, p := range paths {
			before := queries.Load()
			resp, err := client.Get(ts.URL + p)
			if err != nil {
				t.Fatalf("GET %s from a pool of one connection: %v (does it need two at a time?)", p, err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			// Search answers 503 here (this server has no index); every
			// other public page must work from one connection.
			if resp.StatusCode >= 500 && resp.StatusCode != http.StatusServiceUnavailable {
				t.Errorf("GET %s from a pool of one connection: %d", p, resp.StatusCode)
			}
			counts[p] = queries.Load() - before
			if counts[p] > maxQueriesPerPage {
				t.Errorf("GET %s: %d statements, want at most %d", p, counts[p], maxQueriesPerPage)
			}
		}
		return counts
	}
	small := walk()

	// The city grows: 30 more papers on the committee's path, 30 agenda
	// items on the invited meeting, 30 more meetings, files on all of them.
	cs, ms := e.council, e.meetings
	for i := range 30 {
		p := must(cs.SavePaper(ctx, council.Paper{BodyID: e.body.ID, Name: fmt.Sprintf("Wachstum Vorlage %d", i),
			Type: council.PaperMotion, Public: true}))(t)
		must(cs.Submit(ctx, p.ID, time.Now()))(t)
		must(ms.AddPaper(ctx, f.invited.ID, p.ID, f.invited.Organizations[0], true))(t)
		m := f.invited
		m.ID, m.Name = council.NilID, fmt.Sprintf("Wachstum Sitzung %d", i)
		m.Start = m.Start.AddDate(0, 0, i+1)
		if !m.End.IsZero() {
			m.End = m.End.AddDate(0, 0, i+1)
		}
		must(ms.SaveMeeting(ctx, m))(t)
		e.put(t, fmt.Sprintf("wachstum-%d.pdf", i), doctest.TextPDF(fmt.Sprintf("Wachstum %d", i)), true,
			documents.Link{Kind: documents.LinkPaper, ID: p.ID})
	}
	large := walk()
	for _, p := range paths {
		if large[p] != small[p] {
			t.Errorf("GET %s: %d statements with the small city, %d after it grew: a query per row", p, small[p], large[p])
		}
	}
	t.Logf("%d public paths, each from one connection; statements per request at most %d", len(paths), maxOf(large))
}

func maxOf(m map[string]int64) int64 {
	var most int64
	for _, n := range m {
		most = max(most, n)
	}
	return most
}
