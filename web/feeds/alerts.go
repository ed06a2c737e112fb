package feeds

import (
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/alerts"
	"github.com/plenar/plenar/web/site"
)

// The Atom feeds of the alerts (docs/ARCHITECTURE.md, "Alerts"): the
// public news of a paper and of a person (a body's is /bodies/{id}/feed.atom,
// a search's /search/feed), and the private feed of a user's follows at an
// address with a revocable token. All read council/alerts, whose news
// passes the public visibility rules in SQL.

// newsWindow is how far back the alert feeds look.
const newsWindow = 90 * 24 * time.Hour

func (s *Server) alertRoutes(get func(string, http.HandlerFunc)) {
	get("/papers/{id}/feed.atom", s.h(s.atomTarget(alerts.Paper, "/papers/")))
	get("/persons/{id}/feed.atom", s.h(s.atomTarget(alerts.Person, "/persons/")))
	get("/feeds/u/{token}", s.h(s.atomUser))
}

// atomTarget is the feed of the news of one public paper or person.
func (s *Server) atomTarget(kind alerts.Kind, prefix string) site.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := site.PathID(r)
		if err != nil {
			return err
		}
		label, err := s.opt.Alerts.Label(r.Context(), kind, id)
		if err != nil {
			return site.HideMissing(err, string(kind), id)
		}
		a, err := s.newAtom(r)
		if err != nil {
			return err
		}
		items, err := s.opt.Alerts.TargetNews(r.Context(), kind, id, s.opt.Now().Add(-newsWindow), atomEntries)
		if err != nil {
			return err
		}
		path := prefix + id.String()
		return a.write(w, path+"/feed.atom", a.t("alerts.feed.title", label), a.t("alerts.feed.subtitle"), path, a.newsEntries(items))
	}
}

// atomUser is the private feed of the news of all follows of the user
// whose token the address carries (no login: feed readers have none).
func (s *Server) atomUser(w http.ResponseWriter, r *http.Request) error {
	token, ok := strings.CutSuffix(chi.URLParam(r, "token"), ".atom")
	if !ok {
		return council.ErrNotFound
	}
	ctx := r.Context()
	user, err := s.opt.Alerts.FeedOwner(ctx, token)
	if err != nil {
		return err
	}
	follows, err := s.opt.Alerts.Follows(ctx, user)
	if err != nil {
		return err
	}
	hits := map[string][]alerts.Target{}
	var queries []string
	for _, f := range follows {
		if f.Kind == alerts.Search {
			queries = append(queries, f.Query)
		}
	}
	if m := s.opt.Matcher(); m != nil && len(queries) > 0 {
		if hits, err = alerts.MatchAll(ctx, m, queries); err != nil {
			return err
		}
	}
	items, err := s.opt.Alerts.UserNews(ctx, user, s.opt.Now().Add(-newsWindow), hits, atomEntries)
	if err != nil {
		return err
	}
	a, err := s.newAtom(r)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, max-age=300")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Robots-Tag", "noindex")
	return a.write(w, "/feeds/u/"+token+".atom", a.t("alerts.feed.mine"), a.t("alerts.feed.subtitle"), "/account/alerts", a.newsEntries(items))
}

// newsEntries are the feed entries of news items.
func (a atomBuilder) newsEntries(items []alerts.Item) []atomEntry {
	entries := make([]atomEntry, 0, len(items))
	seen := map[string]bool{}
	for _, it := range items {
		id := a.tag(it.Path + "/" + it.Entity + "/" + it.EntityID.String() + "/" + it.At.UTC().Format("20060102T150405.000000"))
		if seen[id] {
			continue
		}
		seen[id] = true
		entries = append(entries, atomEntry{ID: id, Title: atomText{Body: it.Title}, Updated: atomTime(it.At), at: it.At,
			Links:      []atomLink{{Rel: "alternate", Type: "text/html", Href: a.base + it.Path}},
			Categories: []atomCategory{{Term: it.Entity, Label: a.t("alerts.entity." + it.Entity)}}})
	}
	return entries
}
