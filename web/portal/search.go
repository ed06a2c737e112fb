package portal

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/search"
	"github.com/plenar/plenar/web/site"
)

// Search: the portal page /search, the JSON API /api/v1/search and an Atom
// feed per search (/search/feed, package web/feeds). All three take the same parameters: q,
// type, org (repeatable), person, status, year, from, to (YYYY-MM-DD),
// sort (date, date_asc) and page. Hits link to the existing pages, which
// authorise every fetch by id against PostgreSQL again.
func (s *Server) searchRoutes(r chi.Router) {
	r.Get("/search", s.h(s.searchPage))
	r.Get("/api/v1/search", s.api(s.searchAPI))
	r.Get("/api/v1/search/suggest", s.api(s.searchSuggest))
}

// searcher returns the searcher, or an ErrUnavailable error when the
// server runs without an index.
func (s *Server) searcher() (*search.Searcher, error) {
	if s.opt.Searcher == nil {
		return nil, council.ErrUnavailable
	}
	return s.opt.Searcher()
}

func (s *Server) runSearch(r *http.Request) (search.Result, search.Request, error) {
	sr, err := s.searcher()
	if err != nil {
		return search.Result{}, search.Request{}, err
	}
	req, err := site.SearchRequest(r.URL.Query())
	if err != nil {
		return search.Result{}, search.Request{}, err
	}
	res, err := sr.Search(r.Context(), s.viewerOf(r), req)
	return res, req, err
}

// searchPageData is the data of the search page.
type searchPageData struct {
	Query    string
	Searched bool
	Result   search.Result
	Hits     []searchHitView
	// SomeHits are, when a few documents have all the words, the hits
	// after them that have only some (search.Result.All); SomeFirst is
	// the number of the first of them.
	SomeHits  []searchHitView
	SomeFirst int
	Facets    []facetView
	Pager     pager
	FeedURL   string
	Sort      string
	First     int // number of the first hit on the page
	// SameTitle is, for ?same=, the title the listed papers share.
	SameTitle string
}

type searchHitView struct {
	search.Hit
	URL     string
	Snippet template.HTML
	SameAll int // the papers of this title, the hit's one included
}

// facetView is one facet group; each value links to the search with that
// filter toggled.
type facetView struct {
	Key    string
	Values []facetValue
}

type facetValue struct {
	Label    string
	Count    int
	URL      string
	Selected bool
}

func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	data := searchPageData{Query: q.Get("q"), Sort: q.Get("sort")}
	if len(q) > 0 && (q.Has("q") || q.Has("type") || q.Has("org") || q.Has("year") || q.Has("same")) {
		res, req, err := s.runSearch(r)
		if err != nil {
			return err
		}
		data.Searched, data.Result = true, res
		if req.Same != council.NilID && len(res.Hits) > 0 {
			data.SameTitle = res.Hits[0].Title
		}
		data.First = (res.Page-1)*res.PerPage + 1
		for _, h := range res.Hits {
			hv := searchHitView{Hit: h, URL: h.URL(), Snippet: template.HTML(h.SnippetHTML()), SameAll: h.SameTotal + 1} // #nosec: SnippetHTML escapes all but <mark>
			if h.SomeWords && res.All > 0 {
				data.SomeHits = append(data.SomeHits, hv)
			} else {
				data.Hits = append(data.Hits, hv)
			}
		}
		data.SomeFirst = data.First + len(data.Hits)
		data.Facets = facetViews(q, res.Facets)
		lang := s.requestStateOf(r).lang
		for i, t := range data.Facets[0].Values {
			data.Facets[0].Values[i].Label = s.i18n.T(lang, "search.type."+t.Label)
		}
		data.Pager = newPager("/search", q, res.Page, res.Pages(), false)
		fq := url.Values{}
		for k, v := range q {
			if k != "page" && k != "sort" {
				fq[k] = v
			}
		}
		data.FeedURL = "/search/feed?" + fq.Encode()
	}
	s.render(w, r, http.StatusOK, "search", data)
	return nil
}

// facetViews builds the filter links of the facets.
func facetViews(q url.Values, f search.Facets) []facetView {
	group := func(key, param string, terms []search.FacetTerm) facetView {
		fv := facetView{Key: key}
		for _, t := range terms {
			link := url.Values{}
			for k, v := range q {
				if k != "page" {
					link[k] = append([]string(nil), v...)
				}
			}
			selected := false
			for _, v := range q[param] {
				selected = selected || v == t.Value
			}
			if selected {
				var keep []string
				for _, v := range q[param] {
					if v != t.Value {
						keep = append(keep, v)
					}
				}
				link[param] = keep
			} else if param == "year" {
				link.Set(param, t.Value)
			} else {
				link.Add(param, t.Value)
			}
			fv.Values = append(fv.Values, facetValue{Label: t.Label, Count: t.Count, URL: "/search?" + link.Encode(), Selected: selected})
		}
		return fv
	}
	out := []facetView{group("type", "type", f.Types), group("org", "org", f.Orgs), group("year", "year", f.Years)}
	return out
}

// apiSearchResult is the JSON answer of /api/v1/search.
type apiSearchResult struct {
	Total   int                        `json:"total"`
	Page    int                        `json:"page"`
	PerPage int                        `json:"per_page"`
	Hits    []apiSearchHit             `json:"hits"`
	Facets  map[string][]apiFacetValue `json:"facets"`
	// DidYouMean is a spelling suggestion from public words, when nothing
	// was found.
	DidYouMean string `json:"did_you_mean,omitempty"`
	// SomeWords: no document has all the query's words; the hits have
	// some of them (search.Result.Some).
	SomeWords bool `json:"some_words,omitempty"`
	// AllWords is, with SomeWords, how many hits (from the first, over all
	// pages) have all the words: they come first (search.Result.All).
	AllWords int `json:"all_words,omitempty"`
}

type apiSearchHit struct {
	Type      string `json:"type"`
	ID        string `json:"id"`
	Title     string `json:"title"`
	URL       string `json:"url"`
	Snippet   string `json:"snippet"` // HTML: text escaped, matches in <mark>
	Reference string `json:"reference,omitempty"`
	Date      string `json:"date,omitempty"`
	// Match is, for a paper that stands for its matter (one result per
	// matter), the document of the matter that matched when that is not
	// the paper itself: an agenda item with its meeting, or a file.
	Match *apiSearchMatch `json:"match,omitempty"`
	// Consulted are the meetings the paper was discussed in ("beraten
	// in …"), oldest first.
	Consulted []apiConsulted `json:"consulted,omitempty"`
	// SomeWords marks a hit with only some of the query's words.
	SomeWords bool `json:"some_words,omitempty"`
	// Same are, for a paper that stands for identically titled papers
	// (one result for them all), the newest others, and SameTotal how
	// many others there are; /api/v1/search?same=<id> lists them all.
	Same      []apiSame `json:"same,omitempty"`
	SameTotal int       `json:"same_total,omitempty"`
}

// apiSame is a paper with the same title as the hit that lists it.
type apiSame struct {
	ID        string `json:"id"`
	Reference string `json:"reference,omitempty"`
	Date      string `json:"date,omitempty"` // a civil date
	URL       string `json:"url"`
}

// apiSearchMatch is the document of a matter that matched.
type apiSearchMatch struct {
	Type  string `json:"type"` // agenda_item or file
	ID    string `json:"id"`
	Title string `json:"title"` // the item's subject, the file's name
	URL   string `json:"url"`
	// Meeting is an agenda item's meeting (and a file's, when the file
	// is attached to an agenda item).
	Meeting *apiConsulted `json:"meeting,omitempty"`
}

// apiConsulted is a meeting that discussed a paper.
type apiConsulted struct {
	MeetingID string `json:"meeting_id"`
	Title     string `json:"title"`
	Date      string `json:"date,omitempty"` // RFC 3339, Europe/Berlin
	URL       string `json:"url"`
}

type apiFacetValue struct {
	Value string `json:"value"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

func (s *Server) searchAPI(w http.ResponseWriter, r *http.Request) error {
	res, _, err := s.runSearch(r)
	if err != nil {
		return err
	}
	base := site.BaseURL(s.opt.BaseURL, r)
	out := apiSearchResult{Total: res.Total, Page: res.Page, PerPage: res.PerPage, Hits: []apiSearchHit{}, DidYouMean: res.DidYouMean,
		SomeWords: res.Some, AllWords: res.All,
		Facets: map[string][]apiFacetValue{"type": {}, "organization": {}, "year": {}}}
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, apiHitOf(base, h))
	}
	for key, terms := range map[string][]search.FacetTerm{"type": res.Facets.Types, "organization": res.Facets.Orgs, "year": res.Facets.Years} {
		for _, t := range terms {
			out.Facets[key] = append(out.Facets[key], apiFacetValue{Value: t.Value, Label: t.Label, Count: t.Count})
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(out)
}

// apiHitOf is h for the JSON API; base is the site's URL.
func apiHitOf(base string, h search.Hit) apiSearchHit {
	ah := apiSearchHit{Type: string(h.Type), ID: h.ID.String(), Title: h.Title, URL: base + h.URL(),
		Snippet: h.SnippetHTML(), Reference: h.Reference, SomeWords: h.SomeWords}
	switch {
	case h.Date.IsZero():
	case h.DateOnly():
		ah.Date = h.Date.In(site.Berlin).Format(time.DateOnly) // a paper's or file's date is a civil date
	default:
		ah.Date = h.Date.In(site.Berlin).Format(time.RFC3339)
	}
	for _, c := range h.Consulted {
		ah.Consulted = append(ah.Consulted, apiConsultedOf(base, c))
	}
	for _, sm := range h.Same {
		as := apiSame{ID: sm.ID.String(), Reference: sm.Reference, URL: base + sm.URL()}
		if !sm.Date.IsZero() {
			as.Date = sm.Date.In(site.Berlin).Format(time.DateOnly)
		}
		ah.Same = append(ah.Same, as)
	}
	ah.SameTotal = h.SameTotal
	if m := h.Match; m != nil {
		am := &apiSearchMatch{Type: string(m.Type), ID: m.ID.String(), Title: m.Title, URL: base + m.URL()}
		item := m.ID // the agenda item that matched, or the one the matching file is attached to
		if m.Type == search.TypeFile {
			item = council.NilID
			if m.Parent == search.TypeAgendaItem {
				item = m.ParentID
			}
		}
		for _, c := range h.Consulted {
			if item != council.NilID && c.ItemID == item {
				mc := apiConsultedOf(base, c)
				am.Meeting = &mc
			}
		}
		ah.Match = am
	}
	return ah
}

// apiConsultedOf is c for the JSON API: its URL is the agenda item in
// its meeting.
func apiConsultedOf(base string, c search.Consulted) apiConsulted {
	out := apiConsulted{MeetingID: c.MeetingID.String(), Title: c.Title, URL: base + c.URL()}
	if !c.Date.IsZero() {
		out.Date = c.Date.In(site.Berlin).Format(time.RFC3339)
	}
	return out
}

// searchSuggest completes the last word of q from the words of public
// documents (GET /api/v1/search/suggest?q=…): a JSON array of completed
// queries, the same for every viewer.
func (s *Server) searchSuggest(w http.ResponseWriter, r *http.Request) error {
	ix := s.opt.SearchIndex()
	if ix == nil {
		return council.ErrUnavailable
	}
	q := r.URL.Query().Get("q")
	if len(q) > search.MaxQueryLen {
		return council.Invalidf("q must be at most %d bytes", search.MaxQueryLen)
	}
	out, err := ix.Suggest(r.Context(), q, search.MaxSuggestions)
	if err != nil {
		return err
	}
	if out == nil {
		out = []string{}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=60")
	return json.NewEncoder(w).Encode(out)
}
