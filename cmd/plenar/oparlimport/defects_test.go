package oparlimport_test

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/cmd/plenar/oparlimport"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/documents/doctest"
	"github.com/plenar/plenar/migrations/pgtest"
)

// fixtureServer serves OParl fixtures with one defect each; "{B}" in a
// fixture is the server's URL. Paths in fail500 answer 500 that many
// times first; queries are recorded.
type fixtureServer struct {
	*httptest.Server
	mu      sync.Mutex
	pages   map[string]string
	fail500 map[string]int
	queries map[string][]string
	// before, when set (before the first request), answers a request
	// itself when it returns true.
	before func(w http.ResponseWriter, r *http.Request) bool
}

func newFixtureServer(t *testing.T, pages map[string]string) *fixtureServer {
	t.Helper()
	f := &fixtureServer{pages: pages, fail500: map[string]int{}, queries: map[string][]string{}}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.before != nil && f.before(w, r) {
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.queries[r.URL.Path] = append(f.queries[r.URL.Path], r.URL.RawQuery)
		if f.fail500[r.URL.Path] > 0 {
			f.fail500[r.URL.Path]--
			http.Error(w, "temporarily broken", http.StatusInternalServerError)
			return
		}
		body, ok := f.pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write([]byte(strings.ReplaceAll(body, "{B}", f.URL)))
	}))
	t.Cleanup(f.Close)
	return f
}

const t11 = "https://schema.oparl.org/1.1/"

// defectPages reproduce what real servers do, one defect per object.
func defectPages() map[string]string {
	return map[string]string{
		"/system": `{"id": "{B}/system", "type": "` + t11 + `System", "oparlVersion": "https://schema.oparl.org/1.1/",
			"body": "{B}/bodies"}`,
		// Padded name with NBSP, AGS without its leading zero, "N/A" website.
		"/bodies": `{"data": [{"id": "{B}/body/1", "type": "` + t11 + `Body", "name": " Musterstadt\u00a0", "ags": "5315000",
			"website": "N/A", "created": "2020-01-01T00:00:00+01:00", "modified": "2020-01-01T00:00:00+01:00",
			"legislativeTerm": [{"id": "{B}/term/1", "type": "` + t11 + `LegislativeTerm", "name": "2020-2025",
				"startDate": "2020-11-01", "endDate": "2025-10-31"}],
			"organization": "{B}/body/1/orgs", "person": "{B}/body/1/persons", "meeting": "{B}/body/1/meetings",
			"paper": "{B}/body/1/papers", "agendaItem": "{B}/body/1/items", "consultation": "{B}/body/1/consultations",
			"file": "{B}/body/1/files", "locationList": "{B}/body/1/locations", "membership": "{B}/body/1/memberships",
			"legislativeTermList": "{B}/body/1/terms"}], "links": {}}`,
		"/body/1/terms": `{"data": [], "links": {}}`,
		// GeoJSON as [lat, lon], as a string, with string coordinates.
		"/body/1/locations": `{"data": [
			{"id": "{B}/loc/1", "type": "` + t11 + `Location", "description": "Rathaus",
			 "geojson": {"type": "Feature", "geometry": {"type": "Point", "coordinates": [50.7374, 7.0982]}, "properties": {}},
			 "modified": "2020-01-01T00:00:00+01:00"},
			{"id": "{B}/loc/2", "type": "` + t11 + `Location", "description": "Bürgerhaus",
			 "geojson": "{\"type\": \"Point\", \"coordinates\": [7.1, 50.7]}", "modified": "2020-01-01T00:00:00+01:00"},
			{"id": "{B}/loc/3", "type": "` + t11 + `Location", "description": "Schule",
			 "geojson": {"type": "Point", "coordinates": ["7.2", "50.8"]}, "modified": "2020-01-01T00:00:00+01:00"}],
			"links": {}}`,
		// Placeholder " " in a URL field, a non-URL website, "N/A" parent,
		// a deleted entry without type.
		"/body/1/orgs": `{"data": [
			{"id": "{B}/org/1", "type": "` + t11 + `Organization", "name": "Hauptausschuss", "organizationType": "Gremium",
			 "classification": "Ausschuss", "location": " ", "website": "kein Link", "modified": "2020-01-01T00:00:00+01:00"},
			{"id": "{B}/org/2", "type": "` + t11 + `Organization", "name": "Fraktion Grün", "organizationType": "Fraktion",
			 "subOrganizationOf": "N/A", "modified": "2020-01-01T00:00:00+01:00"},
			{"id": "{B}/org/9", "deleted": true}],
			"links": {}}`,
		// Linked from a membership but in no list.
		"/org/3": `{"id": "{B}/org/3", "type": "` + t11 + `Organization", "name": "Beirat für Kultur",
			"classification": "Beirat", "modified": "2020-01-01T00:00:00+01:00"}`,
		"/body/1/persons": `{"data": [
			{"id": "{B}/person/1", "type": "` + t11 + `Person", "familyName": "  Müller ", "givenName": "Anna",
			 "modified": "2020-01-01T00:00:00+01:00",
			 "membership": [{"id": "{B}/membership/1", "type": "` + t11 + `Membership", "organization": "{B}/org/1",
			   "role": "Vorsitz", "modified": "2020-01-01T00:00:00+01:00"}]},
			{"id": "{B}/person/2", "type": "` + t11 + `Person", "name": "Dr. Karl Schmidt", "modified": "2020-01-01T00:00:00+01:00"}],
			"links": {}}`,
		// Page 1's next link drops the filters.
		"/body/1/memberships": `{"data": [
			{"id": "{B}/membership/2", "type": "` + t11 + `Membership", "person": "{B}/person/2", "organization": "{B}/org/3",
			 "modified": "2020-01-01T00:00:00+01:00"}],
			"links": {"next": "{B}/body/1/memberships2"}}`,
		"/body/1/memberships2": `{"data": [
			{"id": "{B}/membership/3", "type": "` + t11 + `Membership", "person": "{B}/person/1", "organization": "{B}/org/2",
			 "modified": "2020-01-01T00:00:00+01:00"}],
			"links": {}}`,
		// Orders from 1; orders missing; a location absent from the lists.
		"/body/1/meetings": `{"data": [
			{"id": "{B}/meeting/1", "type": "` + t11 + `Meeting", "name": "1. Sitzung", "start": "2021-03-01T17:00:00+01:00",
			 "organization": ["{B}/org/1"], "location": "{B}/loc/4", "modified": "2020-01-01T00:00:00+01:00",
			 "agendaItem": [
			  {"id": "{B}/item/1", "type": "` + t11 + `AgendaItem", "order": 1, "number": "1", "name": "Eröffnung", "public": true},
			  {"id": "{B}/item/2", "type": "` + t11 + `AgendaItem", "order": 2, "number": "2", "name": "Haushalt", "public": true}]},
			{"id": "{B}/meeting/2", "type": "` + t11 + `Meeting", "name": "2. Sitzung", "start": "2021-04-01T17:00:00+02:00",
			 "modified": "2020-01-01T00:00:00+01:00",
			 "agendaItem": [
			  {"id": "{B}/item/3", "type": "` + t11 + `AgendaItem", "name": "Eröffnung"},
			  {"id": "{B}/item/4", "type": "` + t11 + `AgendaItem", "name": "Verschiedenes"}]}],
			"links": {}}`,
		"/loc/4": `{"id": "{B}/loc/4", "type": "` + t11 + `Location", "description": "Ratssaal", "modified": "2020-01-01T00:00:00+01:00"}`,
		"/body/1/papers": `{"data": [
			{"id": "{B}/paper/1", "type": "` + t11 + `Paper", "name": "Haushaltssatzung", "reference": "V0001/21",
			 "paperType": "Beschlussvorlage", "date": "2021-02-01", "underDirectionOf": ["Kämmerei"],
			 "modified": "2020-01-01T00:00:00+01:00",
			 "mainFile": {"id": "{B}/file/1", "type": "` + t11 + `File", "name": "Vorlage", "fileName": "v.pdf",
			   "mimeType": "application/pdf", "accessUrl": "{B}/blob/1", "size": 1234},
			 "consultation": [{"id": "{B}/consultation/1", "type": "` + t11 + `Consultation", "agendaItem": "{B}/item/2",
			   "organization": ["{B}/org/1"], "role": "Beschluss", "authoritative": true}]}],
			"links": {}}`,
		// An empty list: 404 (no page) for agenda items, a bare [] for consultations.
		"/body/1/consultations": `[]`,
		"/body/1/files": `{"data": [{"id": "{B}/file/2", "type": "` + t11 + `File", "name": "Anlage", "fileName": "a.pdf",
			"mimeType": "application/pdf", "accessUrl": "{B}/blob/2", "paper": ["{B}/paper/1"]}], "links": {}}`,
	}
}

func fastOptions(pool *pgxpool.Pool) oparlimport.Options {
	return oparlimport.Options{DB: pool, Backoff: time.Millisecond, Retries: 4}
}

func TestDefectFixtures(t *testing.T) {
	pool := pgtest.New(t)
	ctx := context.Background()
	pages := defectPages()
	// File blobs: /blob/1 answers 500 once, then the PDF; /blob/2 is
	// missing (404).
	pages["/blob/1"] = string(doctest.TextPDF("Vorlage"))
	srv := newFixtureServer(t, pages)
	srv.fail500["/body/1/meetings"] = 2 // intermittent 500s
	srv.fail500["/blob/1"] = 1
	opt := fastOptions(pool)
	opt.Docs = documents.NewStore(pool, filepath.Join(t.TempDir(), "files"), documents.Limits{})
	// File 2 (404) stays pending: the objects are complete, the files are not.
	sum, err := oparlimport.Run(ctx, opt, srv.URL+"/system")
	if !errors.Is(err, oparlimport.ErrFilesPending) {
		t.Fatalf("import: %v, want ErrFilesPending\n%s", err, sum)
	}
	t.Logf("summary:\n%s", sum)
	for _, kind := range []string{"whitespace", "placeholder", "not-a-url", "ags", "geojson-order", "geojson-string",
		"deleted-untyped", "empty-list-404", "bare-array", "order-from-1", "order-missing", "absent-from-list", "http-retry",
		"missing-family-name", "file-download-failed"} {
		if sum.Problems[kind] == 0 {
			t.Errorf("defect %q not logged", kind)
		}
	}
	for table, want := range map[string]int{"bodies": 1, "legislative_terms": 1, "locations": 4, "organizations": 3,
		"persons": 2, "memberships": 3, "meetings": 2, "agenda_items": 4, "papers": 1, "consultations": 1, "import_files": 2} {
		if n := pgtest.Count(t, pool, "SELECT count(*) FROM "+table); n != want {
			t.Errorf("%s: %d rows, want %d", table, n, want)
		}
	}
	var ags, website, name string
	if err := pool.QueryRow(ctx, `SELECT ags, website, name FROM bodies`).Scan(&ags, &website, &name); err != nil {
		t.Fatal(err)
	}
	if ags != "05315000" || website != "" || name != "Musterstadt" {
		t.Errorf("body: ags %q website %q name %q", ags, website, name)
	}
	for desc, want := range map[string][2]float64{"Rathaus": {50.7374, 7.0982}, "Bürgerhaus": {50.7, 7.1}, "Schule": {50.8, 7.2}} {
		var lat, lon float64
		if err := pool.QueryRow(ctx, `SELECT lat, lon FROM locations WHERE description = $1`, desc).Scan(&lat, &lon); err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		if lat != want[0] || lon != want[1] {
			t.Errorf("%s: lat %v lon %v, want %v", desc, lat, lon, want)
		}
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id
		WHERE m.name = '1. Sitzung' AND i.position IN (0, 1)`); n != 2 {
		t.Errorf("orders from 1 not shifted to 0, 1 (%d items)", n)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id
		WHERE m.name = '2. Sitzung' AND i.position IN (0, 1)`); n != 2 {
		t.Errorf("missing orders not numbered by place (%d items)", n)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM persons WHERE family_name = 'Müller'`); n != 1 {
		t.Error("padded family name not trimmed")
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM consultations c JOIN agenda_items i ON i.id = c.agenda_item_id
		WHERE i.name = 'Haushalt'`); n != 1 {
		t.Error("consultation not linked to its agenda item")
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM import_files WHERE jsonb_array_length(links) = 1`); n != 2 {
		t.Errorf("file links: %d files with one link, want 2", n)
	}

	if sum.Problems["file-download-failed"] != 1 || sum.Imported["file_blob"] != 1 {
		t.Errorf("files: %d downloads failed, %d downloaded; want 1 and 1", sum.Problems["file-download-failed"], sum.Imported["file_blob"])
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM files f JOIN paper_files l ON l.file_id = f.id JOIN import_files i ON i.file_id = f.id
		WHERE l.role = 'main' AND f.public AND f.mime_type = 'application/pdf' AND i.source_url = $1`, srv.URL+"/file/1"); n != 1 {
		t.Errorf("file 1 (500, then ok) not stored as the paper's main file (%d)", n)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM import_files WHERE file_id IS NULL AND source_url = $1`, srv.URL+"/file/2"); n != 1 {
		t.Errorf("file 2 (404) should wait for the next run (%d)", n)
	}

	// Second run: incremental. Nothing changed: no new rows; the next
	// link that drops the filter gets it back.
	before := tableCounts(t, pool)
	sum, err = oparlimport.Run(ctx, opt, srv.URL+"/system")
	if !errors.Is(err, oparlimport.ErrFilesPending) {
		t.Fatalf("second import: %v, want ErrFilesPending\n%s", err, sum)
	}
	t.Logf("second summary:\n%s", sum)
	if sum.Since.IsZero() || sum.Problems["next-drops-filter"] == 0 {
		t.Errorf("second run: since %v, next-drops-filter %d", sum.Since, sum.Problems["next-drops-filter"])
	}
	qs := srv.queries["/body/1/memberships2"]
	if len(qs) < 2 || !strings.Contains(qs[len(qs)-1], "modified_since=") {
		t.Errorf("page 2 without modified_since: %q", qs)
	}
	if after := tableCounts(t, pool); !maps.Equal(after, before) {
		t.Errorf("re-run changed counts: %v → %v", before, after)
	}
	if len(sum.Imported) != 0 {
		t.Errorf("re-run imported %v", sum.Imported)
	}
}

// tableCounts are the row counts of the imported tables.
func tableCounts(t *testing.T, pool *pgxpool.Pool) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"bodies", "legislative_terms", "locations", "organizations", "persons", "memberships",
		"meetings", "agenda_items", "papers", "consultations", "import_files", "import_sources", "files",
		"paper_files", "meeting_files", "agenda_item_files"} {
		out[table] = pgtest.Count(t, pool, "SELECT count(*) FROM "+table)
	}
	return out
}

func TestNotOParl(t *testing.T) {
	pool := pgtest.New(t)
	ctx := context.Background()
	srv := newFixtureServer(t, map[string]string{
		"/html":   `<!doctype html><title>Ratsinfo</title>`,
		"/json":   `{"name": "some API", "version": 2}`,
		"/nobody": `{"id": "{B}/nobody", "type": "https://schema.oparl.org/1.1/System"}`,
	})
	for _, p := range []string{"/html", "/json", "/nobody", "/missing", "not a url"} {
		u := srv.URL + p
		if p == "not a url" {
			u = p
		}
		_, err := oparlimport.Run(ctx, fastOptions(pool), u)
		if !errors.Is(err, oparlimport.ErrNotOParl) {
			t.Errorf("%s: err %v, want ErrNotOParl", p, err)
		}
	}
	n := pgtest.Count(t, pool, `SELECT (SELECT count(*) FROM import_runs) + (SELECT count(*) FROM import_sources)
		+ (SELECT count(*) FROM bodies) + (SELECT count(*) FROM outbox)`)
	if n != 0 {
		t.Errorf("%d rows written for a non-OParl URL", n)
	}
}
