package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/search"
)

// searchEnv is a test server with papers and a built search index.
func searchEnv(t *testing.T) (*testEnv, council.Paper, council.Paper) {
	t.Helper()
	e := newTestEnv(t)
	ctx := context.Background()
	bau, err := e.council.SaveOrganization(ctx, council.Organization{BodyID: e.body.ID, Name: "Bauausschuss", Kind: "committee"})
	if err != nil {
		t.Fatal(err)
	}
	save := func(name, text string, public bool) council.Paper {
		p, err := e.council.SavePaper(ctx, council.Paper{BodyID: e.body.ID, Name: name, Text: text, Type: council.PaperMotion,
			Status: council.StatusSubmitted, Public: public, Date: time.Date(2025, 5, 2, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.council.SaveConsultation(ctx, council.Consultation{PaperID: p.ID, OrganizationID: bau.ID}); err != nil {
			t.Fatal(err)
		}
		return p
	}
	open := save("Radwegsanierung <script>alert(1)</script> Uferweg", "Der Radweg am Ufer wird <b>saniert</b>.", true)
	secret := save("Radweg Grundstückskauf Geheimsache", "Vertraulicher Kaufpreis", false)
	e.buildIndex(t)
	return e, open, secret
}

func TestSearchAPI(t *testing.T) {
	e, open, secret := searchEnv(t)
	c := e.anon()
	status, body := e.get(t, c, "/api/v1/search?q=Radweg")
	if status != http.StatusOK {
		t.Fatalf("GET /api/v1/search: %d %s", status, body)
	}
	var got struct {
		Total int `json:"total"`
		Hits  []struct {
			Type, ID, Title, URL, Snippet string
		} `json:"hits"`
		Facets map[string][]struct {
			Value, Label string
			Count        int
		} `json:"facets"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	if got.Total != 1 || len(got.Hits) != 1 {
		t.Fatalf("total %d, hits %+v; want the one public paper", got.Total, got.Hits)
	}
	h := got.Hits[0]
	if h.Type != "paper" || h.ID != open.ID.String() || h.URL != "http://plenar.test/papers/"+open.ID.String() || h.Title != open.Name {
		t.Errorf("hit = %+v", h)
	}
	if !strings.Contains(h.Snippet, "<mark>Radweg</mark>") || strings.Contains(h.Snippet, "<b>") {
		t.Errorf("snippet %q: want <mark>Radweg</mark> and escaped markup", h.Snippet)
	}
	for _, k := range []string{"type", "organization", "year"} {
		if _, ok := got.Facets[k]; !ok {
			t.Errorf("facets lack %q: %v", k, got.Facets)
		}
	}
	if strings.Contains(body, secret.ID.String()) || strings.Contains(body, "Geheimsache") {
		t.Errorf("API reveals the non-public paper: %s", body)
	}
}

func TestSearchPageAndFeed(t *testing.T) {
	e, open, secret := searchEnv(t)
	c := e.anon()
	status, body := e.get(t, c, "/search?q=Radweg")
	if status != http.StatusOK {
		t.Fatalf("GET /search: %d", status)
	}
	mustContain(t, "search page", body, "<mark>Radweg</mark>", "&lt;script&gt;", open.ID.String(), "/search/feed?q=Radweg", `role="search"`)
	mustNotContain(t, "search page", body, "<script>alert", secret.ID.String(), "Geheimsache", "Kaufpreis")

	status, body = e.get(t, c, "/search/feed?q=Radweg")
	if status != http.StatusOK || !strings.Contains(body, "<feed") || !strings.Contains(body, open.ID.String()) {
		t.Fatalf("GET /search/feed: %d %s", status, body)
	}
	mustNotContain(t, "search feed", body, secret.ID.String(), "Geheimsache")

	status, body = e.get(t, c, "/")
	if status != http.StatusOK {
		t.Fatalf("GET /: %d", status)
	}
	mustContain(t, "layout", body, `action="/search"`)

	for path, want := range map[string]int{
		"/search?q=%22unbalanced":                        http.StatusOK,
		"/search?q=OR+-+*":                               http.StatusOK,
		"/search?q=%01Radweg":                            http.StatusOK,
		"/search?q=%00%01Radweg":                         http.StatusBadRequest, // NUL: refused for every route (input.go)
		"/search?q=" + strings.Repeat("wort+", 2000):     http.StatusOK,
		"/api/v1/search?q=Radweg&page=99999999":          http.StatusBadRequest,
		"/api/v1/search?q=Radweg&sort=bogus":             http.StatusBadRequest,
		"/api/v1/search?q=Radweg&from=yesterday":         http.StatusBadRequest,
		"/api/v1/search?q=Radweg&type=secret":            http.StatusBadRequest,
		"/api/v1/search?q=Radweg&org=x":                  http.StatusBadRequest,
		"/api/v1/search?q=Radweg&per_page=100000":        http.StatusBadRequest,
		"/api/v1/search?q=Radweg&status=draft&year=2025": http.StatusOK,
	} {
		status, body := e.get(t, c, path)
		if status != want {
			t.Errorf("GET %.80s: %d, want %d (%.200s)", path, status, want, body)
		}
		if strings.HasPrefix(path, "/api/") && status >= 400 && !strings.HasPrefix(body, `{"error":{"message":`) {
			t.Errorf("GET %.80s: error body %.200s, want a JSON error object", path, body)
		}
	}
}

// TestSearchSuggestAPI: autocomplete answers from public words only, for
// the public and for staff alike, and did_you_mean likewise.
func TestSearchSuggestAPI(t *testing.T) {
	e, _, _ := searchEnv(t)
	c := e.anon()
	get := func(path string) []string {
		t.Helper()
		status, body := e.get(t, c, path)
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, status, body)
		}
		var out []string
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatalf("decode %s: %v", body, err)
		}
		return out
	}
	if got := get("/api/v1/search/suggest?q=radw"); len(got) == 0 || !strings.HasPrefix(got[0], "radweg") {
		t.Errorf("suggest radw = %v", got)
	}
	for _, q := range []string{"geheim", "grundst", "vertraul", "kaufp", "Geheimsache"} {
		for _, s := range get("/api/v1/search/suggest?q=" + q) {
			t.Errorf("suggest %q = %q: a word of a non-public paper", q, s)
		}
	}
	if got := get("/api/v1/search/suggest?q=r"); len(got) != 0 {
		t.Errorf("suggest r = %v, want nothing for one letter", got)
	}
	status, body := e.get(t, c, "/api/v1/search?q=Geheimsach+Vertraulihcer")
	if status != http.StatusOK || strings.Contains(strings.ToLower(body), "geheimsache") || strings.Contains(strings.ToLower(body), "vertraulicher") {
		t.Errorf("did_you_mean leaks: %d %s", status, body)
	}
}

// TestSearchTypeLabels: every document type the index can return has a
// label in every UI language (facets and Atom categories show it).
func TestSearchTypeLabels(t *testing.T) {
	c, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range search.Types {
		for _, l := range langs {
			if _, ok := c[l]["search.type."+string(typ)]; !ok {
				t.Errorf("%s: no label for search type %q", l, typ)
			}
		}
	}
}

// TestSearchSomeWords: when no visible document has all the words, the
// page and the API say that the hits have some of them; a non-public
// document with all the words neither shows nor suppresses the notice.
// A paper's date is a date in the API.
func TestSearchSomeWords(t *testing.T) {
	e, open, secret := searchEnv(t)
	c := e.anon()
	status, body := e.get(t, c, "/search?q=Uferweg+Geheimsache")
	if status != http.StatusOK {
		t.Fatalf("GET /search: %d", status)
	}
	mustContain(t, "search page", body, "Keine Treffer mit allen Wörtern – Ergebnisse mit einigen der Wörter", open.ID.String())
	mustNotContain(t, "search page", body, secret.ID.String(), "Kaufpreis")
	status, body = e.get(t, c, "/search?q=Uferweg+Geheimsache&lang=en")
	if status != http.StatusOK {
		t.Fatalf("GET /search (en): %d", status)
	}
	mustContain(t, "search page (en)", body, "No results with all the words – results with some of the words")

	status, body = e.get(t, c, "/api/v1/search?q=Uferweg+Geheimsache")
	if status != http.StatusOK {
		t.Fatalf("GET /api/v1/search: %d %s", status, body)
	}
	var got struct {
		SomeWords bool `json:"some_words"`
		Hits      []struct{ ID, Date string }
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	if !got.SomeWords || len(got.Hits) != 1 || got.Hits[0].ID != open.ID.String() || got.Hits[0].Date != "2025-05-02" {
		t.Errorf("API: %s; want some_words, the public paper, date 2025-05-02", body)
	}
	mustNotContain(t, "search API", body, secret.ID.String())

	status, body = e.get(t, c, "/search?q=Radweg+Uferweg")
	if status != http.StatusOK {
		t.Fatalf("GET /search: %d", status)
	}
	mustNotContain(t, "search page with all words", body, `id="search-some"`, `id="search-some-after"`)
	// Results come before the facets in the page: a phone shows the first
	// hit first (issue 15); wide screens place the facets beside them.
	if hits, facets := strings.Index(body, `class="hits"`), strings.Index(body, `class="facets"`); hits < 0 || facets < 0 || hits > facets {
		t.Errorf("search page: results at %d, facets at %d; want the results first", hits, facets)
	}

	// A few documents with all the words come first, then, under their
	// own heading, those with some of them; the non-public one with some
	// of the words is in neither.
	other, err := e.council.SavePaper(context.Background(), council.Paper{BodyID: e.body.ID, Name: "Radweg am Bahnhof",
		Type: council.PaperMotion, Status: council.StatusSubmitted, Public: true, Date: time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	e.buildIndex(t)
	for _, lang := range []struct{ q, heading string }{{"", "Weitere Ergebnisse mit einigen der Wörter"}, {"&lang=en", "More results with some of the words"}} {
		_, body = e.get(t, c, "/search?q=Radweg+Uferweg"+lang.q)
		mustContain(t, "search page, all words then some", body, `id="search-some-after"`, lang.heading)
		mustNotContain(t, "search page, all words then some", body, `id="search-some"`, secret.ID.String())
		first, heading, second := strings.Index(body, open.ID.String()), strings.Index(body, lang.heading), strings.Index(body, other.ID.String())
		if first < 0 || heading < first || second < heading {
			t.Errorf("search page: paper with all words at %d, heading at %d, paper with some at %d; want in that order", first, heading, second)
		}
		if !strings.Contains(body, `<ol class="hits" start="2" aria-labelledby="search-some-after">`) {
			t.Errorf("search page: the hits with some of the words should be numbered on from 2")
		}
	}
	_, body = e.get(t, c, "/api/v1/search?q=Radweg+Uferweg")
	var api struct {
		SomeWords bool `json:"some_words"`
		AllWords  int  `json:"all_words"`
		Hits      []struct {
			ID        string
			SomeWords bool `json:"some_words"`
		}
	}
	if err := json.Unmarshal([]byte(body), &api); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	if !api.SomeWords || api.AllWords != 1 || len(api.Hits) != 2 || api.Hits[0].ID != open.ID.String() || api.Hits[0].SomeWords ||
		api.Hits[1].ID != other.ID.String() || !api.Hits[1].SomeWords {
		t.Errorf("API: %s; want all_words 1, the paper with both words, then the other marked some_words", body)
	}
}

// buildIndex builds a search index of everything in e's database and
// gives it to the server.
func (e *testEnv) buildIndex(t *testing.T) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "index")
	words, _, err := search.DefaultWords("")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := search.Rebuild(context.Background(), e.srv.pool, dir, words, nil); err != nil {
		t.Fatal(err)
	}
	ix, err := search.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	e.srv.opt.SearchIndex = ix
}

// TestSearchAPIConsulted: over the real router, the JSON API's grouped
// hit names the meetings that consulted the paper and the document that
// matched, as the search page does, and only what the public may see: the
// meeting whose agenda item is not public appears neither in "consulted"
// nor as the "match".
func TestSearchAPIConsulted(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	org := func(name string) council.Organization {
		o, err := e.council.SaveOrganization(ctx, council.Organization{BodyID: e.body.ID, Name: name, Kind: "committee"})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	bau, rat := org("Bauausschuss"), org("Stadtrat")
	p, err := e.council.SavePaper(ctx, council.Paper{BodyID: e.body.ID, Name: "Sanierung der Sporthalle am Lindenhof",
		Type: council.PaperMotion, Status: council.StatusSubmitted, Public: true, Date: time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range []council.Organization{bau, rat} {
		if _, err := e.council.SaveConsultation(ctx, council.Consultation{PaperID: p.ID, OrganizationID: o.ID, Position: i}); err != nil {
			t.Fatal(err)
		}
	}
	meeting := func(name string, o council.Organization, at time.Time, public bool) (meetings.Meeting, meetings.AgendaItem) {
		m, err := e.meetings.SaveMeeting(ctx, meetings.Meeting{BodyID: e.body.ID, Name: name, Start: at, Organizations: []council.ID{o.ID}})
		if err != nil {
			t.Fatal(err)
		}
		it, err := e.meetings.AddPaper(ctx, m.ID, p.ID, o.ID, public)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.meetings.Invite(ctx, m.ID, at.AddDate(0, 0, -14)); err != nil {
			t.Fatal(err)
		}
		return m, it
	}
	open, openItem := meeting("12. Sitzung des Bauausschusses", bau, time.Date(2025, 4, 2, 17, 0, 0, 0, time.UTC), true)
	closed, closedItem := meeting("8. Sitzung des Stadtrates", rat, time.Date(2025, 5, 8, 18, 0, 0, 0, time.UTC), false)
	e.buildIndex(t)

	status, body := e.get(t, e.anon(), "/api/v1/search?q=Sporthalle+Lindenhof")
	if status != http.StatusOK {
		t.Fatalf("GET /api/v1/search: %d %s", status, body)
	}
	var got struct {
		Total int `json:"total"`
		Hits  []struct {
			Type, ID  string
			Match     *struct{ Type, ID string } `json:"match"`
			Consulted []struct {
				MeetingID string `json:"meeting_id"`
				Title     string `json:"title"`
				URL       string `json:"url"`
			} `json:"consulted"`
		} `json:"hits"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	if got.Total != 1 || len(got.Hits) != 1 || got.Hits[0].Type != "paper" || got.Hits[0].ID != p.ID.String() {
		t.Fatalf("want one result, the paper: %s", body)
	}
	h := got.Hits[0]
	if len(h.Consulted) != 1 || h.Consulted[0].MeetingID != open.ID.String() || h.Consulted[0].Title != open.Name ||
		h.Consulted[0].URL != "http://plenar.test/meetings/"+open.ID.String()+"#item-"+openItem.ID.String() {
		t.Errorf("consulted %+v, want only %q linked to its agenda item", h.Consulted, open.Name)
	}
	if h.Match != nil && h.Match.ID != p.ID.String() && h.Match.ID != openItem.ID.String() {
		t.Errorf("match %+v, want the paper or its public agenda item", h.Match)
	}
	for _, secret := range []string{closed.ID.String(), closedItem.ID.String(), closed.Name} {
		if strings.Contains(body, secret) {
			t.Errorf("the API names the non-public consultation (%s): %s", secret, body)
		}
	}
}

// TestSearchSameTitle: over the real router, seven public papers titled
// alike are one result on the search page and in the API, listing the
// five newest others with a link to all of them; ?same= lists all seven
// and no non-public paper of that title; a bad or non-public ?same= is
// a clear 400 or 404.
func TestSearchSameTitle(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	save := func(name string, public bool, day int) council.Paper {
		p, err := e.council.SavePaper(ctx, council.Paper{BodyID: e.body.ID, Name: name, Type: council.PaperInformation,
			Status: council.StatusSubmitted, Public: public, Date: time.Date(2025, 5, day, 0, 0, 0, 0, time.UTC),
			Text: "Bericht über die Belegung der Turnhallen."})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	const title = "Belegung der Turnhallen"
	var same []council.Paper
	for d := 1; d <= 7; d++ {
		same = append(same, save(title, true, d))
	}
	secret := save(title, false, 20)
	other := save("Sanierung der Turnhallen", true, 9)
	e.buildIndex(t)
	c := e.anon()

	for _, lang := range []struct{ q, label, all string }{{"", "Gleicher Titel:", "alle 7 anzeigen"}, {"&lang=en", "Same title:", "show all 7"}} {
		status, body := e.get(t, c, "/search?q=Turnhallen"+lang.q)
		if status != http.StatusOK {
			t.Fatalf("GET /search: %d", status)
		}
		if n := strings.Count(body, `class="hit-title"`); n != 2 {
			t.Errorf("search page%s: %d results, want 2 (one for the seven, the other paper)", lang.q, n)
		}
		mustContain(t, "search page", body, lang.label, lang.all, other.ID.String())
		mustNotContain(t, "search page", body, secret.ID.String())
		// The result and five of the others (the newest) are on the page.
		shown := 0
		for _, p := range same {
			if strings.Contains(body, p.ID.String()) {
				shown++
			}
		}
		if shown != 1+search.MaxSame {
			t.Errorf("search page%s: %d of the seven papers linked, want %d", lang.q, shown, 1+search.MaxSame)
		}
	}
	status, body := e.get(t, c, "/api/v1/search?q=Turnhallen")
	if status != http.StatusOK {
		t.Fatalf("GET /api/v1/search: %d %s", status, body)
	}
	var api struct {
		Total int `json:"total"`
		Hits  []struct {
			ID, Title string
			Same      []struct{ ID, Date, URL string } `json:"same"`
			SameTotal int                              `json:"same_total"`
		} `json:"hits"`
	}
	if err := json.Unmarshal([]byte(body), &api); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	if api.Total != 2 || len(api.Hits) != 2 {
		t.Fatalf("API: %s; want two results", body)
	}
	for _, h := range api.Hits {
		if h.Title != title {
			continue
		}
		if len(h.Same) != search.MaxSame || h.SameTotal != 6 || h.Same[0].Date <= h.Same[1].Date || !strings.HasSuffix(h.Same[0].URL, "/papers/"+h.Same[0].ID) {
			t.Errorf("API: same %+v (total %d); want the %d newest others, newest first, of 6", h.Same, h.SameTotal, search.MaxSame)
		}
	}
	mustNotContain(t, "search API", body, secret.ID.String())

	status, body = e.get(t, c, "/search?same="+same[3].ID.String()+"&sort=date")
	if status != http.StatusOK {
		t.Fatalf("GET /search?same=: %d", status)
	}
	mustContain(t, "same list", body, "Vorlagen und Anträge mit dem Titel „"+title+"“")
	if n := strings.Count(body, `class="hit-title"`); n != 7 {
		t.Errorf("same list: %d results, want 7", n)
	}
	mustNotContain(t, "same list", body, secret.ID.String(), other.ID.String(), "Gleicher Titel:")
	// The search's feed and a saved search's alerts miss none of them.
	status, body = e.get(t, c, "/search/feed?q=Turnhallen")
	if status != http.StatusOK {
		t.Fatalf("GET /search/feed: %d", status)
	}
	if n := strings.Count(body, "<entry>"); n != 8 {
		t.Errorf("search feed: %d entries, want 8 (the seven titled alike, the other)", n)
	}
	targets, err := searchMatcher{e.srv}.Match(ctx, url.Values{"q": {"Turnhallen"}}, 50)
	if err != nil {
		t.Fatal(err)
	}
	found := map[council.ID]bool{}
	for _, tg := range targets {
		found[tg.ID] = true
	}
	for _, p := range append(same, other) {
		if !found[p.ID] {
			t.Errorf("saved search: %s (%s) not among the alert's targets", p.ID, p.Date.Format(time.DateOnly))
		}
	}
	if found[secret.ID] {
		t.Errorf("saved search: the non-public paper is a target")
	}
	for _, p := range append(same, other) {
		mustContain(t, "search feed", body, p.ID.String())
	}
	mustNotContain(t, "search feed", body, secret.ID.String())
	if status, _ := e.get(t, c, "/search?same=kein-uuid"); status != http.StatusBadRequest {
		t.Errorf("same=kein-uuid: %d, want 400", status)
	}
	if status, body := e.get(t, c, "/api/v1/search?same="+secret.ID.String()); status != http.StatusNotFound || strings.Contains(body, title) {
		t.Errorf("same of a non-public paper: %d %s, want 404 without its title", status, body)
	}
	if status, _ := e.get(t, c, "/search?same="+council.NewID().String()); status != http.StatusNotFound {
		t.Errorf("same of an unknown paper: %d, want 404", status)
	}
}
