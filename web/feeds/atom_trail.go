package feeds

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/web/site"
)

// atomTrail is the Atom feed of the status changes of the public
// implementation records (Beschlusskontrolle, docs/DOMAIN.md,
// "Beschlusskontrolle"), optionally of the decisions of one body
// (?body=<organization id>). Feeds are anonymous: only public records
// (implementation_public) whoever fetches them.
func (s *Server) atomTrail(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, err := s.newAtom(r)
	if err != nil {
		return err
	}
	path, alternate, title := "/beschlusskontrolle.atom", "/beschlusskontrolle", a.t("feeds.atom.trail", a.body.Name)
	org := council.NilID
	if v := r.URL.Query().Get("body"); v != "" {
		id, err := council.ParseID(v)
		if err != nil {
			return council.Invalidf("body must be an organization id, not %q", v)
		}
		o, err := s.council.Organization(ctx, id)
		if err != nil {
			return site.HideMissing(err, "organization", id)
		}
		if o.Deleted || o.BodyID != a.body.ID {
			return site.NotFound("organization", id)
		}
		org = o.ID
		q := url.Values{"body": {o.ID.String()}}.Encode()
		path, alternate, title = path+"?"+q, alternate+"?"+q, a.t("feeds.atom.trail_org", o.Name)
	}
	changes, err := s.council.PublicImplementationChanges(ctx, a.body.ID, org, atomEntries)
	if err != nil {
		return err
	}
	entries := make([]atomEntry, 0, len(changes))
	for _, c := range changes {
		entries = append(entries, a.trailEntry(c))
	}
	return a.write(w, path, title, a.t("feeds.atom.trail_sub"), alternate, entries)
}

func (a atomBuilder) trailEntry(c council.ImplementationChange) atomEntry {
	name := c.PaperName
	if c.PaperReference != "" {
		name = c.PaperReference + ": " + c.PaperName
	}
	status := a.t("impl.status." + string(c.Status))
	key := "feeds.atom.trail_changed"
	if c.First {
		key = "feeds.atom.trail_recorded"
	}
	summary := []string{a.t(key, status)}
	if c.Reason != "" {
		summary = append(summary, a.t("feeds.atom.trail_reason", c.Reason))
	}
	if c.Office != "" {
		summary = append(summary, a.t("feeds.atom.trail_office", c.Office))
	}
	if !c.Due.IsZero() {
		summary = append(summary, a.t("feeds.atom.trail_due", c.Due.Format("02.01.2006")))
	}
	paper := a.base + "/papers/" + c.PaperID.String()
	return atomEntry{ID: a.tag("implementation/" + c.ImplementationID.String() + "/" + c.At.UTC().Format("20060102T150405.000000Z")),
		Title: atomText{Body: name + " – " + status}, Updated: atomTime(c.At), Published: atomTime(c.At), at: c.At,
		Links:      []atomLink{{Rel: "alternate", Type: "text/html", Href: paper + "#umsetzung"}},
		Categories: []atomCategory{{Term: string(c.Status), Label: status}},
		Summary:    &atomText{Body: strings.Join(summary, " · ")}}
}
