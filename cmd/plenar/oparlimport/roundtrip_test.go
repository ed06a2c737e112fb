package oparlimport_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/cmd/plenar/demo"
	"github.com/plenar/plenar/cmd/plenar/oparlimport"
	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/migrations/pgtest"
	"github.com/plenar/plenar/web/oparl"
)

// serveOParl mounts Plenar's OParl API on pool, as web/oparl's harness.
func serveOParl(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	r := chi.NewRouter()
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	h, err := oparl.New(oparl.Options{Council: council.NewStore(pool), Meetings: meetings.NewStore(pool), BaseURL: srv.URL,
		License: "https://creativecommons.org/licenses/by/4.0/", Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	r.Mount("/oparl", h)
	return srv.URL + "/oparl/v1.1/system"
}

func getJSON(t *testing.T, u string) map[string]any {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", u, err)
	}
	return m
}

// publicCounts are the totalElements of every list of every body: the
// public objects per type.
func publicCounts(t *testing.T, systemURL string) map[string]int {
	t.Helper()
	out := map[string]int{}
	sys := getJSON(t, systemURL)
	bodies := getJSON(t, sys["body"].(string))
	out["body"] = len(bodies["data"].([]any))
	for _, b := range bodies["data"].([]any) {
		bm := b.(map[string]any)
		for _, k := range []string{"organization", "person", "meeting", "paper", "agendaItem", "consultation", "file",
			"locationList", "legislativeTermList", "membership"} {
			l := getJSON(t, bm[k].(string)+"?limit=1")
			pg, _ := l["pagination"].(map[string]any)
			n, _ := pg["totalElements"].(float64)
			out[k] += int(n)
		}
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	a, b := pgtest.New(t), pgtest.New(t)
	start := time.Now()
	if _, err := demo.SeedWith(ctx, a, slog.New(slog.DiscardHandler), demo.Options{Now: time.Now()}); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	t.Logf("seeded in %s", time.Since(start))
	srcURL, dstURL := serveOParl(t, a), serveOParl(t, b)
	want := publicCounts(t, srcURL)

	start = time.Now()
	sum, err := oparlimport.Run(ctx, oparlimport.Options{DB: b, Backoff: time.Millisecond}, srcURL)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, sum)
	}
	t.Logf("imported in %s:\n%s", time.Since(start), sum)
	got := publicCounts(t, dstURL)
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d after import, %d in the source", k, got[k], n)
		}
	}
	t.Logf("counts: %v", want)

	// A re-run is a no-op.
	rows := tableCounts(t, b)
	sum, err = oparlimport.Run(ctx, oparlimport.Options{DB: b, Backoff: time.Millisecond}, srcURL)
	if err != nil {
		t.Fatalf("re-run: %v\n%s", err, sum)
	}
	if len(sum.Imported) != 0 || sum.Since.IsZero() {
		t.Errorf("re-run imported %v (since %v)", sum.Imported, sum.Since)
	}
	if after := tableCounts(t, b); !equal(after, rows) {
		t.Errorf("re-run changed rows: %v → %v", rows, after)
	}

	// An incremental run picks up a changed person.
	var id council.ID
	if err := a.QueryRow(ctx, `UPDATE persons SET given_name = 'Geänderte', modified = now()
		WHERE id = (SELECT id FROM persons WHERE NOT deleted ORDER BY family_name LIMIT 1) RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	sum, err = oparlimport.Run(ctx, oparlimport.Options{DB: b, Backoff: time.Millisecond}, srcURL)
	if err != nil {
		t.Fatalf("incremental: %v\n%s", err, sum)
	}
	t.Logf("incremental:\n%s", sum)
	if sum.Imported["person"] != 1 {
		t.Errorf("incremental run imported %v, want the one person", sum.Imported)
	}
	if n := count(t, b, `SELECT count(*) FROM persons WHERE given_name = 'Geänderte'`); n != 1 {
		t.Errorf("changed person not imported (%d)", n)
	}
	if got2 := publicCounts(t, dstURL); !equal(got2, got) {
		t.Errorf("incremental run changed counts: %v → %v", got, got2)
	}
}

func equal(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
