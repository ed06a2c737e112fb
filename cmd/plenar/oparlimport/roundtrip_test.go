package oparlimport_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/cmd/plenar/demo"
	"github.com/plenar/plenar/cmd/plenar/oparlimport"
	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/documents/doctest"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/migrations/pgtest"
	"github.com/plenar/plenar/web/oparl"
)

// serveOParl mounts Plenar's OParl API on pool, as web/oparl's harness,
// with the public files of docs at /files/{id} and /files/{id}/download.
func serveOParl(t *testing.T, pool *pgxpool.Pool, docs *documents.Store) string {
	t.Helper()
	r := chi.NewRouter()
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	h, err := oparl.New(oparl.Options{Council: council.NewStore(pool), Meetings: meetings.NewStore(pool), Files: docs,
		BaseURL: srv.URL, License: "https://creativecommons.org/licenses/by/4.0/", Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	r.Mount("/oparl", h)
	blob := func(w http.ResponseWriter, r *http.Request) {
		id, err := council.ParseID(chi.URLParam(r, "id"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		a, err := docs.Access(r.Context(), id)
		if err != nil || !a.Public {
			http.NotFound(w, r)
			return
		}
		f, err := docs.File(r.Context(), id)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		b, err := docs.Open(f)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer b.Close()
		w.Header().Set("Content-Type", f.MIMEType)
		_, _ = io.Copy(w, b)
	}
	r.Get("/files/{id}", blob)
	r.Get("/files/{id}/download", blob)
	return srv.URL + "/oparl/v1.1/system"
}

// seedSourceFiles uploads public files to a published paper (main), a
// published meeting (invitation) and a public agenda item (resolution),
// and one file that is not public.
func seedSourceFiles(t *testing.T, pool *pgxpool.Pool, docs *documents.Store) {
	t.Helper()
	ctx := context.Background()
	one := func(q string) council.ID {
		t.Helper()
		var id council.ID
		if err := pool.QueryRow(ctx, q).Scan(&id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	paper := one(`SELECT p.id FROM papers p WHERE ` + council.PublishedPaper + ` AND NOT p.deleted ORDER BY p.id LIMIT 1`)
	meeting := one(`SELECT id FROM meetings WHERE state <> 'planned' AND NOT deleted ORDER BY id LIMIT 1`)
	item := one(`SELECT i.id FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id
		WHERE i.public AND NOT i.deleted AND m.state <> 'planned' AND NOT m.deleted ORDER BY i.id LIMIT 1`)
	for i, l := range []documents.Link{{Kind: documents.LinkPaper, ID: paper, Role: documents.RoleMain},
		{Kind: documents.LinkPaper, ID: paper, Role: documents.RoleAuxiliary},
		{Kind: documents.LinkMeeting, ID: meeting, Role: documents.RoleInvitation},
		{Kind: documents.LinkAgendaItem, ID: item, Role: documents.RoleResolution}} {
		name := fmt.Sprintf("datei-%d.pdf", i)
		if _, err := docs.Upload(ctx, bytes.NewReader(doctest.TextPDF(name)), documents.File{FileName: name, Name: "Datei " + name,
			Public: true, License: "CC-BY-4.0"}, []documents.Link{l}); err != nil {
			t.Fatalf("upload %s: %v", name, err)
		}
	}
	if _, err := docs.Upload(ctx, bytes.NewReader(doctest.TextPDF("intern")), documents.File{FileName: "intern.pdf", Public: false},
		[]documents.Link{{Kind: documents.LinkPaper, ID: paper}}); err != nil {
		t.Fatal(err)
	}
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
	// Six months of the demo city have every kind of object; the full city
	// (34 months) is BenchmarkImportCity's.
	if _, err := demo.SeedWith(ctx, a, slog.New(slog.DiscardHandler), demo.Options{Now: time.Now(), Months: 6}); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	t.Logf("seeded in %s", time.Since(start))
	// The demo city has related papers but no superordinate ones: make one
	// paper the superordinate of two others (a Sammelvorlage).
	if _, err := a.Exec(ctx, `WITH p AS (SELECT p.id, row_number() OVER (ORDER BY p.id) AS n FROM papers p
			WHERE `+council.PublishedPaper+` AND NOT p.deleted LIMIT 3)
		INSERT INTO paper_relations (paper_id, related_id, kind)
		SELECT sub.id, sup.id, 'superordinate' FROM p sup JOIN p sub ON sub.n > 1 WHERE sup.n = 1`); err != nil {
		t.Fatalf("superordinate relations: %v", err)
	}
	srcDocs := documents.NewStore(a, filepath.Join(t.TempDir(), "files"), documents.Limits{})
	dstDocs := documents.NewStore(b, filepath.Join(t.TempDir(), "files"), documents.Limits{})
	seedSourceFiles(t, a, srcDocs)
	srcURL, dstURL := serveOParl(t, a, srcDocs), serveOParl(t, b, dstDocs)
	want := publicCounts(t, srcURL)
	if want["file"] != 4 {
		t.Fatalf("source serves %d files, want the 4 public ones", want["file"])
	}
	opts := oparlimport.Options{DB: b, Backoff: time.Millisecond, Docs: dstDocs}

	start = time.Now()
	sum, err := oparlimport.Run(ctx, opts, srcURL)
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
	if sum.Imported["file_blob"] != 4 {
		t.Errorf("downloaded %d files, want 4", sum.Imported["file_blob"])
	}
	// Paper relations arrive in both directions (related, and the
	// superordinate/subordinate pair) and are stored once.
	relations := `SELECT count(*) FROM paper_relations r JOIN papers p ON p.id = r.paper_id JOIN papers q ON q.id = r.related_id
		WHERE NOT p.deleted AND NOT q.deleted AND kind = $1 AND ` + council.PublishedPaper + `
		AND ` + strings.ReplaceAll(council.PublishedPaper, "(p)", "(q)")
	for _, kind := range []string{"related", "superordinate"} {
		src, dst := pgtest.Count(t, a, relations, kind), pgtest.Count(t, b, relations, kind)
		if src == 0 || dst != src {
			t.Errorf("%s paper relations: %d after import, %d public ones in the source (want equal, > 0)", kind, dst, src)
		}
	}
	for role, q := range map[string]string{
		"main":       `SELECT count(*) FROM paper_files WHERE role = 'main'`,
		"auxiliary":  `SELECT count(*) FROM paper_files WHERE role = 'auxiliary'`,
		"invitation": `SELECT count(*) FROM meeting_files WHERE role = 'invitation'`,
		"resolution": `SELECT count(*) FROM agenda_item_files WHERE role = 'resolution'`,
		"same blobs": `SELECT count(*) FROM files WHERE public AND NOT deleted AND size > 0 AND sha512 <> ''`,
	} {
		want := 1
		if role == "same blobs" {
			want = 4
		}
		if n := pgtest.Count(t, b, q); n != want {
			t.Errorf("%s: %d, want %d", role, n, want)
		}
	}
	var srcSums, dstSums []string
	for _, x := range []struct {
		pool *pgxpool.Pool
		out  *[]string
	}{{a, &srcSums}, {b, &dstSums}} {
		rows, err := x.pool.Query(ctx, `SELECT sha512 FROM files f WHERE `+documents.PublicFileSQL("f")+` ORDER BY sha512`)
		if err != nil {
			t.Fatal(err)
		}
		if *x.out, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(srcSums, dstSums) {
		t.Errorf("public file checksums differ:\n%v\n%v", srcSums, dstSums)
	}

	// A re-run is a no-op.
	rows := tableCounts(t, b)
	sum, err = oparlimport.Run(ctx, opts, srcURL)
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
	sum, err = oparlimport.Run(ctx, opts, srcURL)
	if err != nil {
		t.Fatalf("incremental: %v\n%s", err, sum)
	}
	t.Logf("incremental:\n%s", sum)
	if sum.Imported["person"] != 1 {
		t.Errorf("incremental run imported %v, want the one person", sum.Imported)
	}
	if n := pgtest.Count(t, b, `SELECT count(*) FROM persons WHERE given_name = 'Geänderte'`); n != 1 {
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
