package portal

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/web/site"
)

// portalRoutes registers the public pages: home, calendar, meetings,
// bodies, persons and papers. Every page reads what the request's viewer
// may see; non-public material never reaches a template for the public.
func (s *Server) portalRoutes(r chi.Router) {
	r.Get("/", s.h(s.portalHome))
	r.Get("/meetings", s.h(s.portalMeetings))
	r.Get("/meetings/month", s.h(s.portalMonth))
	r.Get("/meetings/{id}", s.h(s.portalMeeting))
	r.Get("/meetings/{id}/minutes", s.h(s.portalMinutes))              // portal_minutes.go
	r.Get("/meetings/{id}/minutes.pdf", s.h(s.portalMinutesPDF))       // portal_minutes.go
	r.Get("/meetings/{id}/invitation.pdf", s.h(s.portalInvitationPDF)) // portal_invitation.go
	r.Get("/bodies", s.h(s.portalBodies))
	r.Get("/bodies/{id}", s.h(s.portalBody))
	r.Get("/persons/{id}", s.h(s.portalPerson))
	r.Get("/papers", s.h(s.portalPapers))
	r.Get("/papers/{id}", s.h(s.portalPaper))
	r.Get("/beschlusskontrolle", s.h(s.portalTrail))              // portal_trail.go
	r.With(site.NoStore).Get("/my/bodies", s.h(s.portalMyBodies)) // portal_mine.go
	// portal_questions.go: the Einwohnerfragestunde
	r.Get("/meetings/{id}/questions", s.h(s.portalQuestions))
	r.With(site.NoStore).Post("/meetings/{id}/questions", s.h(s.portalAsk))
	r.Get("/beteiligung/fragen", s.h(s.portalAllQuestions))
	r.With(site.NoStore).Get("/my/questions", s.h(s.portalMyQuestions))
}

// Page sizes of the portal's lists.
const (
	meetingsPerPage = 25
	papersPerPage   = 25
)

// viewerOf returns who is looking at r.
func (s *Server) viewerOf(r *http.Request) council.Viewer { return s.requestStateOf(r).viewer }

// queryDate parses a civil date (YYYY-MM-DD) in German time; zero when
// absent. Errors: ErrInvalid.
func queryDate(q url.Values, name string) (time.Time, error) {
	v := q.Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation("2006-01-02", v, site.Berlin)
	if err != nil || t.Year() < 1900 || t.Year() > 2200 {
		return time.Time{}, council.Invalidf("%s must be a date like 2026-11-27, not %q", name, v)
	}
	return t, nil
}

// startOfDay returns midnight in German time of the day t falls on.
func startOfDay(t time.Time) time.Time {
	y, m, d := t.In(site.Berlin).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, site.Berlin)
}

// pager is the data of the paging links of a list.
type pager struct {
	Page, Pages      int // Pages 0: unknown
	PrevURL, NextURL string
}

// pageURL returns path with the query q and page n (the language is left
// to page.Link).
func pageURL(path string, q url.Values, n int) string {
	v := url.Values{}
	for k, vs := range q {
		if k != "lang" && k != "page" {
			v[k] = vs
		}
	}
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

func newPager(path string, q url.Values, page, pages int, hasNext bool) pager {
	p := pager{Page: page, Pages: pages}
	if page > 1 {
		p.PrevURL = pageURL(path, q, page-1)
	}
	if hasNext || (pages > 0 && page < pages) {
		p.NextURL = pageURL(path, q, page+1)
	}
	return p
}

func (s *Server) directory(ctx context.Context, body council.ID) (site.Directory, error) {
	return site.LoadDirectory(ctx, s.council, body)
}

// meetingRow is a meeting in a list.
type meetingRow struct {
	ID        council.ID
	Name      string
	Start     time.Time
	End       time.Time // expected
	Ended     time.Time // actual: the live session closed
	Bodies    []site.OrgRef
	Place     string
	State     meetings.State
	Cancelled bool
}

// Live reports whether the meeting's live session is running: the portal
// marks it "Live jetzt" with a link to the public live page.
func (m meetingRow) Live() bool { return m.State == meetings.Running && !m.Cancelled }

// ShownEnd and EndExpected are meetings.Meeting's, for the partial
// meeting_when.html.
func (m meetingRow) ShownEnd() time.Time {
	return meetings.Meeting{End: m.End, Ended: m.Ended}.ShownEnd()
}

// EndExpected reports whether ShownEnd is only the expected end.
func (m meetingRow) EndExpected() bool {
	return meetings.Meeting{End: m.End, Ended: m.Ended}.EndExpected()
}

// meetingRows are ms as list rows, with names from d.
func meetingRows(d site.Directory, ms []meetings.Meeting) []meetingRow {
	out := make([]meetingRow, len(ms))
	for i, m := range ms {
		out[i] = meetingRow{ID: m.ID, Name: m.Name, Start: m.Start, End: m.End, Ended: m.Ended, Bodies: d.Refs(m.Organizations),
			Place: d.Place(m.LocationID), State: m.State, Cancelled: m.Cancelled}
	}
	return out
}
