package search_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/search"
)

// TestVisibility runs hostile queries as the public, as members of
// another body and of the paper's body, and as staff: a non-public paper,
// a draft, a non-public file and files of non-public papers and drafts
// never reach a viewer who may not see them, in hits, totals, facet
// counts or snippets.
func TestVisibility(t *testing.T) {
	e := newEnv(t)
	bau := e.org(t, "Bauausschuss")
	fin := e.org(t, "Finanzausschuss")
	open := e.paper(t, council.Paper{Name: "Haltestelle am Rathaus", Public: true, Text: "Öffentlicher Antrag"}, bau)
	secret := e.paper(t, council.Paper{Name: "Grundstücksverhandlung Haltestelle Geheimwort", Public: false,
		Text: "Vertraulicher Kaufpreis Zauberwort"}, bau)
	draft := e.paper(t, council.Paper{Name: "Entwurf Haltestelle Draftwort", Public: true, Status: council.StatusDraft,
		Text: "Entwurfstext Zauberwort"}, bau)
	secretFile := e.file(t, "Anlage Geheimplan", false, paperLink(open), "Anlagengeheimwort Zauberwort")
	fileOfSecret := e.file(t, "Anlage zum Kaufvertrag", true, paperLink(secret), "Kaufvertragsanlagewort Zauberwort")
	fileOfDraft := e.file(t, "Entwurfsanlage", true, paperLink(draft), "Draftanlagewort Zauberwort")
	e.build(t)

	hostile := []string{"", "*", "Haltestelle", "Geheimwort", "geheim*", "Zauberwort", "Vertraulicher Kaufpreis",
		`"Vertraulicher Kaufpreis"`, "Geheimwort OR Haltestelle", "-Haltestelle", "Draftwort", "Entwurf*",
		"Grundstuecksverhandlung", "Zauberwrt", "vis:members", "type:paper", "_id:*", strings.Repeat("Geheimwort ", 50),
		"\x00Geheimwort", `Geheimwort"`, "orgs:" + bau.ID.String(), secret.ID.String(), "status:draft",
		"Anlagengeheimwort", "Kaufvertragsanlagewort", "Draftanlagewort", "anlage*", "Geheimplan", "Anlagengeheimwrt",
		"type:file", `"Anlage zum Kaufvertrag"`, secretFile.ID.String(), "Zauberwort -Haltestelle"}
	filters := []search.Request{{}, {Types: []search.Type{search.TypePaper}}, {Types: []search.Type{search.TypeFile}},
		{Orgs: []council.ID{bau.ID}},
		{Status: string(council.StatusDraft)}, {Year: "2025"}, {Sort: search.SortNewest}, {Ungrouped: true}}

	check := func(name string, v council.Viewer, secretWords []string, hidden ...council.ID) {
		t.Helper()
		for _, q := range hostile {
			for _, f := range filters {
				f.Query, f.PerPage = q, 100
				ids, res := e.ids(t, v, f)
				for _, h := range hidden {
					if slices.Contains(ids, h) {
						t.Errorf("%s: Search(%q, %+v) reveals %s", name, q, f, h)
					}
				}
				if res.Total != len(res.Hits) {
					t.Errorf("%s: Search(%q, %+v): total %d, %d hits", name, q, f, res.Total, len(res.Hits))
				}
				sum := 0
				for _, ft := range res.Facets.Types {
					sum += ft.Count
				}
				// Facets count documents, the total results (one per
				// matter, unless ungrouped).
				if sum < res.Total || f.Ungrouped && sum != res.Total {
					t.Errorf("%s: Search(%q, %+v): type facets count %d, total %d", name, q, f, sum, res.Total)
				}
				for _, h := range res.Hits {
					for _, w := range secretWords {
						if s := shown(h); strings.Contains(s, w) {
							t.Errorf("%s: Search(%q): snippet %q", name, q, s)
						}
					}
				}
			}
		}
	}
	both := []string{"Kaufpreis", "Geheimwort", "Entwurfstext", "Draftwort", "Anlagengeheimwort", "Geheimplan",
		"Kaufvertrag", "Draftanlagewort", "Entwurfsanlage"}
	hidden := []council.ID{secret.ID, draft.ID, secretFile.ID, fileOfSecret.ID, fileOfDraft.ID}
	check("public", council.Public, both, hidden...)
	check("citizen", council.Viewer{UserID: council.NewID(), Role: council.RoleCitizen}, both, hidden...)
	check("member of another body", member(fin), both, hidden...)
	// Members of the consulting body see the non-public paper and the
	// files the portal shows them (documents.Store.Access), not the draft.
	check("member", member(bau), []string{"Entwurfstext", "Draftwort"}, draft.ID)

	if !e.finds(t, member(bau), "Geheimwort", secret.ID) {
		t.Error("a member of the consulting body misses the non-public paper")
	}
	for _, f := range []struct {
		q  string
		id council.ID
	}{{"Anlagengeheimwort", secretFile.ID}, {"Kaufvertragsanlagewort", fileOfSecret.ID}, {"Draftanlagewort", fileOfDraft.ID}} {
		if !e.finds(t, member(bau), f.q, f.id) || !e.finds(t, staff, f.q, f.id) {
			t.Errorf("member of the consulting body or staff misses the file with %q", f.q)
		}
	}
	if !e.finds(t, staff, "Draftwort", draft.ID) {
		t.Error("staff misses the draft")
	}
	if !e.finds(t, council.Public, "Haltestelle", open.ID) {
		t.Error("the public misses the public paper")
	}
}

// TestIndexer follows the outbox: a new paper and a visibility change
// reach the index within seconds, and an indexer started after downtime
// catches up from its recorded position.
func TestIndexer(t *testing.T) {
	e := newEnv(t)
	bau := e.org(t, "Bauausschuss")
	p := e.paper(t, council.Paper{Name: "Lärmschutzwand Bahnlinie", Public: false}, bau)
	e.build(t)

	ctx, cancel := context.WithCancel(e.ctx)
	in := search.NewIndexer(e.pool, e.ix, nil)
	in.Interval = time.Second
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()

	eventually := func(what string, cond func() bool) { t.Helper(); eventually(t, what, cond) }
	if e.finds(t, council.Public, "Lärmschutzwand", p.ID) {
		t.Fatal("non-public paper found before the change")
	}
	p.Public = true
	if _, err := e.s.SavePaper(e.ctx, p); err != nil {
		t.Fatal(err)
	}
	eventually("paper made public", func() bool { return e.finds(t, council.Public, "Lärmschutzwand", p.ID) })
	p.Public = false
	if _, err := e.s.SavePaper(e.ctx, p); err != nil {
		t.Fatal(err)
	}
	// The re-check against PostgreSQL hides it at once; the index follows.
	if e.finds(t, council.Public, "Lärmschutzwand", p.ID) {
		t.Error("paper made non-public still found")
	}
	eventually("paper made non-public leaves the totals", func() bool {
		_, res := e.ids(t, council.Public, search.Request{Query: "Lärmschutzwand"})
		return res.Total == 0
	})
	fresh := e.paper(t, council.Paper{Name: "Neue Fußgängerbrücke", Public: true}, bau)
	eventually("new paper", func() bool { return e.finds(t, council.Public, "Fussgaengerbruecke", fresh.ID) })
	cancel()
	<-done

	// Downtime: changes while no indexer runs are applied by the next one.
	late := e.paper(t, council.Paper{Name: "Spielplatzerneuerung Nordpark", Public: true}, bau)
	if e.finds(t, council.Public, "Spielplatzerneuerung", late.ID) {
		t.Fatal("found before catch-up")
	}
	in2 := search.NewIndexer(e.pool, e.ix, nil)
	if n, err := in2.CatchUp(e.ctx); err != nil || n == 0 {
		t.Fatalf("CatchUp = %d, %v; want > 0 rows", n, err)
	}
	if !e.finds(t, council.Public, "Spielplatz", late.ID) {
		t.Error("catch-up missed the paper made during downtime")
	}
}

// TestVisibilityFacets runs hostile queries against the facet counts,
// which Search computes from per-segment arrays of its own: the year and
// the body of a non-public paper and of a draft, each the only paper of
// its year and body, never appear for a viewer who may not see them, and
// every facet adds up to the total.
func TestVisibilityFacets(t *testing.T) {
	e := newEnv(t)
	bau := e.org(t, "Bauausschuss")
	geheim := e.org(t, "Geheimausschuss")
	entwurf := e.org(t, "Entwurfsausschuss")
	e.paper(t, council.Paper{Name: "Haltestelle am Rathaus", Public: true, Text: "Zauberwort Haltestelle",
		Date: time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)}, bau)
	e.paper(t, council.Paper{Name: "Haltestelle am Markt", Public: true, Text: "Zauberwort",
		Date: time.Date(2021, 5, 2, 0, 0, 0, 0, time.UTC)}, bau)
	secret := e.paper(t, council.Paper{Name: "Geheimwort Haltestelle", Public: false, Text: "Zauberwort Haltestelle",
		Date: time.Date(2019, 5, 2, 0, 0, 0, 0, time.UTC)}, geheim)
	e.paper(t, council.Paper{Name: "Entwurf Haltestelle Draftwort", Public: true, Status: council.StatusDraft,
		Text: "Zauberwort Haltestelle", Date: time.Date(2017, 5, 2, 0, 0, 0, 0, time.UTC)}, entwurf)
	e.build(t)

	hostile := []string{"", "*", "Zauberwort", "Zauber*", "Haltestelle", `"Zauberwort Haltestelle"`, "Zauberwrt",
		"Geheimwort", "Draftwort", "Geheimwort OR Haltestelle", "-Rathaus", "\x00Geheimwort", secret.ID.String()}
	// Papers only: the bodies themselves are public documents that carry
	// their own body facet.
	filters := []search.Request{{}, {Year: "2019"}, {Year: "2017"}, {Orgs: []council.ID{geheim.ID}},
		{Orgs: []council.ID{entwurf.ID}}, {Sort: search.SortOldest}}
	check := func(name string, v council.Viewer, hiddenYears []string, hiddenOrgs ...council.ID) {
		t.Helper()
		for _, q := range hostile {
			for _, f := range filters {
				f.Query, f.Types = q, []search.Type{search.TypePaper}
				_, res := e.ids(t, v, f)
				years := 0
				for _, y := range res.Facets.Years {
					years += y.Count
					if slices.Contains(hiddenYears, y.Value) {
						t.Errorf("%s: Search(%q, %+v): year facet %s (%d)", name, q, f, y.Value, y.Count)
					}
				}
				if years != res.Total {
					t.Errorf("%s: Search(%q, %+v): year facets count %d, total %d", name, q, f, years, res.Total)
				}
				for _, o := range res.Facets.Orgs {
					id, _ := council.ParseID(o.Value)
					if slices.Contains(hiddenOrgs, id) || o.Count > res.Total {
						t.Errorf("%s: Search(%q, %+v): body facet %s (%d of %d)", name, q, f, o.Label, o.Count, res.Total)
					}
				}
			}
		}
	}
	check("public", council.Public, []string{"2019", "2017"}, geheim.ID, entwurf.ID)
	check("citizen", council.Viewer{UserID: council.NewID(), Role: council.RoleCitizen}, []string{"2019", "2017"}, geheim.ID, entwurf.ID)
	check("member of another body", member(bau), []string{"2019", "2017"}, geheim.ID, entwurf.ID)
	check("member", member(geheim), []string{"2017"}, entwurf.ID)

	// The facets do count what a viewer may see.
	_, res := e.ids(t, member(geheim), search.Request{Query: "Geheimwort", Types: []search.Type{search.TypePaper}})
	if len(res.Facets.Orgs) != 1 || res.Facets.Orgs[0].Label != "Geheimausschuss" || res.Facets.Orgs[0].Count != 1 {
		t.Errorf("member of the body: body facets %+v, want Geheimausschuss 1", res.Facets.Orgs)
	}
	if _, res := e.ids(t, staff, search.Request{Query: "Zauberwort", Types: []search.Type{search.TypePaper}}); res.Total != 4 || len(res.Facets.Years) != 4 {
		t.Errorf("staff: total %d, year facets %+v; want 4 papers in 4 years", res.Total, res.Facets.Years)
	}
}

// TestIndexerKeepsNoPoolConnection: the indexer's LISTEN connection is its
// own, not one of the pool's, so a pool of one connection still serves
// the indexer's catch-ups and everybody else (issue 21: held in the pool
// it took one of the four connections from the pages for good).
func TestIndexerKeepsNoPoolConnection(t *testing.T) {
	e := newEnv(t)
	bau := e.org(t, "Bauausschuss")
	e.build(t)
	cfg := e.pool.Config()
	cfg.MaxConns = 1
	one, err := pgxpool.NewWithConfig(e.ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	ctx, cancel := context.WithCancel(e.ctx)
	in := search.NewIndexer(one, e.ix, nil)
	in.Interval = time.Second
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	p := e.paper(t, council.Paper{Name: "Ufermauer Hafenbecken", Public: true}, bau)
	eventually(t, "a paper indexed through a pool of one connection", func() bool {
		return e.finds(t, council.Public, "Ufermauer", p.ID)
	})
	actx, acancel := context.WithTimeout(e.ctx, 30*time.Second)
	defer acancel()
	var n int
	if err := one.QueryRow(actx, `SELECT count(*) FROM papers`).Scan(&n); err != nil {
		t.Errorf("the pool's only connection is taken while the indexer waits: %v", err)
	}
	cancel()
	<-done
}

// shown is the text of a hit the search page shows: title, snippet, the
// matching document's title and the consulting meetings.
func shown(h search.Hit) string {
	s := h.Title + "\n" + h.SnippetText()
	if h.Match != nil {
		s += "\n" + h.Match.Title
	}
	for _, c := range h.Consulted {
		s += "\n" + c.Title
	}
	return s
}
