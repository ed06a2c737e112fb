package search_test

import (
	"slices"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/search"
)

// TestOneResultPerMatter: a paper, the agenda items it was consulted in
// and its files are one result, the paper, naming the meetings that
// consulted it and the file that matched; facets still count the
// documents. A non-public agenda item or file neither shows in the
// result nor in the facets for the public, and a non-public paper whose
// agenda item is public gives way to that item.
func TestOneResultPerMatter(t *testing.T) {
	e := newEnv(t)
	ms := meetings.NewStore(e.pool)
	bau := e.org(t, "Bauausschuss")
	rat := e.org(t, "Stadtrat")
	paper := e.paper(t, council.Paper{Name: "Sanierung der Sporthalle am Lindenhof", Public: true,
		Text: "Die Sporthalle am Lindenhof wird energetisch saniert."}, bau, rat)
	hiddenPaper := e.paper(t, council.Paper{Name: "Grundstücksankauf am Lindenhof", Public: false}, rat)
	meeting := func(name string, org council.Organization, at time.Time) meetings.Meeting {
		m, err := ms.SaveMeeting(e.ctx, meetings.Meeting{BodyID: e.body.ID, Name: name, Start: at, Organizations: []council.ID{org.ID}})
		if err != nil {
			t.Fatalf("SaveMeeting: %v", err)
		}
		return m
	}
	m1 := meeting("12. Sitzung des Bauausschusses", bau, time.Date(2025, 4, 2, 17, 0, 0, 0, time.UTC))
	m2 := meeting("8. Sitzung des Stadtrats", rat, time.Date(2025, 5, 8, 18, 0, 0, 0, time.UTC))
	item := func(m meetings.Meeting, p council.Paper, org council.Organization, public bool) meetings.AgendaItem {
		it, err := ms.AddPaper(e.ctx, m.ID, p.ID, org.ID, public)
		if err != nil {
			t.Fatalf("AddPaper: %v", err)
		}
		return it
	}
	open := item(m1, paper, bau, true)
	item(m2, paper, rat, false)
	ofHidden := item(m2, hiddenPaper, rat, true)
	// An item may be public while its paper is not (an item imported
	// over OParl, or made public before the paper was withdrawn);
	// AddPaper would not make one.
	if _, err := e.pool.Exec(e.ctx, `UPDATE agenda_items SET public = true WHERE id = $1`, ofHidden.ID); err != nil {
		t.Fatal(err)
	}
	for _, m := range []meetings.Meeting{m1, m2} {
		if _, err := ms.Invite(e.ctx, m.ID, m.Start.AddDate(0, 0, -14)); err != nil {
			t.Fatalf("Invite: %v", err)
		}
	}
	plan := e.file(t, "Lageplan Sporthalle", true, paperLink(paper), "Lageplan der Sporthalle mit Zufahrt Lindenhof.")
	cost := e.file(t, "Kostenschätzung Sporthalle", false, paperLink(paper), "Kostenschätzung Sporthalle Lindenhof vertraulich")
	e.build(t)

	// One matter has both words: one result, the paper; the public item
	// of the other matter has one of them and follows, marked.
	_, res := e.ids(t, council.Public, search.Request{Query: "Sporthalle Lindenhof"})
	if hits := allWords(res); res.All != 1 || len(hits) != 1 || hits[0].Type != search.TypePaper || hits[0].ID != paper.ID ||
		len(res.Hits) != 2 || res.Hits[1].ID != ofHidden.ID || !res.Hits[1].SomeWords {
		t.Fatalf("public: want one result with both words, the paper, then the other item; got all %d: %+v", res.All, res.Hits)
	}
	h := res.Hits[0]
	if len(h.Consulted) != 1 || h.Consulted[0].ItemID != open.ID || h.Consulted[0].Title != m1.Name {
		t.Errorf("public: consulted %+v, want only the public item of %q", h.Consulted, m1.Name)
	}
	counts := map[string]int{}
	for _, f := range res.Facets.Types {
		counts[f.Value] = f.Count
	}
	if counts["paper"] != 1 || counts["agenda_item"] != 2 || counts["file"] != 1 {
		t.Errorf("public: type facets %v, want paper 1, agenda_item 2, file 1 (the public documents)", counts)
	}

	// A word only in the file: the paper, naming the file.
	_, res = e.ids(t, council.Public, search.Request{Query: "Zufahrt"})
	if len(res.Hits) != 1 || res.Hits[0].ID != paper.ID || res.Hits[0].Match == nil || res.Hits[0].Match.ID != plan.ID ||
		res.Hits[0].Match.Title != "Lageplan Sporthalle" {
		t.Errorf("Zufahrt: want the paper naming its file; got %+v", res.Hits)
	}
	// The non-public file matches for the public neither as itself nor
	// through its paper.
	if ids, res := e.ids(t, council.Public, search.Request{Query: "vertraulich"}); len(ids) != 0 || res.Total != 0 {
		t.Errorf("vertraulich: the public finds %v (total %d)", ids, res.Total)
	}

	// Members of the Stadtrat see the closed item and the file.
	rm := member(rat)
	_, res = e.ids(t, rm, search.Request{Query: "Sporthalle Lindenhof"})
	if hits := allWords(res); len(hits) != 1 || len(hits[0].Consulted) != 2 {
		t.Errorf("member: want the paper consulted in two meetings; got %+v", res.Hits)
	}
	if ids, _ := e.ids(t, rm, search.Request{Query: "vertraulich"}); !slices.Contains(ids, cost.ID) {
		t.Errorf("member: vertraulich misses the file %s: %v", cost.ID, ids)
	}

	// The paper is not public, its agenda item is: the public gets the item.
	ids, res := e.ids(t, council.Public, search.Request{Query: "Grundstücksankauf"})
	if len(res.Hits) != 1 || res.Hits[0].Type != search.TypeAgendaItem || res.Hits[0].ID != ofHidden.ID || slices.Contains(ids, hiddenPaper.ID) {
		t.Errorf("Grundstücksankauf: want the public agenda item, not the paper; got %+v", res.Hits)
	}

	// A type filter shows what it filters; ungrouped lists every document.
	if ids, _ := e.ids(t, council.Public, search.Request{Query: "Sporthalle", Types: []search.Type{search.TypeFile}}); len(ids) != 1 || ids[0] != plan.ID {
		t.Errorf("type file: %v, want the public file", ids)
	}
	if _, res := e.ids(t, council.Public, search.Request{Query: "Sporthalle Lindenhof", Ungrouped: true}); res.All != 3 {
		t.Errorf("ungrouped: %d with both words, want 3 (paper, public item, public file)", res.All)
	}
}

// allWords are the hits of res that have all the query's words.
func allWords(res search.Result) []search.Hit {
	if !res.Some {
		return res.Hits
	}
	return res.Hits[:min(res.All, len(res.Hits))]
}
