package admin

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/web/site"
)

// Citizens' motions and the youth council's and community groups'
// motions in the back office (docs/DOMAIN.md, "Einwohnerantrag"): the
// list, each motion with the clerk's decision — admit it into a Paper on a
// meeting's agenda, or reject it with the reason — and the answer to a
// group's motion; and the citizens' accounts with the residence
// confirmation that co-signing needs.

func (s *server) initiativeRoutes(r chi.Router) {
	r.Get("/initiatives", s.Handle(s.adminInitiatives))
	r.Get("/initiatives/{id}", s.Handle(s.adminInitiative))
	r.Post("/initiatives/{id}/admit", s.Handle(s.adminInitiativeAdmit))
	r.Post("/initiatives/{id}/reject", s.Handle(s.adminInitiativeText("reason", "initiative_rejected", s.Council.RejectInitiative)))
	r.Post("/initiatives/{id}/return", s.Handle(s.adminInitiativeText("reason", "initiative_returned", s.Council.ReturnInitiative)))
	r.Post("/initiatives/{id}/answer", s.Handle(s.adminInitiativeText("answer", "initiative_answered", s.Council.AnswerInitiative)))
	r.Post("/reports/{id}/resolve", s.Handle(s.adminReportResolve))
	r.Get("/citizens", s.Handle(s.adminCitizens))
	r.Get("/participation", s.Handle(s.adminParticipation))
	r.Post("/participation", s.Handle(s.adminParticipationSave))
	r.Post("/citizens/{id}/residence", s.Handle(s.adminCitizenResidence))
}

type initiativeList struct {
	Notice      string
	Initiatives []council.Initiative
	Reports     []council.AbuseReport // open reports of public contributions
	Today       time.Time
}

func (s *server) adminInitiatives(w http.ResponseWriter, r *http.Request) error {
	b, err := s.body(r.Context())
	if err != nil {
		return err
	}
	d := initiativeList{Notice: s.Notice(r), Today: council.Today(s.Now())}
	if d.Initiatives, err = s.Council.InitiativesToDecide(r.Context(), b.ID); err != nil {
		return err
	}
	if d.Reports, err = s.Council.OpenAbuseReports(r.Context()); err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "admin_initiatives", d)
	return nil
}

// initiativeView is the data of admin_initiative.html: the motion, the
// bodies that may decide it and their coming meetings, and the input and
// errors of a refused form.
type initiativeView struct {
	Notice   string
	I        council.Initiative
	Today    time.Time
	Orgs     []council.Organization
	Meetings []meetings.Meeting
	// Route is the responsible body's next meeting whose agenda can still
	// take the motion (preselected), RouteDeadline the last day to put it
	// on; NoRoute: the body has no such meeting. RouteOrg names the
	// responsible body.
	Route         *meetings.Meeting
	RouteDeadline time.Time
	RouteOrg      string
	NoRoute       bool
	Values        map[string]string
	Errors        council.FieldErrors
	Message       string
}

// postedInitiativeView is loadInitiativeView for a POST: also the parsed
// form.
func (s *server) postedInitiativeView(r *http.Request) (initiativeView, url.Values, error) {
	v, err := s.loadInitiativeView(r)
	if err != nil {
		return v, nil, err
	}
	f, err := parseForm(r)
	return v, f, err
}

func (s *server) loadInitiativeView(r *http.Request) (initiativeView, error) {
	ctx := r.Context()
	b, err := s.body(ctx)
	if err != nil {
		return initiativeView{}, err
	}
	id, i, err := fetchFromURL(r, "id", s.Council.Initiative)
	if err != nil {
		return initiativeView{}, err
	}
	if err := MustBelong("initiative", id, i.BodyID, b.ID, i.Deleted); err != nil {
		return initiativeView{}, err
	}
	v := initiativeView{Notice: s.Notice(r), I: i, Today: council.Today(s.Now()), Values: map[string]string{}, Errors: council.FieldErrors{}}
	if i.MeetingID != council.NilID { // a party group's motion: the meeting it is for
		v.Values["meeting"] = i.MeetingID.String()
	}
	if i.State != council.InitiativeSubmitted {
		return v, nil
	}
	orgs, err := s.Council.Organizations(ctx, b.ID)
	if err != nil {
		return v, err
	}
	for _, o := range orgs {
		if o.Kind == council.KindCouncil || o.Kind == council.KindCommittee || o.Kind == council.KindDistrictCouncil {
			v.Orgs = append(v.Orgs, o)
		}
	}
	coming, err := s.Meetings.Meetings(ctx, meetings.Filter{BodyID: b.ID, From: s.Now(), Limit: 60})
	if err != nil {
		return v, err
	}
	for _, m := range coming {
		if !m.Cancelled && (m.State == meetings.Planned || m.State == meetings.Invited) {
			v.Meetings = append(v.Meetings, m)
		}
	}
	return v, s.routeInitiative(ctx, &v)
}

// routeInitiative preselects where a submitted motion goes
// (docs/DOMAIN.md, "Einwohnerantrag"): the body the city made responsible
// for its kind (else the council) and that body's next meeting whose
// agenda deadline has not passed; a party group's motion, its own
// meeting's body and that meeting.
func (s *server) routeInitiative(ctx context.Context, v *initiativeView) error {
	rules, err := s.Council.ParticipationRules(ctx, v.I.BodyID)
	if err != nil {
		return err
	}
	org := rules.RouteFor(v.I.Kind)
	if v.I.MeetingID != council.NilID {
		if m := pick(v.Meetings, v.I.MeetingID.String(), func(m meetings.Meeting) council.ID { return m.ID }); m != nil {
			for _, o := range m.Organizations {
				if pick(v.Orgs, o.String(), func(o council.Organization) council.ID { return o.ID }) != nil {
					org = o
					break
				}
			}
		}
	}
	var chosen *council.Organization
	for i := range v.Orgs {
		if v.Orgs[i].ID == org || (org == council.NilID && v.Orgs[i].Kind == council.KindCouncil && chosen == nil) {
			chosen = &v.Orgs[i]
		}
	}
	if chosen == nil {
		return nil
	}
	v.Values["org"], v.RouteOrg = chosen.ID.String(), chosen.Name
	if v.I.MeetingID != council.NilID {
		return nil // a party group's motion: the meeting it named
	}
	m, ok, err := s.Meetings.NextMeetingFor(ctx, chosen.ID, rules.AgendaDays, s.Now())
	if err != nil || !ok {
		v.NoRoute = err == nil
		return err
	}
	if pick(v.Meetings, m.ID.String(), func(m meetings.Meeting) council.ID { return m.ID }) == nil {
		v.Meetings = append(v.Meetings, m)
	}
	v.Route, v.RouteDeadline, v.Values["meeting"] = &m, rules.AgendaDeadlineFor(m.Start), m.ID.String()
	return nil
}

func (s *server) adminInitiative(w http.ResponseWriter, r *http.Request) error {
	v, err := s.loadInitiativeView(r)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "admin_initiative", v)
	return nil
}

// initiativeFailed shows the motion again with a refused form's input and
// its errors (400), or returns any other error.
func (s *server) initiativeFailed(w http.ResponseWriter, r *http.Request, err error, values map[string]string) error {
	var fe council.FieldErrors
	var ue *council.UserError
	if !errors.As(err, &fe) && !errors.As(err, &ue) {
		return err
	}
	v, lerr := s.loadInitiativeView(r)
	if lerr != nil {
		return lerr
	}
	v.Values = values
	if fe != nil {
		v.Errors = fe
	} else {
		v.Message = ue.Key
	}
	s.Render(w, r, http.StatusBadRequest, "admin_initiative", v)
	return nil
}

// adminInitiativeAdmit admits the motion: a Paper consulted by the chosen
// body, put on the chosen meeting's agenda (optional: "" leaves it for the
// agenda builder).
func (s *server) adminInitiativeAdmit(w http.ResponseWriter, r *http.Request) error {
	v, f, err := s.postedInitiativeView(r)
	if err != nil {
		return err
	}
	values := map[string]string{"org": f.Get("org"), "meeting": f.Get("meeting")}
	fe := council.FieldErrors{}
	org := pick(v.Orgs, f.Get("org"), func(o council.Organization) council.ID { return o.ID })
	if org == nil {
		fe.Add("org", council.MsgRequired)
	}
	var meeting *meetings.Meeting
	if f.Get("meeting") != "" {
		if meeting = pick(v.Meetings, f.Get("meeting"), func(m meetings.Meeting) council.ID { return m.ID }); meeting == nil {
			fe.Add("meeting", council.MsgUnknownKind)
		}
	}
	if len(fe) > 0 {
		return s.initiativeFailed(w, r, fe, values)
	}
	ctx := s.Actor(r)
	_, paper, err := s.Council.AdmitInitiative(ctx, v.I.ID, org.ID, s.Now())
	if err != nil {
		return s.initiativeFailed(w, r, err, values)
	}
	if meeting != nil {
		if _, err := s.Meetings.AddPaper(ctx, meeting.ID, paper.ID, org.ID, true); err != nil {
			return err
		}
	}
	return Redirect(w, r, "/admin/initiatives/"+v.I.ID.String(), "initiative_admitted")
}

// pick returns the element of xs whose id is the text id, or nil.
func pick[T any](xs []T, id string, idOf func(T) council.ID) *T {
	for i := range xs {
		if idOf(xs[i]).String() == id {
			return &xs[i]
		}
	}
	return nil
}

// adminInitiativeText runs a clerk's step that takes one text field
// (reject: the reason; answer: the answer) and returns to the motion with
// notice; a refusal shows the form again with the text.
func (s *server) adminInitiativeText(field, notice string,
	do func(context.Context, council.ID, string, time.Time) (council.Initiative, error)) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		v, f, err := s.postedInitiativeView(r)
		if err != nil {
			return err
		}
		if _, err := do(s.Actor(r), v.I.ID, f.Get(field), s.Now()); err != nil {
			return s.initiativeFailed(w, r, err, map[string]string{field: f.Get(field)})
		}
		return Redirect(w, r, "/admin/initiatives/"+v.I.ID.String(), notice)
	}
}

// adminReportResolve closes an abuse report with what staff did.
func (s *server) adminReportResolve(w http.ResponseWriter, r *http.Request) error {
	id, err := site.URLID(r, "id")
	if err != nil {
		return err
	}
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	if err := s.Council.ResolveAbuseReport(s.Actor(r), id, f.Get("resolution"), s.Now()); err != nil {
		return err
	}
	return Redirect(w, r, "/admin/initiatives#reports", "report_resolved")
}

type citizenList struct {
	Notice   string
	Citizens []council.CitizenAccount
}

func (s *server) adminCitizens(w http.ResponseWriter, r *http.Request) error {
	d := citizenList{Notice: s.Notice(r)}
	var err error
	if d.Citizens, err = s.Council.Citizens(r.Context()); err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "admin_citizens", d)
	return nil
}

// adminCitizenResidence records (confirmed=1) or withdraws the clerk's
// confirmation that the citizen lives in the municipality.
func (s *server) adminCitizenResidence(w http.ResponseWriter, r *http.Request) error {
	id, u, err := fetchFromURL(r, "id", s.Council.User)
	if err != nil {
		return err
	}
	if u.Role != council.RoleCitizen || u.Deleted {
		return council.ErrNotFound
	}
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	if err := s.Council.ConfirmResidence(s.Actor(r), id, f.Get("confirmed") == "1"); err != nil {
		return err
	}
	return Redirect(w, r, "/admin/citizens", "residence_saved")
}
