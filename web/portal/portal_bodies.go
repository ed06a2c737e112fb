package portal

import (
	"context"
	"net/http"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/web/site"
)

// bodiesPage is the data of the list of organizations.
type bodiesPage struct {
	Groups []orgGroup
}

// orgGroup is the organizations of one kind.
type orgGroup struct {
	Kind council.OrgKind
	Orgs []orgEntry
}

// orgEntry is an organization with its current member count.
type orgEntry struct {
	ID        council.ID
	Name      string
	ShortName string
	Members   int
}

func (s *Server) portalBodies(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	body, err := s.council.MainBody(ctx)
	if err != nil {
		return err
	}
	today := council.Today(s.opt.Now())
	orgs, err := s.council.Organizations(ctx, body.ID)
	if err != nil {
		return err
	}
	counts, err := s.council.MemberCounts(ctx, body.ID, today)
	if err != nil {
		return err
	}
	var data bodiesPage
	byKind := map[council.OrgKind][]orgEntry{}
	for _, o := range orgs {
		if o.Kind == council.KindAdministration || (!o.End.IsZero() && o.End.Before(today)) {
			continue
		}
		byKind[o.Kind] = append(byKind[o.Kind], orgEntry{ID: o.ID, Name: o.Name, ShortName: o.ShortName, Members: counts[o.ID]})
	}
	for _, k := range council.OrgKinds {
		if len(byKind[k]) > 0 {
			data.Groups = append(data.Groups, orgGroup{Kind: k, Orgs: byKind[k]})
		}
	}
	s.render(w, r, http.StatusOK, "bodies", data)
	return nil
}

// bodyPage is the data of an organization's page.
type bodyPage struct {
	Org      council.Organization
	Parent   site.OrgRef
	Members  []seatView
	IsBody   bool
	Upcoming []meetingRow
	Recent   []meetingRow
	Year     int // this year, for the link to all meetings
}

// seatView is a membership as the public sees it: the person by name only,
// never their contact data.
type seatView struct {
	PersonID    council.ID
	Name        string
	OrgID       council.ID
	OrgName     string
	Role        string
	Group       string
	Substitute  bool
	VotingRight bool
	Start, End  time.Time
}

func seatOf(st council.Seat) seatView {
	return seatView{PersonID: st.PersonID, Name: st.Person.Name(), OrgID: st.OrganizationID, OrgName: st.OrgName,
		Role: st.Role, Group: st.OnBehalfName, Substitute: st.Substitute, VotingRight: st.VotingRight,
		Start: st.Start, End: st.End}
}

func (s *Server) portalBody(w http.ResponseWriter, r *http.Request) error {
	id, err := site.PathID(r)
	if err != nil {
		return err
	}
	data, err := s.bodyView(r.Context(), id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "body", data)
	return nil
}

// bodyView loads organization id with its current members and meetings.
// Errors: ErrNotFound.
func (s *Server) bodyView(ctx context.Context, id council.ID) (bodyPage, error) {
	o, err := s.council.Organization(ctx, id)
	if err != nil {
		return bodyPage{}, site.HideMissing(err, "organization", id)
	}
	if o.Deleted {
		return bodyPage{}, site.NotFound("organization", id)
	}
	now := s.opt.Now()
	data := bodyPage{Org: o, IsBody: o.Kind.IsBody(), Year: now.In(site.Berlin).Year()}
	dir, err := s.directory(ctx, o.BodyID)
	if err != nil {
		return bodyPage{}, err
	}
	if p, ok := dir.Orgs[o.ParentID]; ok {
		data.Parent = site.OrgRef{ID: p.ID, Name: p.Name}
	}
	seats, err := s.council.Members(ctx, id, council.Today(now))
	if err != nil {
		return bodyPage{}, err
	}
	for _, st := range seats {
		data.Members = append(data.Members, seatOf(st))
	}
	if !data.IsBody {
		return data, nil
	}
	today := startOfDay(now)
	up, err := s.meetings.Meetings(ctx, meetings.Filter{BodyID: o.BodyID, OrganizationID: id, From: today, Limit: 10})
	if err != nil {
		return bodyPage{}, err
	}
	recent, err := s.meetings.Meetings(ctx, meetings.Filter{BodyID: o.BodyID, OrganizationID: id, To: today,
		Descending: true, Limit: 10})
	if err != nil {
		return bodyPage{}, err
	}
	data.Upcoming, data.Recent = meetingRows(dir, up), meetingRows(dir, recent)
	return data, nil
}

// personPage is the data of a person's page: name and memberships only.
type personPage struct {
	Name    string
	Current seatTable
	Past    seatTable
}

// seatTable is a table of memberships with its caption.
type seatTable struct {
	Caption string // translation key taking the person's name
	Name    string
	Seats   []seatView
}

func (s *Server) portalPerson(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := site.PathID(r)
	if err != nil {
		return err
	}
	p, err := s.council.Person(ctx, id)
	if err != nil {
		return site.HideMissing(err, "person", id)
	}
	if p.Deleted {
		return site.NotFound("person", id)
	}
	seats, err := s.council.MembershipsOf(ctx, id, time.Time{})
	if err != nil {
		return err
	}
	today := council.Today(s.opt.Now())
	data := personPage{Name: p.Name(),
		Current: seatTable{Caption: "portal.person.current_caption", Name: p.Name()},
		Past:    seatTable{Caption: "portal.person.past_caption", Name: p.Name()}}
	for _, st := range seats {
		if !st.End.IsZero() && st.End.Before(today) {
			data.Past.Seats = append(data.Past.Seats, seatOf(st))
		} else {
			data.Current.Seats = append(data.Current.Seats, seatOf(st))
		}
	}
	s.render(w, r, http.StatusOK, "person", data)
	return nil
}
