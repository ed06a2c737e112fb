package admin

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
)

// Organizations and their memberships in the back office.

type orgList struct {
	Notice string
	Orgs   []council.Organization
}

type orgDetail struct {
	Notice string
	Org    council.Organization
	Parent string
	Seats  []council.Seat
	Today  time.Time
}

func (s *server) adminOrgs(w http.ResponseWriter, r *http.Request) error {
	b, err := s.body(r.Context())
	if err != nil {
		return err
	}
	orgs, err := s.Council.Organizations(r.Context(), b.ID)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "admin_orgs", orgList{Notice: s.Notice(r), Orgs: orgs})
	return nil
}

// loadOrg returns the body's organization with the id in URL parameter
// "id". Errors: ErrInvalid (malformed id), ErrNotFound.
func (s *server) loadOrg(r *http.Request, body council.ID) (council.Organization, error) {
	id, o, err := fetchFromURL(r, "id", s.Council.Organization)
	if err != nil {
		return o, err
	}
	return o, MustBelong("organization", id, o.BodyID, body, o.Deleted)
}

func (s *server) adminOrg(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	_, o, err := loadInBody(s, r, s.loadOrg)
	if err != nil {
		return err
	}
	seats, err := s.Council.Members(ctx, o.ID, time.Time{})
	if err != nil {
		return err
	}
	d := orgDetail{Notice: s.Notice(r), Org: o, Seats: seats, Today: council.Today(s.Now())}
	if o.ParentID != council.NilID {
		if p, err := s.Council.Organization(ctx, o.ParentID); err == nil {
			d.Parent = p.Name
		}
	}
	s.Render(w, r, http.StatusOK, "admin_org", d)
	return nil
}

func (s *server) adminOrgNew(w http.ResponseWriter, r *http.Request) error {
	b, err := s.body(r.Context())
	if err != nil {
		return err
	}
	return s.orgForm(w, r, b.ID, council.NilID, url.Values{"kind": {string(council.KindCommittee)}}, nil)
}

func (s *server) adminOrgEdit(w http.ResponseWriter, r *http.Request) error {
	b, o, err := loadInBody(s, r, s.loadOrg)
	if err != nil {
		return err
	}
	v := url.Values{"name": {o.Name}, "short_name": {o.ShortName}, "kind": {string(o.Kind)},
		"parent": {idValue(o.ParentID)}, "statutory_seats": {intValue(o.StatutorySeats)}, "website": {o.Website},
		"start": {dateValue(o.Start)}, "end": {dateValue(o.End)}}
	return s.orgForm(w, r, b.ID, o.ID, v, nil)
}

// parentOptions are the organizations that can be a parent of id.
func (s *server) parentOptions(ctx context.Context, body, id council.ID) ([]option, error) {
	orgs, err := s.Council.Organizations(ctx, body)
	if err != nil {
		return nil, err
	}
	var out []council.Organization
	for _, o := range orgs {
		if o.ID != id {
			out = append(out, o)
		}
	}
	return orgOptions(out), nil
}

func (s *server) orgForm(w http.ResponseWriter, r *http.Request, body, id council.ID, v url.Values, fe council.FieldErrors) error {
	parents, err := s.parentOptions(r.Context(), body, id)
	if err != nil {
		return err
	}
	f := form{Title: "admin.org.new", Action: "/admin/organizations", Submit: "admin.save", Cancel: "/admin/organizations"}
	if id != council.NilID {
		f.Title, f.TitleArg = "admin.org.edit", v.Get("name")
		f.Action, f.Cancel = "/admin/organizations/"+id.String(), "/admin/organizations/"+id.String()
	}
	fb := newForm(v, fe).
		input("text", "name", "admin.org.name", "", true).
		input("text", "short_name", "admin.org.short_name", "admin.org.short_name_hint", false).
		choice("select", "kind", "admin.org.kind", "", true, kindOptions()).
		choice("select", "parent", "admin.org.parent", "admin.org.parent_hint", false, withNone(parents)).
		input("number", "statutory_seats", "admin.org.seats", "admin.org.seats_hint", false).
		input("url", "website", "admin.org.website", "", false).
		set("admin.period", "").
		input("date", "start", "admin.start_date", "", false).
		input("date", "end", "admin.end_date", "", false)
	return s.renderForm(w, r, fb.build(f))
}

func (s *server) adminOrgSave(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	b, o, err := loadOrNew(s, r, "id", s.loadOrg)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	parents, err := s.parentOptions(ctx, b.ID, o.ID)
	if err != nil {
		return err
	}
	fe := council.FieldErrors{}
	o.BodyID = b.ID
	o.Name, o.ShortName = strings.TrimSpace(v.Get("name")), strings.TrimSpace(v.Get("short_name"))
	o.Kind = council.OrgKind(v.Get("kind"))
	o.ParentID = parseChoice(fe, "parent", v.Get("parent"), parents)
	o.StatutorySeats = parseInt(fe, "statutory_seats", v.Get("statutory_seats"))
	o.Website = strings.TrimSpace(v.Get("website"))
	o.Start, o.End = ParseDate(fe, "start", v.Get("start")), ParseDate(fe, "end", v.Get("end"))
	saved, ok, err := saveValid(fe, o.Validate, func() (council.Organization, error) { return s.Council.SaveOrganization(s.Actor(r), o) })
	return afterSave(w, r, ok, err, "/admin/organizations/"+saved.ID.String(), "saved", func() error { return s.orgForm(w, r, b.ID, o.ID, v, fe) })
}

// Memberships.

// loadMembership returns the membership in URL parameter "mid" and its
// organization, which belongs to the back office's body. Errors:
// ErrInvalid, ErrNotFound.
func (s *server) loadMembership(r *http.Request) (council.Membership, council.Organization, error) {
	b, err := s.body(r.Context())
	if err != nil {
		return council.Membership{}, council.Organization{}, err
	}
	id, m, err := fetchFromURL(r, "mid", s.Council.Membership)
	if err != nil {
		return council.Membership{}, council.Organization{}, err
	}
	o, err := s.Council.Organization(r.Context(), m.OrganizationID)
	if err != nil {
		return council.Membership{}, council.Organization{}, err
	}
	if err := MustBelong("membership", id, o.BodyID, b.ID, m.Deleted || o.Deleted); err != nil {
		return council.Membership{}, council.Organization{}, err
	}
	return m, o, nil
}

func (s *server) adminMembershipNew(w http.ResponseWriter, r *http.Request) error {
	b, o, err := loadInBody(s, r, s.loadOrg)
	if err != nil {
		return err
	}
	v := url.Values{"role": {"Mitglied"}, "voting_right": {"1"}, "start": {dateValue(council.Today(s.Now()))}}
	return s.membershipForm(w, r, b.ID, o, council.NilID, v, nil)
}

func (s *server) adminMembershipEdit(w http.ResponseWriter, r *http.Request) error {
	m, o, err := s.loadMembership(r)
	if err != nil {
		return err
	}
	v := url.Values{"person": {idValue(m.PersonID)}, "role": {m.Role}, "voting_right": {boolValue(m.VotingRight)},
		"substitute": {boolValue(m.Substitute)}, "on_behalf_of": {idValue(m.OnBehalfOfID)},
		"start": {dateValue(m.Start)}, "end": {dateValue(m.End)}}
	return s.membershipForm(w, r, o.BodyID, o, m.ID, v, nil)
}

// membershipChoices are the persons and party groups a membership can name.
func (s *server) membershipChoices(ctx context.Context, body council.ID) (persons, groups []option, err error) {
	ps, err := s.Council.Persons(ctx, body)
	if err != nil {
		return nil, nil, err
	}
	gs, err := s.Council.Organizations(ctx, body, council.KindPartyGroup)
	if err != nil {
		return nil, nil, err
	}
	return personOptions(ps), orgOptions(gs), nil
}

// roleSuggestions are the usual membership roles.
var roleSuggestions = []string{"Mitglied", "Vorsitzende*r", "stellv. Vorsitzende*r", "Stellvertreter*in",
	"sachkundige*r Einwohner*in", "beratendes Mitglied"}

func (s *server) membershipForm(w http.ResponseWriter, r *http.Request, body council.ID, o council.Organization,
	id council.ID, v url.Values, fe council.FieldErrors) error {
	persons, groups, err := s.membershipChoices(r.Context(), body)
	if err != nil {
		return err
	}
	orgURL := "/admin/organizations/" + o.ID.String()
	f := form{Title: "admin.membership.new", TitleArg: o.Name, Action: orgURL + "/memberships", Submit: "admin.save", Cancel: orgURL}
	if id != council.NilID {
		f.Title, f.Action = "admin.membership.edit", "/admin/memberships/"+id.String()
	}
	fb := newForm(v, fe).
		choice("select", "person", "admin.membership.person", "", true, withNone(persons)).
		add(field{Type: "text", Name: "role", Label: "admin.membership.role", List: roleSuggestions}).
		set("admin.membership.rights", "").
		input("checkbox", "voting_right", "admin.membership.voting_right", "", false).
		input("checkbox", "substitute", "admin.membership.substitute", "", false).
		choice("select", "on_behalf_of", "admin.membership.on_behalf_of", "admin.membership.on_behalf_of_hint", false, withNone(groups)).
		set("admin.period", "").
		input("date", "start", "admin.start_date", "", false).
		input("date", "end", "admin.end_date", "admin.membership.end_hint", false)
	return s.renderForm(w, r, fb.build(f))
}

func (s *server) adminMembershipSave(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var m council.Membership
	var o council.Organization
	var err error
	if chi.URLParam(r, "mid") != "" {
		m, o, err = s.loadMembership(r)
	} else {
		_, o, err = loadInBody(s, r, s.loadOrg)
		m.OrganizationID = o.ID
	}
	if err != nil {
		return err
	}
	body := o.BodyID // the back office's body: both loaders check it
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	persons, groups, err := s.membershipChoices(ctx, body)
	if err != nil {
		return err
	}
	fe := council.FieldErrors{}
	m.PersonID = parseChoice(fe, "person", v.Get("person"), persons)
	m.Role = strings.TrimSpace(v.Get("role"))
	m.VotingRight, m.Substitute = v.Get("voting_right") != "", v.Get("substitute") != ""
	m.OnBehalfOfID = parseChoice(fe, "on_behalf_of", v.Get("on_behalf_of"), groups)
	m.Start, m.End = ParseDate(fe, "start", v.Get("start")), ParseDate(fe, "end", v.Get("end"))
	_, ok, err := saveValid(fe, m.Validate, func() (council.Membership, error) { return s.Council.SaveMembership(s.Actor(r), m) })
	return afterSave(w, r, ok, err, "/admin/organizations/"+o.ID.String(), "membership_saved", func() error {
		return s.membershipForm(w, r, body, o, m.ID, v, fe)
	})
}

// adminMembershipEnd ends a membership today (or keeps an earlier end).
func (s *server) adminMembershipEnd(w http.ResponseWriter, r *http.Request) error {
	m, o, err := s.loadMembership(r)
	if err != nil {
		return err
	}
	today := council.Today(s.Now())
	if m.End.IsZero() || m.End.After(today) {
		m.End = today
		if !m.Start.IsZero() && m.Start.After(today) {
			m.End = m.Start
		}
		if _, err := s.Council.SaveMembership(s.Actor(r), m); err != nil {
			return err
		}
	}
	return Redirect(w, r, "/admin/organizations/"+o.ID.String(), "membership_ended")
}

func (s *server) adminMembershipDelete(w http.ResponseWriter, r *http.Request) error {
	m, o, err := s.loadMembership(r)
	if err != nil {
		return err
	}
	if err := s.Council.DeleteMembership(s.Actor(r), m.ID); err != nil {
		return err
	}
	return Redirect(w, r, "/admin/organizations/"+o.ID.String(), "membership_deleted")
}
