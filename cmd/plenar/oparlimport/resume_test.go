package oparlimport_test

import (
	"context"
	"errors"
	"maps"
	"testing"

	"github.com/plenar/plenar/cmd/plenar/oparlimport"
	"github.com/plenar/plenar/migrations/pgtest"
)

// TestResumeInterruptedList: the paper list has three pages and page 2
// answers 500 on every attempt of the first run, which then ends with
// ErrIncomplete after page 1. Once the server is healed, the next run
// continues the list at page 2 without reading page 1 again, and a third
// run changes nothing.
func TestResumeInterruptedList(t *testing.T) {
	pool := pgtest.New(t)
	ctx := context.Background()
	pages := defectPages()
	pages["/body/1/papers"] = `{"data": [
		{"id": "{B}/paper/1", "type": "` + t11 + `Paper", "name": "Haushaltssatzung", "reference": "V0001/21",
		 "paperType": "Beschlussvorlage", "date": "2021-02-01", "modified": "2020-01-01T00:00:00+01:00",
		 "mainFile": {"id": "{B}/file/1", "type": "` + t11 + `File", "name": "Vorlage", "fileName": "v.pdf",
		   "mimeType": "application/pdf", "accessUrl": "{B}/blob/1", "size": 1234},
		 "consultation": [{"id": "{B}/consultation/1", "type": "` + t11 + `Consultation", "agendaItem": "{B}/item/2",
		   "organization": ["{B}/org/1"], "role": "Beschluss", "authoritative": true}]}],
		"links": {"next": "{B}/body/1/papers2"}}`
	pages["/body/1/papers2"] = `{"data": [
		{"id": "{B}/paper/2", "type": "` + t11 + `Paper", "name": "Radwegekonzept", "reference": "V0002/21",
		 "paperType": "Antrag", "date": "2021-03-01", "modified": "2020-01-01T00:00:00+01:00",
		 "consultation": [{"id": "{B}/consultation/2", "type": "` + t11 + `Consultation", "agendaItem": "{B}/item/4",
		   "organization": ["{B}/org/1"], "role": "Vorberatung"}]},
		{"id": "{B}/paper/3", "type": "` + t11 + `Paper", "name": "Anfrage Spielplätze", "reference": "V0003/21",
		 "paperType": "Anfrage", "date": "2021-03-02", "modified": "2020-01-01T00:00:00+01:00"}],
		"links": {"next": "{B}/body/1/papers3"}}`
	pages["/body/1/papers3"] = `{"data": [
		{"id": "{B}/paper/4", "type": "` + t11 + `Paper", "name": "Bebauungsplan Nord", "reference": "V0004/21",
		 "paperType": "Beschlussvorlage", "date": "2021-04-01", "modified": "2020-01-01T00:00:00+01:00",
		 "mainFile": {"id": "{B}/file/3", "type": "` + t11 + `File", "name": "Plan", "fileName": "plan.pdf",
		   "mimeType": "application/pdf", "accessUrl": "{B}/blob/3", "size": 99}}],
		"links": {}}`
	srv := newFixtureServer(t, pages)
	opt := fastOptions(pool)
	srv.fail500["/body/1/papers2"] = opt.Retries // every attempt of the first run
	system := srv.URL + "/system"
	requests := func(path string) int {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		return len(srv.queries[path])
	}

	// First run: page 2 keeps failing.
	sum, err := oparlimport.Run(ctx, opt, system)
	if !errors.Is(err, oparlimport.ErrIncomplete) {
		t.Fatalf("first run: err %v, want ErrIncomplete\n%s", err, sum)
	}
	if sum.Problems["list-failed"] != 1 {
		t.Errorf("first run: list-failed %d, want 1", sum.Problems["list-failed"])
	}
	if n := requests("/body/1/papers2"); n != opt.Retries {
		t.Errorf("first run: page 2 asked %d times, want %d", n, opt.Retries)
	}
	if n := requests("/body/1/papers3"); n != 0 {
		t.Errorf("first run: page 3 asked %d times after page 2 failed", n)
	}
	// (a) Page 1 is in, whole; nothing of pages 2 and 3.
	for table, want := range map[string]int{"papers": 1, "consultations": 1, "import_files": 2,
		"bodies": 1, "organizations": 3, "persons": 2, "meetings": 2, "agenda_items": 4} {
		if n := pgtest.Count(t, pool, "SELECT count(*) FROM "+table); n != want {
			t.Errorf("after first run: %s %d rows, want %d", table, n, want)
		}
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM papers WHERE reference = 'V0001/21'`); n != 1 {
		t.Errorf("after first run: paper of page 1 missing")
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM import_sources WHERE source_url = ANY($1)`,
		[]string{srv.URL + "/paper/2", srv.URL + "/paper/3", srv.URL + "/paper/4", srv.URL + "/consultation/2", srv.URL + "/file/3"}); n != 0 {
		t.Errorf("after first run: %d sources of pages 2 and 3 recorded", n)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM import_sources s WHERE s.source_url LIKE $1
		AND NOT EXISTS (SELECT 1 FROM papers p WHERE p.id::text = s.local_id::text)`, srv.URL+"/paper/%"); n != 0 {
		t.Errorf("after first run: %d paper sources without their paper", n)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM import_runs WHERE finished IS NULL`); n != 1 {
		t.Errorf("after first run: %d unfinished runs, want 1", n)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM import_progress WHERE list_url = $1 AND NOT done AND next_url = $2`,
		srv.URL+"/body/1/papers", srv.URL+"/body/1/papers2"); n != 1 {
		t.Errorf("after first run: progress of the paper list does not point at page 2")
	}

	// Second run: healed (fail500 used up); continues at page 2.
	listsBefore := map[string]int{}
	for _, p := range []string{"/body/1/papers", "/body/1/persons", "/body/1/orgs", "/body/1/meetings"} {
		listsBefore[p] = requests(p)
	}
	sum, err = oparlimport.Run(ctx, opt, system)
	if err != nil {
		t.Fatalf("second run: %v\n%s", err, sum)
	}
	t.Logf("second summary:\n%s", sum)
	if !sum.Resumed {
		t.Error("second run did not resume the interrupted run")
	}
	// (b) No list page read again, page 1 of the paper list included.
	for p, n := range listsBefore {
		if m := requests(p); m != n {
			t.Errorf("second run asked %s again (%d → %d requests)", p, n, m)
		}
	}
	if n := requests("/body/1/papers2"); n != opt.Retries+1 {
		t.Errorf("page 2: %d requests in all, want %d", n, opt.Retries+1)
	}
	if n := requests("/body/1/papers3"); n != 1 {
		t.Errorf("page 3: %d requests, want 1", n)
	}
	if sum.Imported["paper"] != 3 {
		t.Errorf("second run imported %d papers, want 3 (%v)", sum.Imported["paper"], sum.Imported)
	}
	// (c) Everything of the source, once.
	for table, want := range map[string]int{"bodies": 1, "legislative_terms": 1, "locations": 4, "organizations": 3,
		"persons": 2, "memberships": 3, "meetings": 2, "agenda_items": 4, "papers": 4, "consultations": 2, "import_files": 3} {
		if n := pgtest.Count(t, pool, "SELECT count(*) FROM "+table); n != want {
			t.Errorf("after second run: %s %d rows, want %d", table, n, want)
		}
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM (SELECT reference FROM papers GROUP BY reference HAVING count(*) > 1) d`); n != 0 {
		t.Errorf("%d duplicated papers", n)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM import_sources WHERE entity = 'paper'`); n != 4 {
		t.Errorf("%d paper sources, want 4", n)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM import_runs WHERE finished IS NULL`); n != 0 {
		t.Errorf("after second run: %d unfinished runs", n)
	}

	// (d) A third run changes nothing.
	before := tableCounts(t, pool)
	sum, err = oparlimport.Run(ctx, opt, system)
	if err != nil {
		t.Fatalf("third run: %v\n%s", err, sum)
	}
	if sum.Resumed || len(sum.Imported) != 0 {
		t.Errorf("third run: resumed %v, imported %v", sum.Resumed, sum.Imported)
	}
	if after := tableCounts(t, pool); !maps.Equal(after, before) {
		t.Errorf("third run changed counts: %v → %v", before, after)
	}
}
