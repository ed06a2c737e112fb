package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/alerts"
	"github.com/plenar/plenar/search"
	"github.com/plenar/plenar/web/site"
)

// Alerts (docs/ARCHITECTURE.md, "Alerts"): a logged-in user follows a
// body, a paper, a person, an implementation record or a search with the
// follow button on its page, and manages the follows, their frequency and
// the private feed's address on /account/alerts. Following needs an
// account (a verified address: the registration's double opt-in);
// without one, the public Atom feeds serve the same news.

func (s *Server) alertRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.requireRole(council.Roles...), site.NoStore)
		r.Get("/account/alerts", s.h(s.alertsPage))
		r.Post("/account/alerts", s.h(s.alertsFollow))
		r.Post("/account/alerts/feed", s.h(s.alertsFeedToken))
		r.Post("/account/alerts/{id}/frequency", s.h(s.alertsFrequency))
		r.Post("/account/alerts/{id}/delete", s.h(s.alertsDelete))
	})
}

// alertsPage is the data of account_alerts.html.
type alertsPage struct {
	Follows     []alerts.Follow
	Frequencies []alerts.Frequency
	Notice      string // translation key, "" for none
	Error       string // translation key of a refused follow, "" for none
	FeedURL     string // the private feed's address, right after it was made (only its hash is kept)
	HasFeed     bool
}

// alertNotices are the notices the page shows after a change.
var alertNotices = map[string]string{
	"followed":   "alerts.notice.followed",
	"frequency":  "alerts.notice.frequency",
	"unfollowed": "alerts.notice.unfollowed",
}

func (s *Server) alertsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderAlerts(w, r, http.StatusOK, &alertsPage{Notice: alertNotices[r.URL.Query().Get("notice")]})
}

func (s *Server) renderAlerts(w http.ResponseWriter, r *http.Request, status int, data *alertsPage) error {
	ctx := r.Context()
	u := requestStateOf(r).user
	var err error
	if data.Follows, err = s.alerts.Follows(ctx, u.ID); err != nil {
		return err
	}
	if data.HasFeed, err = s.alerts.HasFeedToken(ctx, u.ID); err != nil {
		return err
	}
	data.Frequencies = alerts.Frequencies
	s.render(w, r, status, "account_alerts", data)
	return nil
}

// alertsBack answers a change with the alerts page and a notice.
func alertsBack(w http.ResponseWriter, r *http.Request, notice string) {
	to := "/account/alerts?notice=" + notice
	if l := requestStateOf(r).lang; l != langs[0] {
		to += "&lang=" + l
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// alertsFollow follows what the form names: kind and id, or kind=search
// and the search's parameters prefixed "s_" (the results page's button).
func (s *Server) alertsFollow(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: form: %w", council.ErrInvalid, err)
	}
	u := requestStateOf(r).user
	refuse := func(key string) error {
		return s.renderAlerts(w, r, http.StatusUnprocessableEntity, &alertsPage{Error: key})
	}
	kind, err := alerts.ParseKind(r.PostForm.Get("kind"))
	if err != nil {
		return refuse("alerts.error.kind")
	}
	freq, err := alerts.ParseFrequency(r.PostForm.Get("frequency"))
	if err != nil {
		return refuse("alerts.error.frequency")
	}
	var target council.ID
	var query, label string
	if kind == alerts.Search {
		q := url.Values{}
		for k, vs := range r.PostForm {
			if name, ok := strings.CutPrefix(k, "s_"); ok {
				q[name] = vs
			}
		}
		if _, err := site.SearchRequest(q); err != nil {
			return refuse("alerts.error.search")
		}
		if query, label, err = alerts.NormalizeQuery(q); err != nil {
			return refuse("alerts.error.search")
		}
	} else if target, err = council.ParseID(r.PostForm.Get("id")); err != nil {
		return refuse("alerts.error.target")
	}
	_, err = s.alerts.Follow(r.Context(), u.ID, kind, target, query, label, freq)
	switch {
	case errors.Is(err, council.ErrNotFound):
		return refuse("alerts.error.target")
	case errors.Is(err, council.ErrInvalid):
		return refuse("alerts.error.limit")
	case err != nil:
		return err
	}
	alertsBack(w, r, "followed")
	return nil
}

func (s *Server) alertsFrequency(w http.ResponseWriter, r *http.Request) error {
	id, err := site.PathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: form: %w", council.ErrInvalid, err)
	}
	freq, err := alerts.ParseFrequency(r.PostForm.Get("frequency"))
	if err != nil {
		return s.renderAlerts(w, r, http.StatusUnprocessableEntity, &alertsPage{Error: "alerts.error.frequency"})
	}
	if err := s.alerts.SetFrequency(r.Context(), requestStateOf(r).user.ID, id, freq); err != nil {
		return err
	}
	alertsBack(w, r, "frequency")
	return nil
}

func (s *Server) alertsDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := site.PathID(r)
	if err != nil {
		return err
	}
	if err := s.alerts.Unfollow(r.Context(), requestStateOf(r).user.ID, id); err != nil {
		return err
	}
	alertsBack(w, r, "unfollowed")
	return nil
}

// alertsFeedToken makes a new private feed address (revoking the old one)
// and shows it once: only its hash is stored.
func (s *Server) alertsFeedToken(w http.ResponseWriter, r *http.Request) error {
	token, err := s.alerts.NewFeedToken(r.Context(), requestStateOf(r).user.ID)
	if err != nil {
		return err
	}
	return s.renderAlerts(w, r, http.StatusOK, &alertsPage{Notice: "alerts.notice.feed",
		FeedURL: site.BaseURL(s.opt.BaseURL, r) + "/feeds/u/" + token + ".atom"})
}

// followButton is the data of the follow button (partials/alerts_follow.html).
type followButton struct {
	Page   *page
	Kind   string
	ID     council.ID
	Search url.Values // a saved search's parameters
	Next   string     // where the login leads back to
}

// FollowHere is the follow button of the object of this page's path
// (/papers/{id}, /bodies/{id}, /persons/{id}).
func (p *page) FollowHere(kind string) followButton {
	id, _ := council.ParseID(p.Path[strings.LastIndexByte(p.Path, '/')+1:])
	return p.FollowOf(kind, id)
}

// FollowOf is the follow button of kind and id.
func (p *page) FollowOf(kind string, id council.ID) followButton {
	return followButton{Page: p, Kind: kind, ID: id, Next: p.Path}
}

// FollowSearch is the button that saves this page's search.
func (p *page) FollowSearch() followButton {
	q := url.Values{}
	for k, vs := range p.query {
		if k != "page" && k != "sort" && k != "lang" {
			q[k] = vs
		}
	}
	return followButton{Page: p, Kind: string(alerts.Search), Search: q, Next: "/search?" + q.Encode()}
}

// Frequencies are the choices of the button's select.
func (b followButton) Frequencies() []alerts.Frequency { return alerts.Frequencies }

// searchMatcher evaluates saved searches on this process's index, as the
// public (alerts.Matcher).
type searchMatcher struct{ s *Server }

func (m searchMatcher) Match(ctx context.Context, q url.Values, limit int) ([]alerts.Target, error) {
	sr, err := m.s.searcher()
	if err != nil {
		return nil, err
	}
	req, err := site.SearchRequest(q)
	if err != nil {
		return nil, nil // a search that no longer parses finds nothing
	}
	req.Sort, req.Page, req.PerPage = search.SortNewest, 1, min(limit, search.MaxPerPage)
	res, err := sr.Search(ctx, council.Public, req)
	if err != nil {
		return nil, err
	}
	out := make([]alerts.Target, 0, len(res.Hits))
	for _, h := range res.Hits {
		out = append(out, alerts.Target{Kind: string(h.Type), ID: h.ID})
	}
	return out, nil
}

func (m searchMatcher) Position(ctx context.Context) (int64, error) {
	if m.s.opt.SearchIndex == nil {
		return 0, council.ErrUnavailable
	}
	return m.s.opt.SearchIndex.Position(ctx, m.s.pool)
}

// matcher is the saved searches' matcher, nil without a search index.
func (s *Server) matcher() alerts.Matcher {
	if s.opt.SearchIndex == nil {
		return nil
	}
	return searchMatcher{s}
}

// AlertDigester returns the digest job of the alerts (cmd/plenar runs
// it every alerts.Every).
func (s *Server) AlertDigester() *alerts.Digester {
	return &alerts.Digester{Store: s.alerts, Mail: s.accounts.mail, Templates: s.accounts.mailer.Templates, BaseURL: s.opt.BaseURL,
		Site: s.accounts.mailer.Site, Matcher: s.matcher(), Log: s.log}
}
