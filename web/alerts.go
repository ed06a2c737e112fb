package web

import (
	"context"
	"net/url"
	"strings"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/alerts"
	"github.com/plenar/plenar/search"
	"github.com/plenar/plenar/web/site"
)

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
	req.SameLimit = req.PerPage
	res, err := sr.Search(ctx, council.Public, req)
	if err != nil {
		return nil, err
	}
	out := make([]alerts.Target, 0, len(res.Hits))
	for _, h := range res.Hits {
		out = append(out, alerts.Target{Kind: string(h.Type), ID: h.ID})
		// Identically titled papers are one result; each is news.
		for _, sm := range h.Same {
			out = append(out, alerts.Target{Kind: string(search.TypePaper), ID: sm.ID})
		}
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
