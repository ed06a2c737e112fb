package oparlimport_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/plenar/plenar/cmd/plenar/oparlimport"
	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/migrations/pgtest"
)

// sdnetCity is an SD.NET RIM 1.0 style city (OParl 1.0 types, web links
// to the vo020/si010 pages, a body without modified) with the quirks of
// issue 14: a consultation with a meeting and no agenda item, part headers
// in the agenda, Body.location and Paper.location with messy GeoJSON, a
// location embedded in every meeting, organization types "Dienststellen".
func sdnetCity() map[string]string {
	loc := `{"id": "{B}/loc/rat", "type": "` + t10 + `Location", "description": "Rathaus, Ratssaal, Markt 1",
		"room": "Ratssaal", "streetAddress": "Markt 1"}`
	var meetings []string
	for i := range 4 {
		meetings = append(meetings, fmt.Sprintf(`{"id": "{B}/meeting/%d", "type": "`+t10+`Meeting", "name": "%d. Sitzung",
			"start": "2021-0%d-01T17:00:00+01:00", "organization": ["{B}/org/rat"], "location": %s,
			"web": "https://ris.example/si0057.asp?__ksinr=%d", "modified": "2021-06-01T00:00:00+01:00"%s}`,
			i, i+1, i+1, loc, i, map[bool]string{true: `, "agendaItem": [
			  {"id": "{B}/item/a", "type": "` + t10 + `AgendaItem", "order": 1, "number": "A", "name": "A Öffentliche Sitzung"},
			  {"id": "{B}/item/1", "type": "` + t10 + `AgendaItem", "order": 2, "number": "1", "name": "Eröffnung", "public": true},
			  {"id": "{B}/item/2", "type": "` + t10 + `AgendaItem", "order": 3, "number": "2", "name": "Haushalt", "public": true},
			  {"id": "{B}/item/b", "type": "` + t10 + `AgendaItem", "order": 4, "number": "B", "name": "B Nichtöffentliche Sitzung"},
			  {"id": "{B}/item/3", "type": "` + t10 + `AgendaItem", "order": 5, "number": "3", "name": "Grundstücksangelegenheit"}]`,
				false: ""}[i == 0]))
	}
	var papers []string
	for i := range 8 {
		papers = append(papers, fmt.Sprintf(`{"id": "{B}/paper/%d", "type": "`+t10+`Paper", "name": "Vorlage %d",
			"reference": "VO/%04d/21", "paperType": "Haushalt THH %d", "modified": "2021-06-01T00:00:00+01:00",
			"web": "https://ris.example/vo0050.asp?__kvonr=%d"}`, i, i, i, i, i))
	}
	// Paper 0 was consulted in meeting 1, without an agenda item; it lies
	// at a place given as [lat, lon] with string coordinates.
	papers[0] = strings.Replace(papers[0], `"modified"`, `"consultation": [{"id": "{B}/consultation/0", "type": "`+t10+`Consultation",
		"meeting": "{B}/meeting/1", "organization": ["{B}/org/rat"], "role": "Entscheidung", "authoritative": true}],
		"location": [{"id": "{B}/loc/bplan", "type": "`+t10+`Location", "description": "Baugebiet Nord",
		  "geojson": {"type": "Feature", "geometry": {"type": "Point", "coordinates": ["52.52", "13.40"]}}}],
		"modified"`, 1)
	return map[string]string{
		"/system": `{"id": "{B}/system", "type": "` + t10 + `System", "oparlVersion": "https://schema.oparl.org/1.0/", "body": "{B}/bodies"}`,
		"/bodies": `{"data": [{"id": "{B}/body/1", "type": "` + t10 + `Body", "name": "Stadt Musterstadt",
			"location": {"id": "{B}/loc/body", "type": "` + t10 + `Location", "description": "Stadtverwaltung",
			  "geojson": "{\"type\": \"Point\", \"coordinates\": [50.7374, 7.0982]}"},
			"organization": "{B}/orgs", "meeting": "{B}/meetings", "paper": "{B}/papers"}], "links": {}}`,
		"/orgs": `{"data": [
			{"id": "{B}/org/rat", "type": "` + t10 + `Organization", "name": "Gemeinderat", "organizationType": "Gremium"},
			{"id": "{B}/org/abt1", "type": "` + t10 + `Organization", "name": "Abteilung 1", "organizationType": "Dienststellen"},
			{"id": "{B}/org/ak", "type": "` + t10 + `Organization", "name": "Arbeitskreis Radverkehr", "organizationType": "Sonstiges"}],
			"links": {}}`,
		"/meetings": `{"data": [` + strings.Join(meetings, ",") + `], "links": {}}`,
		"/papers":   `{"data": [` + strings.Join(papers, ",") + `], "links": {}}`,
	}
}

// TestSDNETQuirks: the fixes of issue 14 on an SD.NET style city.
func TestSDNETQuirks(t *testing.T) {
	pool := pgtest.New(t)
	ctx := context.Background()
	pages := sdnetCity()
	srv := newFixtureServer(t, pages)
	system := srv.URL + "/system"
	sum, err := oparlimport.Run(ctx, fastOptions(pool), system)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, sum)
	}
	t.Logf("summary:\n%s", sum)

	// Defect 2: the consultation keeps its meeting.
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM consultations c JOIN meetings m ON m.id = c.meeting_id
		WHERE m.name = '2. Sitzung' AND c.agenda_item_id IS NULL`); n != 1 {
		t.Errorf("consultation with meeting only: %d with its meeting, want 1", n)
	}
	// Defects 3, 4: source labels kept, mapped by the tables.
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM papers WHERE paper_type = 'resolution' AND paper_type_name LIKE 'Haushalt THH %'`); n != 8 {
		t.Errorf("%d papers keep their label 'Haushalt THH …'", n)
	}
	// … and readers show the source's label (pages, OParl paperType, PDFs).
	var id council.ID
	if err := pool.QueryRow(context.Background(), `SELECT id FROM papers WHERE paper_type_name LIKE 'Haushalt THH %' LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if p, err := council.NewStore(pool).Paper(context.Background(), id); err != nil || !strings.HasPrefix(p.TypeLabel(), "Haushalt THH ") {
		t.Errorf("imported paper reads as type label %q (%v), want the source's 'Haushalt THH …'", p.TypeLabel(), err)
	}
	for name, want := range map[string]string{"Gemeinderat": "council", "Abteilung 1": "administration", "Arbeitskreis Radverkehr": "other"} {
		if n := pgtest.Count(t, pool, `SELECT count(*) FROM organizations WHERE name = $1 AND kind = $2 AND organization_type_name <> ''`,
			name, want); n != 1 {
			t.Errorf("%s: not %s with its source label", name, want)
		}
	}
	// Defect 6: Body.location and Paper.location, GeoJSON repaired; web URLs kept.
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM bodies b JOIN locations l ON l.id = b.location_id
		WHERE l.description = 'Stadtverwaltung' AND l.lat = 50.7374 AND l.lon = 7.0982`); n != 1 {
		t.Error("Body.location not imported with its point")
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM paper_locations pl JOIN locations l ON l.id = pl.location_id
		WHERE l.description = 'Baugebiet Nord' AND l.lat = 52.52 AND l.lon = 13.40`); n != 1 {
		t.Error("Paper.location not imported with its point ([lat, lon] as strings)")
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM import_sources WHERE web_url LIKE 'https://ris.example/%'`); n != 12 {
		t.Errorf("%d objects keep their web URL, want 12 (8 papers, 4 meetings)", n)
	}
	// Defect 7: the location embedded in four meetings counts once; part
	// headers are no items, and the items after "B Nichtöffentliche
	// Sitzung" are non-public.
	if sum.Imported["location"] != 3 {
		t.Errorf("locations imported: %d, want 3 (rat, body, bplan)", sum.Imported["location"])
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM agenda_items`); n != 3 {
		t.Errorf("%d agenda items, want 3 (headers are none)", n)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM agenda_items WHERE name = 'Grundstücksangelegenheit' AND NOT public`); n != 1 {
		t.Error("the item after 'B Nichtöffentliche Sitzung' is public")
	}
	if sum.Problems["part-header"] != 2 {
		t.Errorf("part headers: %d, want 2", sum.Problems["part-header"])
	}

	// Second run, full: nothing changed, so nothing is written — the body
	// (without modified) included.
	opt := fastOptions(pool)
	opt.Full = true
	sum, err = oparlimport.Run(ctx, opt, system)
	if err != nil {
		t.Fatalf("second import: %v\n%s", err, sum)
	}
	if len(sum.Imported) != 0 || len(sum.Reconciled) != 0 {
		t.Errorf("unchanged full run imported %v, reconciled %v", sum.Imported, sum.Reconciled)
	}

	// Defect 5: the source drops an agenda item from meeting 0 and paper 7
	// from its list: a full run marks both deleted.
	pages["/meetings"] = strings.Replace(pages["/meetings"],
		`{"id": "{B}/item/2", "type": "`+t10+`AgendaItem", "order": 3, "number": "2", "name": "Haushalt", "public": true},`, "", 1)
	pages["/meetings"] = strings.Replace(pages["/meetings"], `"modified": "2021-06-01T00:00:00+01:00", "agendaItem"`,
		`"modified": "2021-07-01T00:00:00+01:00", "agendaItem"`, 1)
	pages["/papers"] = strings.Replace(pages["/papers"], `,{"id": "{B}/paper/7"`, `,{"id": "{B}/paper/7x"`, 1)
	pages["/papers"] = strings.Replace(pages["/papers"], `"{B}/paper/7x"`, `"{B}/paper/8"`, 1)
	srv.mu.Lock()
	srv.pages = pages
	srv.mu.Unlock()
	sum, err = oparlimport.Run(ctx, opt, system)
	if err != nil {
		t.Fatalf("third import: %v\n%s", err, sum)
	}
	if sum.Reconciled["agenda_item"] != 1 || sum.Reconciled["paper"] != 1 {
		t.Errorf("reconciled %v, want one agenda item and one paper", sum.Reconciled)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM agenda_items WHERE name = 'Haushalt' AND deleted`); n != 1 {
		t.Error("the dropped agenda item is still live")
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM papers p JOIN import_sources s ON s.local_id = p.id
		WHERE s.source_url = $1 AND p.deleted`, srv.URL+"/paper/7"); n != 1 {
		t.Error("the vanished paper is still live")
	}

	// A truncated list (a broken server answering only one paper) does
	// not wipe the city: above the safety limit nothing is deleted.
	pages["/papers"] = `{"data": [` + strings.SplitN(strings.TrimPrefix(pages["/papers"], `{"data": [`), `},{"id"`, 2)[0] + `}], "links": {}}`
	srv.mu.Lock()
	srv.pages = pages
	srv.mu.Unlock()
	sum, err = oparlimport.Run(ctx, opt, system)
	if err != nil {
		t.Fatalf("fourth import: %v\n%s", err, sum)
	}
	if sum.Reconciled["paper"] != 0 || sum.Problems["reconcile-limit"] == 0 {
		t.Errorf("truncated list: reconciled %v, reconcile-limit %d", sum.Reconciled, sum.Problems["reconcile-limit"])
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM papers WHERE NOT deleted`); n != 8 {
		t.Errorf("%d live papers after a truncated list, want 8", n)
	}
}
