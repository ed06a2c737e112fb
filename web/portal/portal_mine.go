package portal

import (
	"net/http"
	"slices"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// "Meine Gremien" (/my/bodies): the bodies the logged-in user's person is
// a current member of, each with its next meetings. Members land here
// after logging in; the header links it for them.

// myBodiesMeetings is how many upcoming meetings each body shows.
const myBodiesMeetings = 3

// myBodiesPage is the data of my_bodies.html.
type myBodiesPage struct {
	Linked bool // the account is linked to a person
	Bodies []myBody
}

// myBody is one organization of the user with their roles there.
type myBody struct {
	ID       council.ID
	Name     string
	Kind     council.OrgKind
	Roles    []string
	Upcoming []meetingRow
}

func (s *Server) portalMyBodies(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	rs := s.requestStateOf(r)
	if rs.viewer.IsPublic() {
		loginFirst(w, r)
		return nil
	}
	data := myBodiesPage{Linked: rs.user.PersonID != council.NilID}
	if !data.Linked {
		s.render(w, r, http.StatusOK, "my_bodies", data)
		return nil
	}
	now := s.opt.Now()
	seats, err := s.council.MembershipsOf(ctx, rs.user.PersonID, council.Today(now))
	if err != nil {
		return err
	}
	body, err := s.council.MainBody(ctx)
	if err != nil {
		return err
	}
	dir, err := s.directory(ctx, body.ID)
	if err != nil {
		return err
	}
	at := map[council.ID]int{} // organization → index in data.Bodies
	for _, st := range seats {
		o, ok := dir.Orgs[st.OrganizationID]
		if !ok {
			continue
		}
		i, seen := at[o.ID]
		if !seen {
			i = len(data.Bodies)
			at[o.ID] = i
			data.Bodies = append(data.Bodies, myBody{ID: o.ID, Name: o.Name, Kind: o.Kind})
		}
		role := st.Role
		if st.Substitute {
			role = s.i18n.T(rs.lang, "portal.mine.substitute", role)
		}
		if role != "" {
			data.Bodies[i].Roles = append(data.Bodies[i].Roles, role)
		}
	}
	from := startOfDay(now)
	// Sessions that began before today and still run lead the list.
	ids := make([]council.ID, len(data.Bodies))
	for i, b := range data.Bodies {
		ids[i] = b.ID
	}
	var running []meetings.Meeting
	if len(ids) > 0 {
		if running, err = s.meetings.Meetings(ctx, meetings.Filter{BodyID: body.ID, OrganizationIDs: ids, To: from,
			State: meetings.Running, Limit: 20}); err != nil {
			return err
		}
	}
	for i, b := range data.Bodies {
		var ms []meetings.Meeting
		for _, m := range running {
			if slices.Contains(m.Organizations, b.ID) {
				ms = append(ms, m)
			}
		}
		up, err := s.meetings.Meetings(ctx, meetings.Filter{BodyID: body.ID, OrganizationID: b.ID, From: from, Limit: myBodiesMeetings})
		if err != nil {
			return err
		}
		data.Bodies[i].Upcoming = meetingRows(dir, append(ms, up...))
	}
	s.render(w, r, http.StatusOK, "my_bodies", data)
	return nil
}
