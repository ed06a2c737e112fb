package web

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/plenar/plenar/web/feeds"
)

func TestOpenDataDumps(t *testing.T) {
	e := newTestEnv(t)
	f := newFeedFixture(t, e)
	for _, ds := range feeds.Datasets() {
		t.Run(ds.Slug, func(t *testing.T) {
			csvBody := e.mustFetch(t, "/open-data/"+ds.Slug+".csv", "text/csv; charset=utf-8")
			mustNotContain(t, ds.Slug+".csv", csvBody, f.secrets()...)
			recs, err := csv.NewReader(strings.NewReader(csvBody)).ReadAll()
			if err != nil {
				t.Fatalf("%s.csv: not RFC 4180 CSV: %v", ds.Slug, err)
			}
			if len(recs) == 0 || !slices.Equal(recs[0], ds.Columns) {
				t.Fatalf("%s.csv: header %q, want %q", ds.Slug, recs[0], ds.Columns)
			}

			jsonBody := e.mustFetch(t, "/open-data/"+ds.Slug+".json", "application/json")
			mustNotContain(t, ds.Slug+".json", jsonBody, f.secrets()...)
			var rows []map[string]any
			if err := json.Unmarshal([]byte(jsonBody), &rows); err != nil {
				t.Fatalf("%s.json: not a JSON array: %v", ds.Slug, err)
			}
			if len(rows) != len(recs)-1 {
				t.Errorf("%s: %d JSON rows, %d CSV rows", ds.Slug, len(rows), len(recs)-1)
			}
			for i, row := range rows {
				if len(row) != len(ds.Columns) {
					t.Errorf("%s.json row %d: %d keys, want %d", ds.Slug, i, len(row), len(ds.Columns))
				}
				for _, c := range ds.Columns {
					if _, ok := row[c]; !ok {
						t.Errorf("%s.json row %d: no key %q", ds.Slug, i, c)
					}
				}
			}
			checkDump(t, f, ds.Slug, recs, rows)
		})
	}
}

// column returns the values of column name (from the header) of a CSV.
func column(recs [][]string, name string) []string {
	i := slices.Index(recs[0], name)
	var out []string
	for _, r := range recs[1:] {
		out = append(out, r[i])
	}
	return out
}

// checkDump checks what each dataset must hold.
func checkDump(t *testing.T, f feedFixture, slug string, recs [][]string, rows []map[string]any) {
	t.Helper()
	all := func(col string) string { return strings.Join(column(recs, col), "\n") }
	switch slug {
	case "papers":
		if len(rows) != 6 {
			t.Errorf("papers: %d rows, want 6 (public, private path, 4 formulas)", len(rows))
		}
		mustContain(t, "papers", all("reference"), f.publicPaper.Reference, f.privatePathPaper.Reference)
		mustContain(t, "papers originators", all("originators"), "Erika Mustermann; Fraktion Grüne Mitte")
		// CSV formula injection: cells are defused, JSON keeps the data.
		names := all("name")
		mustContain(t, "papers csv names", names, `'=HYPERLINK("http://evil.example","x")`, "'+SUM(1,2)", "'-2+3", "'@cmd")
		for _, c := range column(recs, "text") {
			if strings.HasPrefix(c, "=") {
				t.Errorf("papers csv: text cell %q starts a formula", c)
			}
		}
		var raw []string
		for _, r := range rows {
			raw = append(raw, r["name"].(string))
		}
		if !slices.Contains(raw, "=HYPERLINK(\"http://evil.example\",\"x\")") {
			t.Errorf("papers json: formula name changed: %q", raw)
		}
	case "meetings":
		if len(rows) != 5 {
			t.Errorf("meetings: %d rows, want 5", len(rows))
		}
		mustContain(t, "meetings", all("name"), "12. Sitzung des Stadtrates", feedSpecial)
		for _, r := range rows {
			if r["id"] == f.cancelled.ID.String() && r["cancelled"] != true {
				t.Errorf("meetings json: cancelled meeting has cancelled=%v", r["cancelled"])
			}
		}
	case "agenda-items":
		mustContain(t, "agenda items", all("name"), "Mehr Bäume am Marktplatz", "Haushaltssatzung 2026")
		// The cancelled meeting was never invited: its agenda was never published.
		mustNotContain(t, "agenda items", all("name"), "Einziger Punkt")
		mustContain(t, "agenda items", all("result"), "einstimmig beschlossen", "mehrheitlich beschlossen")
		mustContain(t, "agenda items", all("paper_reference"), f.publicPaper.Reference)
		for _, n := range column(recs, "number") {
			if !strings.HasPrefix(n, "Ö ") {
				t.Errorf("agenda items: number %q is not a public item", n)
			}
		}
	case "persons":
		if len(rows) != 1 || rows[0]["name"] != "Erika Mustermann" {
			t.Errorf("persons: %v, want Erika Mustermann only", rows)
		}
	case "memberships":
		if len(rows) != 3 {
			t.Errorf("memberships: %d rows, want 3", len(rows))
		}
		mustContain(t, "memberships", all("organization_name"), "Stadtrat Musterstadt", "Bauausschuss", "Fraktion Grüne Mitte")
		mustContain(t, "memberships", all("on_behalf_of"), "GM")
		mustContain(t, "memberships", all("end_date"), "2024-05-31")
	case "implementations":
		if len(rows) != 1 || rows[0]["paper_id"] != f.publicPaper.ID.String() {
			t.Fatalf("implementations: %v, want the public paper's record only", rows)
		}
		mustContain(t, "implementations", all("notes"), "2026-10-01: Bäume bestellt")
		mustContain(t, "implementations", all("due_date"), "2027-03-31")
		if ids := rows[0]["follow_up_paper_ids"].([]any); len(ids) != 0 {
			t.Errorf("implementations: follow-ups %v, want none (the non-public one is left out)", ids)
		}
	}
}

func TestOpenDataCatalog(t *testing.T) {
	e := newTestEnv(t)
	f := newFeedFixture(t, e)
	body := e.mustFetch(t, "/open-data/catalog.jsonld", "application/ld+json")
	mustNotContain(t, "catalog", body, f.secrets()...)
	var cat map[string]any
	if err := json.Unmarshal([]byte(body), &cat); err != nil {
		t.Fatalf("catalog: not JSON: %v", err)
	}
	ctx, _ := cat["@context"].(map[string]any)
	if ctx["dcat"] != "http://www.w3.org/ns/dcat#" || ctx["dct"] != "http://purl.org/dc/terms/" {
		t.Errorf("catalog @context: %v", ctx)
	}
	if cat["@type"] != "dcat:Catalog" {
		t.Errorf("catalog @type = %v", cat["@type"])
	}
	if pub, _ := cat["dct:publisher"].(map[string]any); pub["foaf:name"] != e.body.Name {
		t.Errorf("catalog publisher = %v, want %q", pub, e.body.Name)
	}
	sets, _ := cat["dcat:dataset"].([]any)
	if len(sets) != len(feeds.Datasets()) {
		t.Fatalf("catalog: %d datasets, want %d", len(sets), len(feeds.Datasets()))
	}
	for _, x := range sets {
		ds := x.(map[string]any)
		id := ds["@id"]
		if ds["@type"] != "dcat:Dataset" {
			t.Errorf("dataset %v: @type %v", id, ds["@type"])
		}
		titles, _ := ds["dct:title"].([]any)
		var tl []string
		for _, tt := range titles {
			tl = append(tl, tt.(map[string]any)["@language"].(string))
		}
		if !slices.Equal(tl, []string{"de", "en"}) {
			t.Errorf("dataset %v: title languages %v, want de and en", id, tl)
		}
		if len(ds["dct:description"].([]any)) != 2 {
			t.Errorf("dataset %v: description not in two languages", id)
		}
		if lic, _ := ds["dct:license"].(map[string]any); lic["@id"] != "http://dcat-ap.de/def/licenses/dl-by-de/2.0" {
			t.Errorf("dataset %v: licence %v, want the dl-by-de/2.0 default", id, lic)
		}
		if ap, _ := ds["dct:accrualPeriodicity"].(map[string]any); !strings.HasPrefix(ap["@id"].(string), "http://publications.europa.eu/resource/authority/frequency/") {
			t.Errorf("dataset %v: accrualPeriodicity %v", id, ap)
		}
		if mod, _ := ds["dct:modified"].(map[string]any); mod["@type"] != "xsd:dateTime" || mod["@value"] == "" {
			t.Errorf("dataset %v: modified %v", id, mod)
		}
		if pub, _ := ds["dct:publisher"].(map[string]any); pub["@id"] != "http://plenar.test/#publisher" {
			t.Errorf("dataset %v: publisher %v", id, pub)
		}
		dists, _ := ds["dcat:distribution"].([]any)
		if len(dists) < 2 {
			t.Errorf("dataset %v: %d distributions, want CSV and JSON at least", id, len(dists))
		}
		for _, y := range dists {
			d := y.(map[string]any)
			for _, k := range []string{"dcat:accessURL", "dcat:downloadURL", "dcat:mediaType"} {
				if v, _ := d[k].(map[string]any); v["@id"] == nil {
					t.Errorf("distribution %v: no %s", d["@id"], k)
				}
			}
			u := d["dcat:downloadURL"].(map[string]any)["@id"].(string)
			path := strings.TrimPrefix(u, "http://plenar.test")
			if status, _, _ := e.fetch(t, path); status != http.StatusOK {
				t.Errorf("distribution %s: status %d", u, status)
			}
		}
	}
}

func TestOpenDataPage(t *testing.T) {
	e := newTestEnv(t)
	f := newFeedFixture(t, e)
	c := e.anon()
	for _, lang := range []string{"de", "en"} {
		status, body := e.get(t, c, "/open-data?lang="+lang)
		if status != http.StatusOK {
			t.Fatalf("open-data page (%s): status %d", lang, status)
		}
		mustNotContain(t, "open-data page", body, f.secrets()...)
		if n := strings.Count(body, "<h1"); n != 1 {
			t.Errorf("open-data page: %d h1, want 1", n)
		}
		wants := []string{`href="/oparl/v1.1/system"`, `href="/open-data/catalog.jsonld"`, "/meetings.ics", "/papers.atom",
			"/decisions.atom", "/bodies/" + f.council.ID.String() + "/meetings.ics", "/bodies/" + f.committee.ID.String() + "/feed.atom",
			"https://www.govdata.de/dl-de/by-2-0", `rel="license"`}
		for _, ds := range feeds.Datasets() {
			wants = append(wants, `href="/open-data/`+ds.Slug+`.csv"`, `href="/open-data/`+ds.Slug+`.json"`)
		}
		mustContain(t, "open-data page", body, wants...)
		mustNotContain(t, "open-data page", body, "/bodies/"+f.group.ID.String()+"/") // party groups hold no meetings
	}
	_, body := e.get(t, c, "/open-data")
	mustContain(t, "open-data page (de)", body, "Offene Daten", "Vorlagen als CSV herunterladen")
	_, body = e.get(t, c, "/")
	mustContain(t, "footer", body, `href="/open-data"`, "Offene Daten")
	_, body = e.get(t, c, "/?lang=en")
	mustContain(t, "footer (en)", body, `href="/open-data?lang=en"`, "Open data")
}
