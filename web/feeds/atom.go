package feeds

import (
	"encoding/xml"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/search"
	"github.com/plenar/plenar/web/site"
)

// Atom feeds (RFC 4287) of new papers, decisions and per organization,
// built with encoding/xml (which escapes text and drops nothing).

// atomEntries is how many entries a feed carries.
const atomEntries = 50

type atomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang      string      `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	ID        string      `xml:"id"`
	Title     atomText    `xml:"title"`
	Subtitle  *atomText   `xml:"subtitle,omitempty"`
	Updated   string      `xml:"updated"`
	Links     []atomLink  `xml:"link"`
	Author    atomPerson  `xml:"author"`
	Generator atomGen     `xml:"generator"`
	Rights    *atomText   `xml:"rights,omitempty"`
	Entries   []atomEntry `xml:"entry"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Body string `xml:",chardata"`
}

type atomLink struct {
	Rel      string `xml:"rel,attr,omitempty"`
	Type     string `xml:"type,attr,omitempty"`
	Href     string `xml:"href,attr"`
	HrefLang string `xml:"hreflang,attr,omitempty"`
	Title    string `xml:"title,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomGen struct {
	URI     string `xml:"uri,attr,omitempty"`
	Version string `xml:"version,attr,omitempty"`
	Name    string `xml:",chardata"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published,omitempty"`
	Links      []atomLink     `xml:"link"`
	Categories []atomCategory `xml:"category"`
	Summary    *atomText      `xml:"summary,omitempty"`
	Content    *atomText      `xml:"content,omitempty"`

	at time.Time // Updated as a time, for sorting
}

// atomTime formats an instant as an RFC 3339 date-time in German time.
func atomTime(t time.Time) string { return t.In(site.Berlin).Format(time.RFC3339) }

// atomBuilder holds what every feed of a request shares.
type atomBuilder struct {
	s    *Server
	r    *http.Request
	body council.Body
	base string
	lang string
}

func (s *Server) newAtom(r *http.Request) (atomBuilder, error) {
	body, err := s.council.MainBody(r.Context())
	if err != nil {
		return atomBuilder{}, err
	}
	return atomBuilder{s: s, r: r, body: body, base: s.baseURL(r), lang: s.opt.Lang(r)}, nil
}

func (a atomBuilder) t(key string, args ...any) string { return a.s.i18n.T(a.lang, key, args...) }

// tag returns a tag URI (RFC 4151) for a feed: unique per host and stable,
// dated by the creation of the body.
func (a atomBuilder) tag(path string) string {
	return "tag:" + a.s.feedHost(a.r) + "," + a.body.Created.In(site.Berlin).Format("2006-01-02") + ":" + path
}

// feed assembles a feed from entries (newest first, at most atomEntries)
// and writes it.
func (a atomBuilder) write(w http.ResponseWriter, path, title, subtitle, alternate string, entries []atomEntry) error {
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].at.After(entries[j].at) })
	if len(entries) > atomEntries {
		entries = entries[:atomEntries]
	}
	updated := a.body.Modified
	for _, e := range entries {
		if e.at.After(updated) {
			updated = e.at
		}
	}
	f := atomFeed{Lang: a.lang, ID: a.tag(path), Title: atomText{Body: title}, Updated: atomTime(updated),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: a.base + path},
			{Rel: "alternate", Type: "text/html", Href: a.base + alternate},
		},
		Author:    atomPerson{Name: a.body.Name, URI: a.body.Website},
		Generator: atomGen{URI: "https://github.com/plenar/plenar", Version: a.s.opt.Version, Name: "Plenar"},
		Entries:   entries}
	if subtitle != "" {
		f.Subtitle = &atomText{Body: subtitle}
	}
	if lic := licenseOf(a.body); lic.Name != "" {
		f.Rights = &atomText{Body: a.t("feeds.atom.rights", lic.Name, a.body.Name)}
	}
	b, err := xml.MarshalIndent(f, "", " ")
	if err != nil {
		return err
	}
	doc := make([]byte, 0, len(xml.Header)+len(b)+1)
	doc = append(append(append(doc, xml.Header...), b...), '\n')
	serveFeed(w, a.r, "application/atom+xml; charset=utf-8", "", doc)
	return nil
}

func (s *Server) atomPapers(w http.ResponseWriter, r *http.Request) error {
	a, err := s.newAtom(r)
	if err != nil {
		return err
	}
	papers, _, err := s.council.Papers(r.Context(), council.PaperFilter{BodyID: a.body.ID, OnlyPublic: true, Limit: atomEntries})
	if err != nil {
		return err
	}
	entries := make([]atomEntry, 0, len(papers))
	for _, p := range papers { // OnlyPublic: paper_published, deleted ones left out
		entries = append(entries, a.paperEntry(p))
	}
	return a.write(w, "/papers.atom", a.t("feeds.atom.papers", a.body.Name), a.t("feeds.atom.papers_sub"), "/papers", entries)
}

func (a atomBuilder) paperEntry(p council.Paper) atomEntry {
	title := p.Name
	if p.Reference != "" {
		title = p.Reference + ": " + p.Name
	}
	published := p.Created
	if !p.Date.IsZero() {
		y, m, d := p.Date.Date()
		published = time.Date(y, m, d, 0, 0, 0, 0, site.Berlin)
	}
	e := atomEntry{ID: "urn:uuid:" + p.ID.String(), Title: atomText{Body: title},
		Updated: atomTime(p.Modified), Published: atomTime(published), at: p.Modified,
		Links:      []atomLink{{Rel: "alternate", Type: "text/html", Href: a.base + "/papers/" + p.ID.String()}},
		Categories: []atomCategory{{Term: string(p.Type), Label: a.t("type." + string(p.Type))}},
		Summary:    &atomText{Body: a.t("type."+string(p.Type)) + " · " + a.t("status."+string(p.Status))}}
	if text := strings.TrimSpace(p.Text); text != "" {
		e.Content = &atomText{Type: "text", Body: text}
	}
	return e
}

func (s *Server) atomDecisions(w http.ResponseWriter, r *http.Request) error {
	a, err := s.newAtom(r)
	if err != nil {
		return err
	}
	ds, err := s.meetings.PublicDecisions(r.Context(), a.body.ID, atomEntries)
	if err != nil {
		return err
	}
	entries := make([]atomEntry, 0, len(ds))
	for _, d := range ds {
		if e, ok := a.decisionEntry(d); ok {
			entries = append(entries, e)
		}
	}
	return a.write(w, "/decisions.atom", a.t("feeds.atom.decisions", a.body.Name), a.t("feeds.atom.decisions_sub"), "/", entries)
}

// decisionEntry renders a decision; ok is false for anything the public
// may not see (PublicDecisions returns none such; ForViewer double-checks).
func (a atomBuilder) decisionEntry(d meetings.Decision) (atomEntry, bool) {
	it, ok := d.Item.ForViewer(council.Public, nil)
	if !ok || !it.Public {
		return atomEntry{}, false
	}
	title := it.Name
	if it.PaperReference != "" {
		title = it.PaperReference + ": " + it.Name
	}
	meeting := a.base + "/meetings/" + it.MeetingID.String()
	e := atomEntry{ID: "urn:uuid:" + it.ID.String(), Title: atomText{Body: title},
		Updated: atomTime(it.Modified), Published: atomTime(d.MeetingStart), at: it.Modified,
		Links:      []atomLink{{Rel: "alternate", Type: "text/html", Href: meeting}},
		Categories: []atomCategory{{Term: "decision", Label: a.t("feeds.atom.decision")}},
		Summary: &atomText{Body: a.t("feeds.atom.decision_summary", it.Result, d.MeetingName,
			d.MeetingStart.In(site.Berlin).Format("02.01.2006"))}}
	if it.PaperID != council.NilID {
		e.Links = append(e.Links, atomLink{Rel: "related", Type: "text/html", Href: a.base + "/papers/" + it.PaperID.String()})
	}
	if text := strings.TrimSpace(it.ResolutionText); text != "" {
		e.Content = &atomText{Type: "text", Body: text}
	}
	return e, true
}

func (s *Server) atomOrg(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, err := s.newAtom(r)
	if err != nil {
		return err
	}
	o, err := s.feedOrg(ctx, r, a.body.ID)
	if err != nil {
		return err
	}
	ms, err := s.meetings.Meetings(ctx, meetings.Filter{BodyID: a.body.ID, OrganizationID: o.ID, Descending: true, Limit: atomEntries})
	if err != nil {
		return err
	}
	var ids []council.ID
	for _, m := range ms {
		if m.AgendaPublished() && !m.Cancelled {
			ids = append(ids, m.ID)
		}
	}
	agendas, err := s.meetings.Agendas(ctx, ids)
	if err != nil {
		return err
	}
	ds, err := s.meetings.PublicDecisionsOf(ctx, a.body.ID, o.ID, atomEntries)
	if err != nil {
		return err
	}
	dir, err := s.directory(ctx, a.body.ID)
	if err != nil {
		return err
	}
	entries := make([]atomEntry, 0, len(ms)+len(ds))
	for _, m := range ms {
		entries = append(entries, a.meetingEntry(m, dir, publicAgenda(agendas[m.ID], m.Organizations)))
	}
	for _, d := range ds {
		if e, ok := a.decisionEntry(d); ok {
			entries = append(entries, e)
		}
	}
	path := "/bodies/" + o.ID.String()
	return a.write(w, path+"/feed.atom", a.t("feeds.atom.org", o.Name), a.t("feeds.atom.org_sub"), path, entries)
}

func (a atomBuilder) meetingEntry(m meetings.Meeting, dir site.Directory, agenda []meetings.AgendaItem) atomEntry {
	start := m.Start.In(site.Berlin)
	title := a.t("feeds.atom.meeting_title", m.Name, start.Format("02.01.2006"))
	if m.Cancelled {
		title += " – " + a.t("feeds.cancelled")
	}
	summary := []string{a.t("feeds.atom.meeting_when", start.Format("02.01.2006, 15:04"))}
	if place := dir.Place(m.LocationID); place != "" {
		summary = append(summary, a.t("feeds.atom.meeting_where", place))
	}
	summary = append(summary, a.t("state."+string(m.State)))
	e := atomEntry{ID: "urn:uuid:" + m.ID.String(), Title: atomText{Body: title},
		Updated: atomTime(m.Modified), Published: atomTime(m.Created), at: m.Modified,
		Links:      []atomLink{{Rel: "alternate", Type: "text/html", Href: a.base + "/meetings/" + m.ID.String()}},
		Categories: []atomCategory{{Term: "meeting", Label: a.t("feeds.atom.meeting")}},
		Summary:    &atomText{Body: strings.Join(summary, " · ")}}
	if len(agenda) > 0 {
		lines := []string{a.t("feeds.ics.agenda")}
		for _, it := range agenda {
			line := strings.TrimSpace(it.Number + " " + it.Name)
			if it.Result != "" {
				line += " – " + it.Result
			}
			lines = append(lines, line)
		}
		e.Content = &atomText{Type: "text", Body: strings.Join(lines, "\n")}
	}
	return e
}

// searchFeed is an Atom feed of the newest hits of a search, for
// following a topic without an account. Feeds are anonymous: they show
// only public documents whoever fetches them.
func (s *Server) searchFeed(w http.ResponseWriter, r *http.Request) error {
	sr, err := s.searcher()
	if err != nil {
		return err
	}
	req, err := site.SearchRequest(r.URL.Query())
	if err != nil {
		return err
	}
	req.Sort, req.Page, req.PerPage, req.SameLimit = search.SortNewest, 1, atomEntries, atomEntries
	res, err := sr.Search(r.Context(), council.Public, req)
	if err != nil {
		return err
	}
	a, err := s.newAtom(r)
	if err != nil {
		return err
	}
	var entries []atomEntry
	for _, h := range res.Hits {
		at := h.Date
		if at.IsZero() {
			at = a.body.Created
		}
		e := atomEntry{ID: a.tag(h.URL()), Title: atomText{Body: h.Title}, Updated: atomTime(at), at: at,
			Links:      []atomLink{{Rel: "alternate", Type: "text/html", Href: a.base + h.URL()}},
			Categories: []atomCategory{{Term: string(h.Type), Label: a.t("search.type." + string(h.Type))}}}
		if txt := h.SnippetText(); txt != "" {
			e.Summary = &atomText{Body: txt}
		}
		entries = append(entries, e)
		// Identically titled papers are one result; each is an entry.
		for _, sm := range h.Same {
			at := sm.Date
			if at.IsZero() {
				at = a.body.Created
			}
			entries = append(entries, atomEntry{ID: a.tag(sm.URL()), Title: atomText{Body: h.Title}, Updated: atomTime(at), at: at,
				Links:      []atomLink{{Rel: "alternate", Type: "text/html", Href: a.base + sm.URL()}},
				Categories: e.Categories})
		}
	}
	slices.SortStableFunc(entries, func(x, y atomEntry) int { return y.at.Compare(x.at) })
	entries = entries[:min(len(entries), atomEntries)]
	q := r.URL.Query()
	q.Del("page")
	path := "/search/feed?" + q.Encode()
	return a.write(w, path, a.t("search.feed.title", req.Query), "", "/search?"+q.Encode(), entries)
}
