package portal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/web/site"
)

// homePage is the data of the start page.
type homePage struct {
	Body      council.Body
	Live      []meetingRow // meetings whose live session is running
	Upcoming  []meetingRow
	Decisions []meetings.Decision
}

func (s *Server) portalHome(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var data homePage
	body, err := s.council.MainBody(ctx)
	if errors.Is(err, council.ErrNotFound) {
		s.render(w, r, http.StatusOK, "home", data)
		return nil
	}
	if err != nil {
		return err
	}
	data.Body = body
	dir, err := s.directory(ctx, body.ID)
	if err != nil {
		return err
	}
	ms, err := s.meetings.Meetings(ctx, meetings.Filter{BodyID: body.ID, From: startOfDay(s.opt.Now()), Limit: 10})
	if err != nil {
		return err
	}
	data.Upcoming = meetingRows(dir, ms)
	live, err := s.meetings.Meetings(ctx, meetings.Filter{BodyID: body.ID, State: meetings.Running, Limit: 10})
	if err != nil {
		return err
	}
	for _, m := range meetingRows(dir, live) {
		if m.Live() {
			data.Live = append(data.Live, m)
		}
	}
	if data.Decisions, err = s.meetings.PublicDecisions(ctx, body.ID, 10); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "home", data)
	return nil
}

// meetingsPage is the data of the calendar list.
type meetingsPage struct {
	Meetings []meetingRow
	Upcoming bool // no range given: upcoming meetings
	From, To time.Time
	Year     int
	Filter   calendarFilter
	Pager    pager
	Month    string // this month, for the grid link
}

// meetingRange reads ?from=, ?to= (inclusive) and ?year= into a filter.
// Errors: ErrInvalid.
func meetingRange(r *http.Request, f *meetings.Filter, data *meetingsPage) error {
	q := r.URL.Query()
	from, err := queryDate(q, "from")
	if err != nil {
		return err
	}
	to, err := queryDate(q, "to")
	if err != nil {
		return err
	}
	if v := q.Get("year"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 1900 || y > 2200 {
			return council.Invalidf("year must be a year like 2026, not %q", v)
		}
		if !from.IsZero() || !to.IsZero() {
			return council.Invalidf("give either year or from/to, not both")
		}
		data.Year = y
		from = time.Date(y, 1, 1, 0, 0, 0, 0, site.Berlin)
		to = time.Date(y, 12, 31, 0, 0, 0, 0, site.Berlin)
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return council.Invalidf("to (%s) lies before from (%s)", to.Format("2006-01-02"), from.Format("2006-01-02"))
	}
	data.From, data.To = from, to
	f.From = from
	if !to.IsZero() {
		f.To = to.AddDate(0, 0, 1)
	}
	return nil
}

// pageOfBody is what a paged list of the main body starts with: the page
// number of the query (ErrInvalid when it is not one), then the body.
func (s *Server) pageOfBody(ctx context.Context, q url.Values) (int, council.Body, error) {
	pageNo, err := site.QueryPage(q)
	if err != nil {
		return 0, council.Body{}, err
	}
	body, err := s.council.MainBody(ctx)
	return pageNo, body, err
}

func (s *Server) portalMeetings(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	pageNo, body, err := s.pageOfBody(ctx, q)
	if err != nil {
		return err
	}
	data := meetingsPage{Month: s.opt.Now().In(site.Berlin).Format("2006-01")}
	f := meetings.Filter{BodyID: body.ID, Limit: meetingsPerPage + 1, Offset: (pageNo - 1) * meetingsPerPage}
	if err := meetingRange(r, &f, &data); err != nil {
		return err
	}
	if f.From.IsZero() && f.To.IsZero() {
		data.Upcoming, f.From = true, startOfDay(s.opt.Now())
	}
	dir, err := s.directory(ctx, body.ID)
	if err != nil {
		return err
	}
	if data.Filter, err = s.calendarFilterOf(r, dir); errors.As(err, &errNeedLogin{}) {
		loginFirst(w, r)
		return nil
	} else if err != nil {
		return err
	}
	data.Filter.apply(&f)
	var ms []meetings.Meeting
	if !data.Filter.empty() {
		if ms, err = s.meetings.Meetings(ctx, f); err != nil {
			return err
		}
	}
	hasNext := len(ms) > meetingsPerPage
	if hasNext {
		ms = ms[:meetingsPerPage]
	}
	if data.Upcoming && pageNo == 1 && !data.Filter.empty() {
		// A session that began before today and still runs (past
		// midnight) leads the upcoming meetings.
		rf := meetings.Filter{BodyID: body.ID, To: f.From, State: meetings.Running, Limit: 10}
		data.Filter.apply(&rf)
		running, err := s.meetings.Meetings(ctx, rf)
		if err != nil {
			return err
		}
		ms = append(running, ms...)
	}
	data.Meetings = meetingRows(dir, ms)
	data.Pager = newPager("/meetings", q, pageNo, 0, hasNext)
	s.render(w, r, http.StatusOK, "meetings", data)
	return nil
}

// monthPage is the data of the month grid.
type monthPage struct {
	Year, Month      int
	ISO              string // "2026-11"
	Weeks            [][]dayCell
	Days             []dayCell // days with meetings, for the list on small screens
	Prev, Next       time.Time
	PrevURL, NextURL string
	Count            int
	Weekdays         []int // 1 Monday … 7 Sunday
	Filter           calendarFilter
	ListURL          string // the list view with the same filter
}

// dayCell is one day of the month grid; Day 0 is a padding cell.
type dayCell struct {
	Day      int
	Date     time.Time
	Today    bool
	Meetings []meetingRow
}

// parseMonth reads ?m=YYYY-MM, defaulting to the month of now.
// Errors: ErrInvalid.
func parseMonth(v string, now time.Time) (time.Time, error) {
	if v == "" {
		y, m, _ := now.In(site.Berlin).Date()
		return time.Date(y, m, 1, 0, 0, 0, 0, site.Berlin), nil
	}
	t, err := time.ParseInLocation("2006-01", v, site.Berlin)
	if err != nil || t.Year() < 1900 || t.Year() > 2200 {
		return time.Time{}, council.Invalidf("m must be a month like 2026-11, not %q", v)
	}
	return t, nil
}

func (s *Server) portalMonth(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	first, err := parseMonth(r.URL.Query().Get("m"), s.opt.Now())
	if err != nil {
		return err
	}
	body, err := s.council.MainBody(ctx)
	if err != nil {
		return err
	}
	next := first.AddDate(0, 1, 0)
	dir, err := s.directory(ctx, body.ID)
	if err != nil {
		return err
	}
	cf, err := s.calendarFilterOf(r, dir)
	if errors.As(err, &errNeedLogin{}) {
		loginFirst(w, r)
		return nil
	} else if err != nil {
		return err
	}
	f := meetings.Filter{BodyID: body.ID, From: first, To: next, Limit: 2000}
	cf.apply(&f)
	var ms []meetings.Meeting
	if !cf.empty() {
		if ms, err = s.meetings.Meetings(ctx, f); err != nil {
			return err
		}
	}
	data := monthGrid(first, startOfDay(s.opt.Now()), meetingRows(dir, ms))
	data.Filter, data.ListURL = cf, cf.With("/meetings")
	data.PrevURL, data.NextURL = cf.With(data.PrevURL), cf.With(data.NextURL)
	s.render(w, r, http.StatusOK, "meetings_month", data)
	return nil
}

// monthGrid lays out the meetings of the month starting at first in weeks
// from Monday to Sunday.
func monthGrid(first, today time.Time, rows []meetingRow) monthPage {
	prev, next := first.AddDate(0, -1, 0), first.AddDate(0, 1, 0)
	data := monthPage{Year: first.Year(), Month: int(first.Month()), ISO: first.Format("2006-01"),
		Prev: prev, Next: next, Count: len(rows), Weekdays: []int{1, 2, 3, 4, 5, 6, 7},
		PrevURL: "/meetings/month?m=" + prev.Format("2006-01"), NextURL: "/meetings/month?m=" + next.Format("2006-01")}
	byDay := map[int][]meetingRow{}
	for _, m := range rows {
		d := m.Start.In(site.Berlin).Day()
		byDay[d] = append(byDay[d], m)
	}
	days := next.AddDate(0, 0, -1).Day()
	var week []dayCell
	for i := 0; i < (int(first.Weekday())+6)%7; i++ {
		week = append(week, dayCell{})
	}
	for d := 1; d <= days; d++ {
		date := time.Date(first.Year(), first.Month(), d, 0, 0, 0, 0, site.Berlin)
		c := dayCell{Day: d, Date: date, Today: date.Equal(today), Meetings: byDay[d]}
		if len(c.Meetings) > 0 {
			data.Days = append(data.Days, c)
		}
		week = append(week, c)
		if len(week) == 7 {
			data.Weeks, week = append(data.Weeks, week), nil
		}
	}
	if len(week) > 0 {
		for len(week) < 7 {
			week = append(week, dayCell{})
		}
		data.Weeks = append(data.Weeks, week)
	}
	return data
}

// meetingPage is the data of a meeting's page.
type meetingPage struct {
	Meeting    meetings.Meeting
	Bodies     []site.OrgRef
	Place      string
	ShowAgenda bool
	Items      []itemView
	Files      []fileView // the meeting's files the viewer may see
	Source     council.ImportedFrom
	// Receipt is the receipt code the visitor looks up (?receipt=) in
	// the published lists of secret polls; Checked: it was valid.
	Receipt     string
	Checked     bool
	HasReceipts bool // some poll has a published receipt list
	// Minutes is the state of the minutes when the viewer may read them:
	// approved minutes for everyone, a draft for the members and staff;
	// "" when there are none to show.
	Minutes meetings.MinutesState
	// Recording is the recorded session's player; nil: none
	// (portal_recording.go).
	Recording *recordingView
	// QuestionTime is the meeting's public question time
	// (Einwohnerfragestunde, portal_questions.go); nil: none.
	QuestionTime *questionTimeBox
}

// questionTimeBox is the meeting page's pointer to its question time.
type questionTimeBox struct {
	Number    string
	Deadline  time.Time
	Open      bool
	PerPerson int
	CanAsk    bool // a citizen is logged in: the page carries the form
}

// itemView is an agenda item as the viewer may see it. When Hidden, only
// Number is set and the template shows the neutral title.
type itemView struct {
	Number         string
	Hidden         bool
	NonPublic      bool // a non-public item the viewer may see: badge
	Name           string
	PaperID        council.ID
	PaperReference string
	Result         string
	ResolutionText string
	Files          []fileView // the item's files the viewer may see
	Polls          []pollView // its closed and cancelled polls (portal_polls.go)
}

func (s *Server) portalMeeting(w http.ResponseWriter, r *http.Request) error {
	id, err := site.PathID(r)
	if err != nil {
		return err
	}
	receipt := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("receipt")))
	data, err := s.meetingView(r.Context(), s.viewerOf(r), id, receipt)
	if err != nil {
		return err
	}
	if qt := data.QuestionTime; qt != nil && qt.Open && s.requestStateOf(r).user.Role == council.RoleCitizen {
		qt.CanAsk = true
	}
	s.render(w, r, http.StatusOK, "meeting", data)
	return nil
}

// meetingView loads meeting id as v may see it, looking receipt up in
// its secret polls' receipt lists. Errors: ErrNotFound.
func (s *Server) meetingView(ctx context.Context, v council.Viewer, id council.ID, receipt string) (meetingPage, error) {
	m, err := s.meetings.Meeting(ctx, id)
	if err != nil {
		return meetingPage{}, site.HideMissing(err, "meeting", id)
	}
	if m.Deleted {
		return meetingPage{}, site.NotFound("meeting", id)
	}
	data := meetingPage{Meeting: m}
	for _, o := range m.Organizations {
		org, err := s.council.Organization(ctx, o)
		if err != nil {
			return meetingPage{}, err
		}
		if !org.Deleted {
			data.Bodies = append(data.Bodies, site.OrgRef{ID: org.ID, Name: org.Name})
		}
	}
	if m.LocationID != council.NilID {
		l, err := s.council.Location(ctx, m.LocationID)
		if err != nil && !errors.Is(err, council.ErrNotFound) {
			return meetingPage{}, err
		}
		data.Place = l.Label()
	}
	if data.Files, err = s.linkedFiles(ctx, v, documents.Link{Kind: documents.LinkMeeting, ID: id}); err != nil {
		return meetingPage{}, fmt.Errorf("meeting page: %w", err)
	}
	if data.Source, err = s.council.ImportedFrom(ctx, "meeting", id); err != nil {
		return meetingPage{}, fmt.Errorf("meeting page: %w", err)
	}
	st, err := s.meetings.MinutesStatus(ctx, id)
	if err != nil {
		return meetingPage{}, fmt.Errorf("meeting page: %w", err)
	}
	if s.minutesShown(v, st, m.Organizations...) {
		data.Minutes = st.State
	}
	if data.Recording, err = s.recordingFor(ctx, v, m); err != nil {
		return meetingPage{}, err
	}
	if qt, ok, err := s.meetings.PublicQuestionTimeOf(ctx, id); err != nil {
		return meetingPage{}, fmt.Errorf("meeting page: %w", err)
	} else if ok {
		data.QuestionTime = &questionTimeBox{Number: qt.ItemNumber, Deadline: qt.Deadline(), Open: qt.Open(s.opt.Now()), PerPerson: qt.PerPerson}
	}
	data.ShowAgenda = m.AgendaPublished() || v.SeesAllNonPublic()
	if !data.ShowAgenda {
		return data, nil
	}
	items, err := s.meetings.AgendaItems(ctx, id)
	if err != nil {
		return meetingPage{}, fmt.Errorf("meeting page: %w", err)
	}
	var shown []council.ID
	for _, it := range items {
		iv := itemFor(v, it, m.Organizations)
		if !iv.Hidden {
			shown = append(shown, it.ID)
		}
		data.Items = append(data.Items, iv)
	}
	itemFiles, err := s.docs.FilesOf(ctx, documents.LinkAgendaItem, shown)
	if err != nil {
		return meetingPage{}, fmt.Errorf("meeting page: %w", err)
	}
	// Polls only of the items shown: a hidden item's polls never load.
	polls, err := s.meetings.PublishedPolls(ctx, shown)
	if err != nil {
		return meetingPage{}, fmt.Errorf("meeting page: %w", err)
	}
	if meetings.ValidReceipt(receipt) {
		data.Receipt, data.Checked = receipt, true
	} else if receipt != "" {
		data.Receipt = receipt
	}
	for i, it := range items {
		if !data.Items[i].Hidden && len(polls[it.ID]) > 0 {
			data.Items[i].Polls = pollViews(polls[it.ID], data.checkedReceipt())
			for _, p := range data.Items[i].Polls {
				data.HasReceipts = data.HasReceipts || len(p.Receipts) > 0
			}
		}
	}
	for i, it := range items {
		if data.Items[i].Hidden || len(itemFiles[it.ID]) == 0 {
			continue
		}
		if data.Items[i].Files, err = s.visibleFiles(ctx, v, itemFiles[it.ID]); err != nil {
			return meetingPage{}, fmt.Errorf("meeting page: %w", err)
		}
	}
	return data, nil
}

// checkedReceipt is the valid receipt looked up, or "".
func (p meetingPage) checkedReceipt() string {
	if p.Checked {
		return p.Receipt
	}
	return ""
}

// Found reports whether the looked-up receipt is in one of the lists.
func (p meetingPage) Found() bool {
	for _, it := range p.Items {
		for _, pl := range it.Polls {
			if pl.Found != nil {
				return true
			}
		}
	}
	return false
}

// itemFor filters it through AgendaItem.ForViewer.
func itemFor(v council.Viewer, it meetings.AgendaItem, orgs []council.ID) itemView {
	seen, ok := it.ForViewer(v, orgs)
	if !ok {
		return itemView{Number: seen.Number, Hidden: true}
	}
	return itemView{Number: seen.Number, NonPublic: !seen.Public, Name: seen.Name, PaperID: seen.PaperID,
		PaperReference: seen.PaperReference, Result: seen.Result, ResolutionText: seen.ResolutionText}
}
