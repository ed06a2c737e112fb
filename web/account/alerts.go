package account

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/alerts"
	"github.com/plenar/plenar/web/site"
)

// Alerts (docs/ARCHITECTURE.md, "Alerts"): a logged-in user follows a
// body, a paper, a person, an implementation record or a search with the
// follow button on its page, and manages the follows, their frequency and
// the private feed's address on /account/alerts. Following needs an
// account (a verified address: the registration's double opt-in);
// without one, the public Atom feeds serve the same news.

func (s *server) alertRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.RequireRole(council.Roles...), site.NoStore)
		r.Get("/account/alerts", s.Handle(s.alertsPage))
		r.Post("/account/alerts", s.Handle(s.alertsFollow))
		r.Post("/account/alerts/feed", s.Handle(s.alertsFeedToken))
		r.Post("/account/alerts/{id}/frequency", s.Handle(s.alertsFrequency))
		r.Post("/account/alerts/{id}/delete", s.Handle(s.alertsDelete))
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

func (s *server) alertsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderAlerts(w, r, http.StatusOK, &alertsPage{Notice: alertNotices[r.URL.Query().Get("notice")]})
}

func (s *server) renderAlerts(w http.ResponseWriter, r *http.Request, status int, data *alertsPage) error {
	ctx := r.Context()
	u := s.State(r).User
	var err error
	if data.Follows, err = s.Alerts.Follows(ctx, u.ID); err != nil {
		return err
	}
	if data.HasFeed, err = s.Alerts.HasFeedToken(ctx, u.ID); err != nil {
		return err
	}
	data.Frequencies = alerts.Frequencies
	s.Render(w, r, status, "account_alerts", data)
	return nil
}

// alertsBack answers a change with the alerts page and a notice.
func (s *server) alertsBack(w http.ResponseWriter, r *http.Request, notice string) {
	s.back(w, r, "/account/alerts", notice)
}

// alertsFollow follows what the form names: kind and id, or kind=search
// and the search's parameters prefixed "s_" (the results page's button).
func (s *server) alertsFollow(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: form: %w", council.ErrInvalid, err)
	}
	u := s.State(r).User
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
	_, err = s.Alerts.Follow(r.Context(), u.ID, kind, target, query, label, freq)
	switch {
	case errors.Is(err, council.ErrNotFound):
		return refuse("alerts.error.target")
	case errors.Is(err, council.ErrInvalid):
		return refuse("alerts.error.limit")
	case err != nil:
		return err
	}
	s.alertsBack(w, r, "followed")
	return nil
}

func (s *server) alertsFrequency(w http.ResponseWriter, r *http.Request) error {
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
	if err := s.Alerts.SetFrequency(r.Context(), s.State(r).User.ID, id, freq); err != nil {
		return err
	}
	s.alertsBack(w, r, "frequency")
	return nil
}

func (s *server) alertsDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := site.PathID(r)
	if err != nil {
		return err
	}
	if err := s.Alerts.Unfollow(r.Context(), s.State(r).User.ID, id); err != nil {
		return err
	}
	s.alertsBack(w, r, "unfollowed")
	return nil
}

// alertsFeedToken makes a new private feed address (revoking the old one)
// and shows it once: only its hash is stored.
func (s *server) alertsFeedToken(w http.ResponseWriter, r *http.Request) error {
	token, err := s.Alerts.NewFeedToken(r.Context(), s.State(r).User.ID)
	if err != nil {
		return err
	}
	return s.renderAlerts(w, r, http.StatusOK, &alertsPage{Notice: "alerts.notice.feed",
		FeedURL: site.BaseURL(s.BaseURL, r) + "/feeds/u/" + token + ".atom"})
}
