package search

import (
	"context"
	"fmt"
	"html"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/search/internal/scorch"
)

// maxFacetTerms bounds the values counted in the field facet (types,
// years and organizations together).
const maxFacetTerms = 2000

// Facet sizes shown.
const (
	maxOrgFacets  = 15
	maxYearFacets = 30
)

// Paging limits.
const (
	DefaultPerPage = 20
	MaxPerPage     = 100
	MaxOffset      = 100000 // deepest hit a page may start at
	searchTimeout  = 5 * time.Second
)

// Sort orders of a result.
type Sort string

// Sort orders.
const (
	SortRelevance Sort = ""
	SortNewest    Sort = "date"
	SortOldest    Sort = "date_asc"
)

// Request is one search. The zero values of the filters mean "any".
type Request struct {
	Query    string
	Types    []Type
	Orgs     []council.ID
	Person   council.ID
	Status   string
	From, To time.Time // civil dates, inclusive
	Year     string
	Sort     Sort
	Page     int // 1-based; 0 means 1
	PerPage  int // 0 means DefaultPerPage
	// Ungrouped lists every matching document; by default a matter's
	// paper, agenda items and files are one result (matter.go).
	Ungrouped bool
	// Same lists the papers titled like paper Same (same.go), newest
	// first unless Sort says otherwise; with Query, those that match it.
	Same council.ID
	// SameLimit is how many identically titled papers a result lists
	// (Hit.Same), at most MaxPerPage; 0 means MaxSame. Feeds and alerts,
	// which must not miss a paper, ask for as many as they show.
	SameLimit int
	// same is the filter of Same, set by Searcher.Search.
	same query.Query
}

// Result is one page of hits with the total and facets over all hits the
// viewer may see.
type Result struct {
	Total  int
	Hits   []Hit
	Facets Facets
	Parsed Parsed
	Page   int
	// DidYouMean is a spelling suggestion when nothing was found, built
	// from the words of public documents only; "" when there is none.
	DidYouMean string
	PerPage    int
	// Some reports that few or no documents have all the words of a
	// multi-word query, and the hits are those with all of them (All),
	// then those with some of them, most first; the search page says so.
	Some bool
	// All is, when Some, how many hits (from the first, over all pages)
	// have all the words; 0: none has.
	All int
}

// Pages is the number of pages of the result.
func (r Result) Pages() int { return (r.Total + r.PerPage - 1) / max(r.PerPage, 1) }

// Hit is one found document.
type Hit struct {
	Type Type
	ID   council.ID
	// Parent and ParentID name what a file is attached to (a paper, a
	// meeting or an agenda item); "" for other types.
	Parent    Type
	ParentID  council.ID
	MeetingID council.ID // agenda items, and files attached to one
	Title     string
	Reference string
	Status    string
	Date      time.Time
	Snippet   []Segment
	// matter is the index id of the hit's matter (Doc.Matter).
	matter string
	// Match is, for a paper that stands for its matter, the document of
	// the matter that matched best when that is not the paper itself (an
	// agenda item or a file; its Title names it); nil otherwise.
	Match *Hit
	// Consulted are the meetings that consulted a paper, those whose
	// agenda item the viewer may see ("beraten in …"), oldest first.
	Consulted []Consulted
	// SomeWords marks, when Result.Some, a hit with only some of the
	// query's words.
	SomeWords bool
	// group is the hit's group key (Doc.Group).
	group string
	// Same are, for a paper that stands for identically titled papers,
	// the newest others (at most MaxSame), and SameTotal how many others
	// there are in all (same.go).
	Same      []Same
	SameTotal int
	// sameIDs and sameN are Same and SameTotal as the index has them;
	// papersAlike is how many papers of the hit's group matched.
	sameIDs     []council.ID
	sameN       int
	papersAlike int
}

// Consulted is a meeting that consulted a paper.
type Consulted struct {
	MeetingID council.ID
	ItemID    council.ID
	Title     string // the meeting's
	Date      time.Time
}

// URL is the path of the agenda item in its meeting.
func (c Consulted) URL() string {
	return "/meetings/" + c.MeetingID.String() + "#item-" + c.ItemID.String()
}

// Segment is a piece of a snippet; Mark pieces matched the query.
type Segment struct {
	Text string
	Mark bool
}

// URL is the path of the hit's page.
func (h Hit) URL() string {
	switch h.Type {
	case TypePaper:
		return "/papers/" + h.ID.String()
	case TypeAgendaItem:
		return "/meetings/" + h.MeetingID.String() + "#item-" + h.ID.String()
	case TypeMeeting:
		return "/meetings/" + h.ID.String()
	case TypePerson:
		return "/persons/" + h.ID.String()
	case TypeFile:
		// The page the file is listed on; the portal authorises there.
		switch h.Parent {
		case TypePaper:
			return "/papers/" + h.ParentID.String()
		case TypeMeeting:
			return "/meetings/" + h.ParentID.String()
		case TypeAgendaItem:
			return "/meetings/" + h.MeetingID.String() + "#item-" + h.ParentID.String()
		}
		return "/files/" + h.ID.String()
	default:
		return "/bodies/" + h.ID.String()
	}
}

// DateOnly reports whether h's date is a civil date without a time of
// day (papers and files), to be shown and serialised as a date.
func (h Hit) DateOnly() bool { return h.Type == TypePaper || h.Type == TypeFile }

// SnippetHTML is the snippet as HTML: text escaped, matches in <mark>.
func (h Hit) SnippetHTML() string {
	var b strings.Builder
	for _, s := range h.Snippet {
		if s.Mark {
			b.WriteString("<mark>" + html.EscapeString(s.Text) + "</mark>")
		} else {
			b.WriteString(html.EscapeString(s.Text))
		}
	}
	return b.String()
}

// SnippetText is the snippet without marks.
func (h Hit) SnippetText() string {
	var b strings.Builder
	for _, s := range h.Snippet {
		b.WriteString(s.Text)
	}
	return b.String()
}

// Facets count the hits by type, organization and year.
type Facets struct {
	Types []FacetTerm
	Orgs  []FacetTerm
	Years []FacetTerm
}

// FacetTerm is one value of a facet; Label is the organization's name
// (types and years label themselves).
type FacetTerm struct {
	Value string
	Label string
	Count int
}

// Searcher answers searches over an Index, checking hits against
// PostgreSQL before it returns them.
type Searcher struct {
	ix *Index
	db council.DBTX
}

// NewSearcher returns a Searcher on ix that re-reads hits from db.
func NewSearcher(ix *Index, db council.DBTX) *Searcher { return &Searcher{ix: ix, db: db} }

// Search runs req for viewer v. Only documents v may see count, in hits,
// the total and the facets. Errors: council.ErrInvalid (a page beyond
// MaxOffset, unknown filter values), council.ErrUnavailable (no index yet).
func (s *Searcher) Search(ctx context.Context, v council.Viewer, req Request) (Result, error) {
	page, perPage, from, err := req.paging()
	if err != nil {
		return Result{}, err
	}
	res := Result{Parsed: Parse(req.Query), Page: page, PerPage: perPage}
	if req.Same != council.NilID {
		if req.same, err = s.sameFilter(ctx, req.Same); err != nil {
			return Result{}, err
		}
	}
	var pg *IndexPage
	var sr *scorch.Found
	err = s.ix.with(func(bi bleve.Index, _ string) error {
		var err error
		if pg, sr, err = s.ix.find(ctx, bi, v, req, res.Parsed, perPage, from); err != nil {
			return err
		}
		if (sr.Total == 0 || pg.Some) && !res.Parsed.Empty() {
			res.DidYouMean = didYouMean(bi, res.Parsed)
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	res.Total, res.Some, res.All = pg.Total, pg.Some, pg.All
	if res.Hits, err = s.recheck(ctx, v, pg.Hits, pg.mk); err != nil {
		return Result{}, err
	}
	if err := s.sameTitled(ctx, v, res.Hits); err != nil {
		return Result{}, err
	}
	if res.Facets, err = s.facets(ctx, sr); err != nil {
		return Result{}, err
	}
	return res, nil
}

// paging returns the page of req, its hits per page and the offset of
// its first hit. Errors: council.ErrInvalid (a page beyond MaxOffset).
func (req Request) paging() (page, perPage, from int, err error) {
	page, perPage = max(req.Page, 1), req.PerPage
	if perPage <= 0 {
		perPage = DefaultPerPage
	}
	perPage = min(perPage, MaxPerPage)
	from = (page - 1) * perPage
	if req.Page < 0 || from > MaxOffset {
		return 0, 0, 0, council.Invalidf("page must be between 1 and %d", MaxOffset/perPage+1)
	}
	return page, perPage, from, nil
}

// IndexPage is one page of hits as the index has them, before
// Searcher.Search re-checks them against PostgreSQL.
type IndexPage struct {
	Total int   // hits v may see, as indexed
	Hits  []Hit // titles as indexed, without snippets
	Some  bool  // as Result.Some
	All   int   // as Result.All
	mk    *marker
}

// Snippet cuts a snippet from text, a hit's text (its first RecheckText
// characters suffice), with the words the query matched marked.
func (pg *IndexPage) Snippet(text string) []Segment { return pg.mk.snippet(text) }

// Find runs req for v on the index alone: the part of Searcher.Search
// that the index answers, which the benchmark times apart from reading
// texts. It neither re-checks the hits against PostgreSQL, which drops
// those whose visibility changed since they were indexed, nor labels
// facets or suggests spellings: only Search's results may be shown to a
// viewer. Errors: as Search.
func (x *Index) Find(ctx context.Context, v council.Viewer, req Request) (*IndexPage, error) {
	_, perPage, from, err := req.paging()
	if err != nil {
		return nil, err
	}
	p := Parse(req.Query)
	var pg *IndexPage
	err = x.with(func(bi bleve.Index, _ string) error {
		var err error
		pg, _, err = x.find(ctx, bi, v, req, p, perPage, from)
		return err
	})
	return pg, err
}

// find runs one page of req (parsed: p) for v on bi, x's serving
// generation (read-locked by the caller): the page's hits, the facet
// counts, and the marker of the words the query matched.
func (x *Index) find(ctx context.Context, bi bleve.Index, v council.Viewer, req Request, p Parsed, size, from int) (*IndexPage, *scorch.Found, error) {
	sr, typos, some, all, err := x.bleveSearch(ctx, bi, v, req, p, size, from)
	if err != nil {
		return nil, nil, err
	}
	pg := &IndexPage{Total: sr.Total, Some: some, All: all, mk: newMarker(bi, p, typos)}
	papers := !req.Ungrouped && (len(req.Types) == 0 || slices.Contains(req.Types, TypePaper))
	for i, dm := range sr.Hits {
		if h, ok := hitOf(dm.ID, dm.Fields); ok {
			h.SomeWords = some && from+i >= all
			h.papersAlike = dm.Count
			if papers {
				h = h.asMatter()
			}
			pg.Hits = append(pg.Hits, h)
		}
	}
	if !req.Ungrouped && req.same == nil {
		if err := x.sameOnPage(ctx, bi, v, req, pg.Hits); err != nil {
			return nil, nil, err
		}
	}
	return pg, sr, nil
}

// bleveSearch runs one page of req for v on bi: the query, the
// visibility and request filters, and facets. typos are the dictionary
// terms misspelt words expanded to when the typo-tolerant query ran;
// some reports that fewer than fuzzyBelow documents had all of a
// multi-word query's words and the hits are those, all of them first
// (the first all hits: none when 0), then those with some of the words
// (Result.Some). Sorted by date, documents with some of the words come
// only when none has all.
func (x *Index) bleveSearch(ctx context.Context, bi bleve.Index, v council.Viewer, req Request, p Parsed, size, from int) (sr *scorch.Found, typos []string, some bool, all int, err error) {
	var w widening
	sr, err = x.bleveSearchOnce(ctx, bi, v, req, p, size, from, w)
	if err != nil || sr.Total >= fuzzyBelow {
		return sr, nil, false, 0, err
	}
	if p.hasFuzzyWord() {
		if w.typos, err = expandTypos(ctx, bi, x.segs, v, p); err != nil {
			return nil, nil, false, 0, err
		}
	}
	if w.parts = p.hasCompoundWord(); w.parts || len(w.typos) > 0 {
		if sr, err = x.bleveSearchOnce(ctx, bi, v, req, p, size, from, w); err != nil {
			return nil, nil, false, 0, err
		}
		typos = w.typos.terms()
	}
	if len(p.Groups) < 2 || sr.Total >= fuzzyBelow || sr.Total > 0 && req.Sort != SortRelevance {
		return sr, typos, false, 0, nil
	}
	w.some, w.allFirst = true, sr.Total > 0
	wide, err := x.bleveSearchOnce(ctx, bi, v, req, p, size, from, w)
	if err != nil {
		return nil, nil, false, 0, err
	}
	if wide.Total <= sr.Total {
		return sr, typos, false, 0, nil
	}
	return wide, typos, true, sr.Total, nil
}

// fuzzyBelow: with fewer exact hits, a search is repeated with typo
// tolerance.
const fuzzyBelow = 10

// hasCompoundWord reports whether p has a word long enough to be a
// compound of parts (compoundAlts).
func (p Parsed) hasCompoundWord() bool {
	for _, g := range p.Groups {
		for _, t := range g {
			if !t.Phrase && !t.Prefix && utf8.RuneCountInString(t.Text) >= minCompound {
				return true
			}
		}
	}
	return false
}

// hasFuzzyWord reports whether p has a word that typo tolerance applies
// to (five letters or more).
func (p Parsed) hasFuzzyWord() bool {
	for _, g := range p.Groups {
		for _, t := range g {
			if !t.Phrase && !t.Prefix && len([]rune(t.Text)) >= 5 {
				return true
			}
		}
	}
	return false
}

func (x *Index) bleveSearchOnce(ctx context.Context, bi bleve.Index, v council.Viewer, req Request, p Parsed, size, from int, w widening) (*scorch.Found, error) {
	q, err := compile(bi.Mapping(), p, w, x.synonymsFor(bi.Mapping()))
	if err != nil {
		return nil, err
	}
	filter, publicOnly, err := x.viewerFilter(v, req)
	if err != nil {
		return nil, err
	}
	bq := bleve.NewBooleanQuery()
	bq.AddMust(q)
	if filter != nil {
		bq.AddFilter(filter)
	}
	order := scorch.ByScore
	switch {
	case req.Sort == SortNewest || req.Sort == SortRelevance && p.Empty():
		order = scorch.Newest
	case req.Sort == SortOldest:
		order = scorch.Oldest
	case req.Sort != SortRelevance:
		return nil, council.Invalidf("sort must be relevance, date or date_asc, not %q", string(req.Sort))
	}
	ctx, cancel := context.WithTimeout(ctx, searchTimeout)
	defer cancel()
	return scorch.Collect(ctx, bi, x.segs, bq, scorch.Page{Order: order, Size: size, From: from, PublicOnly: publicOnly, Collapse: !req.Ungrouped && req.same == nil, Count: facetType + string(TypePaper)})
}

// viewerFilter is the filter of req for v and whether only public
// documents count: for the public, scorch.Collect drops what is not
// public itself (Page.PublicOnly), and the filter has only the request's.
func (x *Index) viewerFilter(v council.Viewer, req Request) (query.Query, bool, error) {
	if seesOnlyPublic(v) {
		f, err := requestFilters(req, x.zone)
		return f, true, err
	}
	f, err := filters(v, req, x.zone)
	return f, false, err
}

// filters is the non-scoring filter of a request: the viewer's visibility
// and the request's filters, all of which must hold. zone is the zone of
// civil dates.
func filters(v council.Viewer, req Request, zone *time.Location) (query.Query, error) {
	rq, err := requestFilters(req, zone)
	if err != nil {
		return nil, err
	}
	vq := visibility(v)
	switch {
	case vq == nil:
		return rq, nil
	case rq == nil:
		return vq, nil
	}
	return bleve.NewConjunctionQuery(vq, rq), nil
}

// requestFilters is the non-scoring filter of the request's filters
// (type, body, person, status, year, dates), nil when it has none. zone
// is the zone of civil dates.
func requestFilters(req Request, zone *time.Location) (query.Query, error) {
	var all []query.Query
	if len(req.Types) > 0 {
		var qs []query.Query
		for _, t := range req.Types {
			if !t.Valid() {
				return nil, council.Invalidf("unknown type %q", string(t))
			}
			qs = append(qs, kwTerm("type", string(t)))
		}
		all = append(all, bleve.NewDisjunctionQuery(qs...))
	}
	if len(req.Orgs) > 0 {
		var qs []query.Query
		for _, o := range req.Orgs {
			qs = append(qs, kwTerm("orgs", o.String()))
		}
		all = append(all, bleve.NewDisjunctionQuery(qs...))
	}
	if req.Person != council.NilID {
		all = append(all, kwTerm("persons", req.Person.String()))
	}
	if req.Status != "" {
		if !council.PaperStatus(req.Status).Valid() {
			return nil, council.Invalidf("unknown status %q", req.Status)
		}
		all = append(all, kwTerm("status", req.Status))
	}
	if req.Year != "" {
		all = append(all, kwTerm("year", req.Year))
	}
	if req.same != nil {
		all = append(all, req.same)
	}
	if !req.From.IsZero() || !req.To.IsZero() {
		if !req.From.IsZero() && !req.To.IsZero() && req.To.Before(req.From) {
			return nil, council.Invalidf("the end date is before the start date")
		}
		var start, end time.Time
		if !req.From.IsZero() {
			start = civil(req.From, zone)
		}
		if !req.To.IsZero() {
			end = civil(req.To, zone).AddDate(0, 0, 1)
		}
		all = append(all, bleve.NewDateRangeQuery(start, end))
	}
	switch len(all) {
	case 0:
		return nil, nil
	case 1:
		return all[0], nil
	}
	return bleve.NewConjunctionQuery(all...), nil
}

// civil is the start of day t in zone (Germany's).
func civil(t time.Time, zone *time.Location) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, zone)
}

// hitOf builds a Hit from a bleve match; the snippet comes later.
func hitOf(id string, fields map[string]interface{}) (Hit, bool) {
	t, uid, ok := parseDocID(id)
	if !ok {
		return Hit{}, false
	}
	h := Hit{Type: t, ID: uid}
	str := func(k string) string { s, _ := fields[k].(string); return s }
	h.Title, h.Reference, h.Status, h.matter, h.group = str("title"), str("reference"), str("status"), str("matter"), str("group")
	h.setParent(str("parent"), str("meeting"))
	if d, err := time.Parse(time.RFC3339, str("date")); err == nil && d.Year() > 1 {
		h.Date = d
	}
	return h, true
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// setParent fills the parent fields from the index fields parent and
// meeting (see Doc.Parent).
func (h *Hit) setParent(parent, meeting string) {
	if h.Type == TypeAgendaItem {
		if p, err := council.ParseID(parent); err == nil {
			h.MeetingID = p
		}
		return
	}
	if h.Type != TypeFile {
		return
	}
	if t, id, ok := parseDocID(parent); ok {
		h.Parent, h.ParentID = t, id
	}
	if m, err := council.ParseID(meeting); err == nil {
		h.MeetingID = m
	}
}

// recheck re-reads the hits from PostgreSQL and drops those v may no
// longer see (a change the indexer has not applied yet); titles follow
// the database, and snippets are cut from the text read (mk marks the
// matches; nil: the text's start). A paper that stands for its matter
// and that v may not see gives way to its Match, when v may see that;
// a Match v may not see is dropped. Papers get the meetings that
// consulted them (consultations).
func (s *Searcher) recheck(ctx context.Context, v council.Viewer, hits []Hit, mk *marker) ([]Hit, error) {
	if len(hits) == 0 {
		return hits, nil
	}
	byType := map[Type][]council.ID{}
	for _, h := range hits {
		byType[h.Type] = append(byType[h.Type], h.ID)
		if h.Match != nil {
			byType[h.Match.Type] = append(byType[h.Match.Type], h.Match.ID)
		}
	}
	current := map[string]Doc{}
	for t, ids := range byType {
		l, err := load(ctx, s.db, s.ix.zone, t, ids, RecheckText)
		if err != nil {
			return nil, err
		}
		for _, d := range l.docs {
			current[d.ID] = d
		}
	}
	seen := func(h Hit) (Doc, bool) {
		d, ok := current[DocID(h.Type, h.ID)]
		return d, ok && visible(v, d)
	}
	out := hits[:0]
	var papers []council.ID
	for _, h := range hits {
		d, ok := seen(h)
		if h.Match != nil {
			m := *h.Match
			md, mok := seen(m)
			switch {
			case !ok && !mok:
				continue
			case !ok:
				h, d, ok = m, md, true
			case !mok:
				h.Match = nil
			default:
				m.Title = md.Title
				m.setParent(md.Parent, md.Meeting)
				h.Match = &m
				if m.Type == TypeFile {
					d.Text = md.Text // the file's text matched: the snippet comes from it
				}
			}
		}
		if !ok {
			continue
		}
		h.Title, h.Reference, h.Status = d.Title, d.Reference, d.Status
		if !d.Date.IsZero() {
			h.Date = d.Date
		}
		h.setParent(d.Parent, d.Meeting)
		if h.Type != TypeMeeting { // a meeting's text is its day, shown anyway
			h.Snippet = mk.snippet(d.Text)
		}
		if h.Type == TypePaper {
			papers = append(papers, h.ID)
		}
		out = append(out, h)
	}
	consulted, err := s.consultations(ctx, v, papers)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Type == TypePaper {
			out[i].Consulted = consulted[out[i].ID]
		}
	}
	return out, nil
}

// splitFacets splits the counts of the field facet into types, years
// (newest first) and organizations (most hits first), each sorted by
// count as scorch.Collect returns them.
func splitFacets(sr *scorch.Found) Facets {
	var f Facets
	for _, t := range sr.Facets {
		switch {
		case strings.HasPrefix(t.Term, facetType):
			v := t.Term[len(facetType):]
			f.Types = append(f.Types, FacetTerm{Value: v, Label: v, Count: t.Count})
		case strings.HasPrefix(t.Term, facetYear) && len(f.Years) < maxYearFacets:
			v := t.Term[len(facetYear):]
			f.Years = append(f.Years, FacetTerm{Value: v, Label: v, Count: t.Count})
		case strings.HasPrefix(t.Term, facetOrg) && len(f.Orgs) < maxOrgFacets:
			v := t.Term[len(facetOrg):]
			f.Orgs = append(f.Orgs, FacetTerm{Value: v, Label: v, Count: t.Count})
		}
	}
	sort.Slice(f.Years, func(i, j int) bool { return f.Years[i].Value > f.Years[j].Value })
	return f
}

// facets turns the facet counts into Facets, with organization
// names read from PostgreSQL.
func (s *Searcher) facets(ctx context.Context, sr *scorch.Found) (Facets, error) {
	f := splitFacets(sr)
	if len(f.Orgs) == 0 {
		return f, nil
	}
	ids := make([]string, len(f.Orgs))
	for i, t := range f.Orgs {
		ids[i] = t.Value
	}
	rows, err := s.db.Query(ctx, `SELECT id::text, name FROM organizations WHERE id::text = ANY($1) AND NOT deleted`, ids)
	if err != nil {
		return Facets{}, fmt.Errorf("facet names: %w", council.TranslateError(err))
	}
	defer rows.Close()
	names := map[string]string{}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return Facets{}, fmt.Errorf("facet names: %w", err)
		}
		names[id] = name
	}
	if err := rows.Err(); err != nil {
		return Facets{}, fmt.Errorf("facet names: %w", err)
	}
	f.Orgs = slices.DeleteFunc(f.Orgs, func(t FacetTerm) bool { return names[t.Value] == "" })
	for i := range f.Orgs {
		f.Orgs[i].Label = names[f.Orgs[i].Value]
	}
	return f, nil
}
