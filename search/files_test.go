package search_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/search"
)

// TestFiles: the extracted text of attached files is searchable as
// documents of type file, visible exactly as the portal shows files
// (documents.Store.Access), linking to the page they are attached to; a
// rebuild includes them, and the indexer follows uploads, extraction,
// visibility changes of files and of their parents, new versions and
// deletions.
func TestFiles(t *testing.T) {
	e := newEnv(t)
	bau := e.org(t, "Bauausschuss")
	fin := e.org(t, "Finanzausschuss")
	open := e.paper(t, council.Paper{Name: "Neubau Sporthalle", Public: true, LeadOrgID: bau.ID})
	hidden := e.paper(t, council.Paper{Name: "Grundstücksgeschäft", Public: false}, fin)
	draft := e.paper(t, council.Paper{Name: "Entwurf Stadtpark", Public: true, Status: council.StatusDraft}, fin)
	pub := e.file(t, "Lageplan", true, paperLink(open), "Die Zaunkönigwiese wird bebaut.", "Neue Straßenbahnhaltestellen am Nordring.")
	secret := e.file(t, "Kostenschätzung", false, paperLink(open), "Vertrauliche Kranichsumme")
	onHidden := e.file(t, "Gutachten", true, paperLink(hidden), "Reiherbericht")
	onDraft := e.file(t, "Skizze", true, paperLink(draft), "Storchenskizze")
	e.build(t)

	// A word only in the attached file finds it, linking to the paper.
	ids, res := e.ids(t, council.Public, search.Request{Query: "Zaunkönigwiese"})
	if !slices.Contains(ids, pub.ID) {
		t.Fatalf("Search(Zaunkönigwiese) misses the public file: %+v", res.Hits)
	}
	for _, h := range res.Hits {
		if h.Match == nil || h.Match.ID != pub.ID {
			continue
		}
		// One result for the matter: the paper, naming the file.
		if h.Type != search.TypePaper || h.ID != open.ID || h.Match.Type != search.TypeFile ||
			h.Match.URL() != "/papers/"+open.ID.String() || h.Match.Title != "Lageplan" {
			t.Errorf("file hit: %s %s, match %s %s %q; want paper %s with file Lageplan", h.Type, h.ID, h.Match.Type, h.Match.URL(), h.Match.Title, open.ID)
		}
		if !slices.Contains(h.Snippet, search.Segment{Text: "Zaunkönigwiese", Mark: true}) {
			t.Errorf("file hit snippet %q lacks the marked word", h.SnippetHTML())
		}
	}
	if !e.finds(t, council.Public, "Haltestelle", pub.ID) {
		t.Error("compound splitting does not reach file text")
	}

	// Visibility agrees with the portal's, for every viewer.
	words := map[council.ID]string{pub.ID: "Zaunkönigwiese", secret.ID: "Kranichsumme", onHidden.ID: "Reiherbericht",
		onDraft.ID: "Storchenskizze"}
	viewers := map[string]council.Viewer{"public": council.Public, "member bau": member(bau), "member fin": member(fin),
		"citizen": {UserID: council.NewID(), Role: council.RoleCitizen}, "staff": staff}
	for id, w := range words {
		acc, err := e.docs.Access(e.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for name, v := range viewers {
			want := acc.Public || v.SeesNonPublicOf(acc.Orgs...)
			if got := e.finds(t, v, w, id); got != want {
				t.Errorf("%s: Search(%q) finds the file: %v; the portal shows it: %v", name, w, got, want)
			}
		}
	}

	// The indexer follows changes of files and of their parents.
	ctx, cancel := context.WithCancel(e.ctx)
	in := search.NewIndexer(e.pool, e.ix, nil)
	in.Interval = time.Second
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	defer func() { cancel(); <-done }()
	eventually := func(what string, cond func() bool) { t.Helper(); eventually(t, what, cond) }
	publicTotal := func(q string) int {
		_, res := e.ids(t, council.Public, search.Request{Query: q})
		return res.Total
	}
	if err := e.docs.SetPublic(e.ctx, pub.ID, false); err != nil {
		t.Fatal(err)
	}
	eventually("file made non-public leaves public results and totals", func() bool { return publicTotal("Zaunkönigwiese") == 0 })
	if !e.finds(t, member(bau), "Zaunkönigwiese", pub.ID) {
		t.Error("a member of the lead body misses the non-public file")
	}
	if err := e.docs.SetPublic(e.ctx, pub.ID, true); err != nil {
		t.Fatal(err)
	}
	eventually("file made public again", func() bool { return e.finds(t, council.Public, "Zaunkönigwiese", pub.ID) })
	open.Public = false
	if _, err := e.s.SavePaper(e.ctx, open); err != nil {
		t.Fatal(err)
	}
	eventually("parent made non-public hides the file", func() bool { return publicTotal("Zaunkönigwiese") == 0 })
	open.Public = true
	if _, err := e.s.SavePaper(e.ctx, open); err != nil {
		t.Fatal(err)
	}
	eventually("parent made public again", func() bool { return e.finds(t, council.Public, "Zaunkönigwiese", pub.ID) })

	// Upload and extraction while the indexer runs.
	late := e.file(t, "Nachtrag", true, paperLink(open), "Eisvogelbrücke")
	eventually("uploaded file", func() bool { return e.finds(t, council.Public, "Eisvogelbrücke", late.ID) })

	// A new version replaces the old one in results; deleting it brings the old one back.
	v2, err := e.docs.Upload(e.ctx, bytesOf(docx(t, "Zaunkönigwiese, zweite Fassung")), documents.File{FileName: "lageplan2.docx",
		Name: "Lageplan", Public: true, MasterID: pub.ID}, paperLink(open))
	if err != nil {
		t.Fatal(err)
	}
	e.extract(t)
	eventually("new version replaces the old", func() bool {
		ids, _ := e.ids(t, staff, search.Request{Query: "Zaunkönigwiese"})
		return slices.Contains(ids, v2.ID) && !slices.Contains(ids, pub.ID)
	})
	if err := e.docs.Delete(e.ctx, v2.ID); err != nil {
		t.Fatal(err)
	}
	eventually("deleted version leaves, the old one returns", func() bool {
		ids, _ := e.ids(t, staff, search.Request{Query: "Zaunkönigwiese"})
		return !slices.Contains(ids, v2.ID) && slices.Contains(ids, pub.ID)
	})
	if err := e.docs.Delete(e.ctx, pub.ID); err != nil {
		t.Fatal(err)
	}
	eventually("deleted file leaves every result", func() bool {
		_, res := e.ids(t, staff, search.Request{Query: "Zaunkönigwiese"})
		return res.Total == 0
	})
}
