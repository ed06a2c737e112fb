package portal

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/web/site"
)

// The calendar's body filter: ?body= on the list (/meetings) and the
// month grid (/meetings/month) alike, a plain GET form that works without
// JavaScript and survives switching between the two views. The value is
// empty (every body), an organization's id, or "mine": the bodies the
// logged-in user's person is a current member of.

// bodyMine is the ?body= value of "my bodies".
const bodyMine = "mine"

// calendarFilter is the chosen body filter and what the form offers.
type calendarFilter struct {
	Value   string        // the ?body= value: "", bodyMine or an organization id
	Body    site.OrgRef   // the chosen organization (Value is an id)
	Mine    bool          // Value is bodyMine
	CanMine bool          // the viewer's person has current memberships: offer "mine"
	MyOrgs  []site.OrgRef // the viewer's organizations, in directory order
	Options []site.OrgRef // the bodies to choose from
	Feeds   []feedLink
	ids     []council.ID // Mine: the organizations to show
}

// feedLink is an iCalendar feed of the calendar as filtered.
type feedLink struct {
	URL  string
	Name string // the organization; "" for the whole calendar
}

// Active reports whether the calendar is filtered.
func (f calendarFilter) Active() bool { return f.Value != "" }

// Query returns "body=…" for links that keep the filter, or "".
func (f calendarFilter) Query() string {
	if f.Value == "" {
		return ""
	}
	return url.Values{"body": {f.Value}}.Encode()
}

// With returns path with the filter's query added.
func (f calendarFilter) With(path string) string {
	q := f.Query()
	if q == "" {
		return path
	}
	if strings.Contains(path, "?") {
		return path + "&" + q
	}
	return path + "?" + q
}

// Selected reports whether option value v is the chosen one.
func (f calendarFilter) Selected(v string) bool { return f.Value == v }

// empty reports whether the filter can match nothing: "mine" for a user
// without memberships.
func (f calendarFilter) empty() bool { return f.Mine && len(f.ids) == 0 }

// apply narrows mf to the filter.
func (f calendarFilter) apply(mf *meetings.Filter) {
	switch {
	case f.Mine:
		mf.OrganizationIDs = f.ids
	case f.Body.ID != council.NilID:
		mf.OrganizationID = f.Body.ID
	}
}

// errNeedLogin asks the handler to send an anonymous visitor to the login
// page (?body=mine).
type errNeedLogin struct{}

func (errNeedLogin) Error() string { return "login needed" }

// calendarFilterOf reads ?body= against the body's directory. Errors:
// ErrInvalid (malformed id), ErrNotFound (unknown organization),
// errNeedLogin (mine, anonymous).
func (s *Server) calendarFilterOf(r *http.Request, dir site.Directory) (calendarFilter, error) {
	ctx := r.Context()
	var f calendarFilter
	mine, err := s.myOrgs(ctx, r)
	if err != nil {
		return f, err
	}
	today := council.Today(s.opt.Now())
	for _, id := range dir.Order {
		o := dir.Orgs[id]
		if mine[id] {
			f.MyOrgs = append(f.MyOrgs, site.OrgRef{ID: id, Name: o.Name})
		}
		if o.Kind.IsBody() && (o.End.IsZero() || !o.End.Before(today)) {
			f.Options = append(f.Options, site.OrgRef{ID: id, Name: o.Name})
		}
	}
	f.CanMine = len(f.MyOrgs) > 0
	f.Value = r.URL.Query().Get("body")
	switch f.Value {
	case "":
		f.Feeds = []feedLink{{URL: "/meetings.ics"}}
	case bodyMine:
		if s.viewerOf(r).IsPublic() {
			return f, errNeedLogin{}
		}
		f.Mine = true
		for _, o := range f.MyOrgs {
			f.ids = append(f.ids, o.ID)
			f.Feeds = append(f.Feeds, feedLink{URL: "/bodies/" + o.ID.String() + "/meetings.ics", Name: o.Name})
		}
	default:
		id, err := council.ParseID(f.Value)
		if err != nil {
			return f, err
		}
		o, ok := dir.Orgs[id]
		if !ok {
			return f, site.NotFound("organization", id)
		}
		f.Body = site.OrgRef{ID: o.ID, Name: o.Name}
		f.Value = id.String()
		if !slices.ContainsFunc(f.Options, func(x site.OrgRef) bool { return x.ID == id }) {
			f.Options = append(f.Options, f.Body) // e.g. a body that has ended
		}
		f.Feeds = []feedLink{{URL: "/bodies/" + id.String() + "/meetings.ics", Name: o.Name}}
	}
	return f, nil
}

// myOrgs returns the organizations the logged-in user's person is a
// current member of (members: the session's viewer already holds them);
// none for the public and for accounts without a person.
func (s *Server) myOrgs(ctx context.Context, r *http.Request) (map[council.ID]bool, error) {
	rs := s.requestStateOf(r)
	switch {
	case rs.viewer.IsPublic():
		return nil, nil
	case rs.viewer.Role == council.RoleMember:
		return rs.viewer.Orgs, nil
	case rs.user.PersonID == council.NilID:
		return nil, nil
	}
	return s.council.OrgsOf(ctx, rs.user.PersonID, council.Today(s.opt.Now()))
}

// loginFirst sends an anonymous visitor to the login page, back to r's URL
// afterwards.
func loginFirst(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
}
