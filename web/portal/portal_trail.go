package portal

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/web/site"
)

// The decision trail (Beschlusskontrolle, docs/DOMAIN.md,
// "Beschlusskontrolle"): the public list of decisions with their
// implementation, and on each paper's page the way from the motion through
// its consultations, polls and minutes to its implementation.

// trailPerPage is the page size of the Beschlusskontrolle list.
const trailPerPage = 25

// overdueFilter is the status filter value that selects overdue records.
const overdueFilter = "overdue"

// trailList is the data of the Beschlusskontrolle page.
type trailList struct {
	Rows     []trailRow
	Total    int
	Counts   []statusCount
	All      statusCount // every status, the filter's total
	Statuses []string    // the status filter's values, overdue last
	Status   string
	Orgs     []council.Organization
	Org      council.ID
	Years    []int
	Year     int
	Pager    pager
}

// trailRow is one decision in the list.
type trailRow struct {
	council.ImplementationRow
	Overdue bool
}

// statusCount is a status with how many records of the filter have it and
// the list's URL for it.
type statusCount struct {
	Status  string // "" all, a status, or "overdue"
	N       int
	URL     string
	Current bool
}

func (s *Server) portalTrail(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	pageNo, body, err := s.pageOfBody(ctx, q)
	if err != nil {
		return err
	}
	f := council.ImplementationFilter{BodyID: body.ID, Today: s.today(), Limit: trailPerPage, Offset: (pageNo - 1) * trailPerPage}
	data := trailList{Status: q.Get("status"), Statuses: trailStatuses()}
	switch st := council.ImplementationStatus(data.Status); {
	case data.Status == "":
	case data.Status == overdueFilter:
		f.Overdue = true
	case st.Valid():
		f.Status = st
	default:
		return council.Invalidf("status must be one of %v, not %q", data.Statuses, data.Status)
	}
	if data.Orgs, err = s.council.ImplementationOrgs(ctx, body.ID); err != nil {
		return err
	}
	if v := q.Get("body"); v != "" {
		id, err := council.ParseID(v)
		if err != nil || !slices.ContainsFunc(data.Orgs, func(o council.Organization) bool { return o.ID == id }) {
			return council.Invalidf("body must be one of the bodies that decided, not %q", v)
		}
		f.OrgID, data.Org = id, id
	}
	if data.Years, err = s.council.ImplementationYears(ctx, body.ID); err != nil {
		return err
	}
	if v := q.Get("year"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 1900 || y > 2200 {
			return council.Invalidf("year must be a year like 2026, not %q", v)
		}
		f.Year, data.Year = y, y
	}
	rows, total, counts, err := s.council.PublicImplementations(ctx, f)
	if err != nil {
		return err
	}
	for _, row := range rows {
		data.Rows = append(data.Rows, trailRow{ImplementationRow: row, Overdue: row.Overdue(f.Today)})
	}
	data.Total = total
	link := func(status string) string {
		if status == "" {
			return pageURL("/beschlusskontrolle", without(q, "status"), 1)
		}
		return pageURL("/beschlusskontrolle", with(q, "status", status), 1)
	}
	data.All = statusCount{N: counts.Total, URL: link(""), Current: data.Status == ""}
	for _, st := range data.Statuses {
		n := counts.ByStatus[council.ImplementationStatus(st)]
		if st == overdueFilter {
			n = counts.Overdue
		}
		data.Counts = append(data.Counts, statusCount{Status: st, N: n, URL: link(st), Current: st == data.Status})
	}
	pages := (total + trailPerPage - 1) / trailPerPage
	data.Pager = newPager("/beschlusskontrolle", q, pageNo, pages, false)
	s.render(w, r, http.StatusOK, "trail", data)
	return nil
}

// trailStatuses are the status filter's values: the statuses, then overdue.
func trailStatuses() []string {
	var out []string
	for _, st := range council.ImplementationStatuses {
		out = append(out, string(st))
	}
	return append(out, overdueFilter)
}

// with returns a copy of q with key set to v; without a copy without key.
func with(q url.Values, key, v string) url.Values {
	out := without(q, key)
	out[key] = []string{v}
	return out
}

func without(q url.Values, key string) url.Values {
	out := make(url.Values, len(q))
	for k, vs := range q {
		if k != key {
			out[k] = vs
		}
	}
	return out
}

// today is the current civil date in German time (as UTC midnight, the
// form of stored dates).
func (s *Server) today() time.Time {
	now := time.Now()
	if s.opt.Now != nil {
		now = s.opt.Now()
	}
	y, m, d := now.In(site.Berlin).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// trailView is the decision trail on a paper's page: the consultations
// that reached a result, the polls on them, the minutes of their meetings
// and the implementation record, each as the viewer may see it.
type trailView struct {
	Decisions      []stepView
	Polls          []trailPoll
	Minutes        []trailMinutes
	Recordings     []trailRecording
	Implementation *council.Implementation
	Overdue        bool
	FollowUps      []council.Paper
}

// Show reports whether the paper has a trail to show: a result or a record.
func (t trailView) Show() bool { return len(t.Decisions) > 0 || t.Implementation != nil }

// trailPoll is a published poll on a decision's agenda item.
type trailPoll struct {
	pollView
	MeetingID council.ID
	ItemName  string
}

// trailMinutes is a meeting that decided, with its minutes page (Page:
// the viewer may read Plenar's minutes of it; Approved: they are
// approved) and its results protocol when the viewer may see one.
type trailMinutes struct {
	MeetingID   council.ID
	MeetingName string
	Start       time.Time
	Page        bool
	Approved    bool
	Protocol    *fileView
	orgs        []council.ID // the deciding bodies (who may read a draft)
}

// trailRecording is the recorded chapter of a decision's agenda item: the
// meeting page opens on it (recording.js reads #chapter-<item>).
type trailRecording struct {
	MeetingID  council.ID
	ItemID     council.ID
	ItemNumber string
	ItemName   string
	Length     string
}

// trailFor builds the trail of paper p from its visible steps (stepFor
// already hid what v may not see).
func (s *Server) trailFor(ctx context.Context, v council.Viewer, p council.Paper, steps []stepView) (trailView, error) {
	var t trailView
	var items []council.ID
	itemStep := map[council.ID]stepView{}
	seen := map[council.ID]bool{}
	for _, st := range steps {
		if st.Hidden || st.Pending || st.Result == "" || st.MeetingID == council.NilID {
			continue
		}
		t.Decisions = append(t.Decisions, st)
		if st.ItemID != council.NilID {
			items = append(items, st.ItemID)
			itemStep[st.ItemID] = st
		}
		if !seen[st.MeetingID] {
			seen[st.MeetingID] = true
			t.Minutes = append(t.Minutes, trailMinutes{MeetingID: st.MeetingID, MeetingName: st.MeetingName, Start: st.MeetingStart})
		}
		for i := range t.Minutes {
			if t.Minutes[i].MeetingID == st.MeetingID {
				t.Minutes[i].orgs = append(t.Minutes[i].orgs, st.OrgID)
			}
		}
	}
	// Polls only of the items shown (PollsOfItems checks no visibility),
	// closed or cancelled ones (Poll.Published), in one statement: the
	// trail shows their counts and outcome, the meeting page their ballots.
	polls, err := s.meetings.PollsOfItems(ctx, items)
	if err != nil {
		return t, err
	}
	for _, id := range items {
		for _, p := range polls[id] {
			if !p.Published() {
				continue
			}
			pv := newPollView(meetings.PublishedPoll{Poll: p}, "")
			t.Polls = append(t.Polls, trailPoll{pollView: pv, MeetingID: itemStep[id].MeetingID, ItemName: itemStep[id].ItemName})
		}
	}
	// The results protocols of the meetings, read for all at once; only
	// the protocols are checked for v (documents.Access).
	meetingIDs := make([]council.ID, len(t.Minutes))
	for i, m := range t.Minutes {
		meetingIDs[i] = m.MeetingID
	}
	var files map[council.ID][]documents.Listed
	if len(meetingIDs) > 0 {
		if files, err = s.docs.FilesOf(ctx, documents.LinkMeeting, meetingIDs); err != nil {
			return t, err
		}
	}
	// The minutes' state of every meeting and the recorded chapters of
	// the decided items, one statement each.
	states, err := s.meetings.MinutesStatuses(ctx, meetingIDs)
	if err != nil {
		return t, err
	}
	recs, err := s.docs.RecordingsOfItems(ctx, items, v.SeesAllNonPublic())
	if err != nil {
		return t, err
	}
	for _, r := range recs {
		if st, ok := itemStep[r.ItemID]; ok && st.MeetingID == r.MeetingID {
			t.Recordings = append(t.Recordings, trailRecording{MeetingID: r.MeetingID, ItemID: r.ItemID,
				ItemNumber: st.ItemNumber, ItemName: st.ItemName, Length: clock(r.Duration)})
		}
	}
	for i, m := range t.Minutes {
		st := states[m.MeetingID]
		t.Minutes[i].Page = s.minutesShown(v, st, m.orgs...)
		t.Minutes[i].Approved = st.State == meetings.MinutesApproved
		var protocols []documents.Listed
		for _, f := range files[m.MeetingID] {
			if f.Role == documents.RoleResultsProtocol {
				protocols = append(protocols, f)
			}
		}
		shown, err := s.visibleFiles(ctx, v, protocols)
		if err != nil {
			return t, err
		}
		if len(shown) > 0 {
			t.Minutes[i].Protocol = &shown[len(shown)-1]
		}
	}
	im, err := s.council.ImplementationFor(ctx, v, p.ID)
	switch {
	case err == nil:
		// The follow-ups are those v sees (ImplementationFor).
		t.Implementation, t.Overdue, t.FollowUps = &im, im.Overdue(s.today()), im.FollowUpPapers
	case council.KindOf(err) != council.KindNotFound:
		return t, err
	}
	return t, nil
}
