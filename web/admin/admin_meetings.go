package admin

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings"
)

// Meetings: scheduling, editing, invitation and cancellation. The agenda
// builder is in admin_agenda.go.

type meetingList struct {
	Notice   string
	Meetings []meetings.Meeting
	Orgs     map[council.ID]string
}

func (s *server) adminMeetings(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	b, err := s.body(ctx)
	if err != nil {
		return err
	}
	ms, err := s.Meetings.Meetings(ctx, meetings.Filter{BodyID: b.ID, Descending: true, Limit: 500})
	if err != nil {
		return err
	}
	names, err := s.orgNames(ctx, b.ID)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "admin_meetings", meetingList{Notice: s.Notice(r), Meetings: ms, Orgs: names})
	return nil
}

// loadMeeting returns the body's meeting with the id in URL parameter
// "id". Errors: ErrInvalid, ErrNotFound.
func (s *server) loadMeeting(r *http.Request, body council.ID) (meetings.Meeting, error) {
	id, m, err := fetchFromURL(r, "id", s.Meetings.Meeting)
	if err != nil {
		return m, err
	}
	return m, MustBelong("meeting", id, m.BodyID, body, m.Deleted)
}

// suggestName proposes "<Gremium> – <n>. Sitzung" for the next meeting of
// org, counting its meetings that were not cancelled.
func (s *server) suggestName(ctx context.Context, body, org council.ID) (string, error) {
	o, err := s.Council.Organization(ctx, org)
	if err != nil {
		return "", err
	}
	ms, err := s.Meetings.Meetings(ctx, meetings.Filter{BodyID: body, OrganizationID: org, Limit: 2000})
	if err != nil {
		return "", err
	}
	n := 1
	for _, m := range ms {
		if !m.Cancelled {
			n++
		}
	}
	return fmt.Sprintf("%s – %d. Sitzung", o.Name, n), nil
}

func (s *server) adminMeetingNew(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	b, err := s.body(ctx)
	if err != nil {
		return err
	}
	v := url.Values{}
	if o := r.URL.Query().Get("org"); o != "" {
		id, err := council.ParseID(o)
		if err != nil {
			return err
		}
		org, err := s.Council.Organization(ctx, id)
		if err != nil {
			return err
		}
		if err := MustBelong("organization", id, org.BodyID, b.ID, org.Deleted); err != nil {
			return err
		}
		v.Set("organizations", id.String())
		if org.LocationID != council.NilID {
			v.Set("location", org.LocationID.String())
		}
	}
	return s.meetingForm(w, r, b.ID, council.NilID, v, nil)
}

func (s *server) adminMeetingEdit(w http.ResponseWriter, r *http.Request) error {
	b, m, err := loadInBody(s, r, s.loadMeeting)
	if err != nil {
		return err
	}
	v := url.Values{"name": {m.Name}, "start": {dateTimeValue(m.Start)}, "end": {dateTimeValue(m.End)},
		"location": {idValue(m.LocationID)}, "record": {boolValue(m.Record)}}
	for _, o := range m.Organizations {
		v.Add("organizations", o.String())
	}
	return s.meetingForm(w, r, b.ID, m.ID, v, nil)
}

// meetingChoices are the bodies and locations a meeting can name.
func (s *server) meetingChoices(ctx context.Context, body council.ID) (orgs, locs []option, err error) {
	if orgs, err = s.bodyOptions(ctx, body); err != nil {
		return nil, nil, err
	}
	ls, err := s.Council.Locations(ctx, body)
	if err != nil {
		return nil, nil, err
	}
	for _, l := range ls {
		locs = append(locs, option{Value: l.ID.String(), Label: l.Label()})
	}
	return orgs, locs, nil
}

func (s *server) meetingForm(w http.ResponseWriter, r *http.Request, body, id council.ID, v url.Values, fe council.FieldErrors) error {
	ctx := r.Context()
	orgs, locs, err := s.meetingChoices(ctx, body)
	if err != nil {
		return err
	}
	f := form{Title: "admin.meeting.new", Action: "/admin/meetings", Submit: "admin.save", Cancel: "/admin/meetings"}
	if id != council.NilID {
		f.Title, f.TitleArg = "admin.meeting.edit", v.Get("name")
		f.Action, f.Cancel = "/admin/meetings/"+id.String(), "/admin/meetings/"+id.String()
	}
	name := field{Type: "text", Name: "name", Label: "admin.meeting.name", Hint: "admin.meeting.name_hint"}
	if first := v.Get("organizations"); first != "" && known(first, orgs) {
		orgID, _ := council.ParseID(first)
		if sugg, err := s.suggestName(ctx, body, orgID); err == nil {
			name.Hint, name.HintArg = "admin.meeting.name_suggestion", sugg
			if id == council.NilID && v.Get("name") == "" && r.Method == http.MethodGet {
				v.Set("name", sugg)
			}
		}
	}
	fb := newForm(v, fe).
		add(name).
		choice("multiselect", "organizations", "admin.meeting.organizations", "admin.meeting.organizations_hint", true, orgs).
		set("admin.meeting.time_legend", "admin.meeting.time_hint").
		input("datetime-local", "start", "admin.meeting.start", "", true).
		input("datetime-local", "end", "meeting.end.label", "meeting.end.hint", false).
		set("admin.meeting.location_legend", "").
		choice("select", "location", "admin.meeting.location", "", false, withNone(locs)).
		set("admin.meeting.new_location", "admin.meeting.new_location_hint").
		input("text", "location_description", "admin.location.description", "", false).
		input("text", "location_street", "admin.location.street", "", false).
		input("text", "location_room", "admin.location.room", "", false).
		set("admin.meeting.record_legend", "").
		input("checkbox", "record", "admin.meeting.record", "admin.meeting.record_hint", false)
	return s.renderForm(w, r, fb.build(f))
}

func (s *server) adminMeetingSave(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	b, m, err := loadOrNew(s, r, "id", s.loadMeeting)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	orgs, locs, err := s.meetingChoices(ctx, b.ID)
	if err != nil {
		return err
	}
	fe := council.FieldErrors{}
	m.BodyID = b.ID
	m.Organizations = parseChoices(fe, "organizations", v["organizations"], orgs)
	m.Start, m.End = parseDateTime(fe, "start", v.Get("start")), parseDateTime(fe, "end", v.Get("end"))
	m.LocationID = parseChoice(fe, "location", v.Get("location"), locs)
	m.Name = strings.TrimSpace(v.Get("name"))
	m.Record = v.Get("record") != ""
	if m.End.IsZero() && !m.Start.IsZero() && len(m.Organizations) > 0 {
		// Every meeting gets an expected end (docs/DOMAIN.md, "Expected
		// end"): the start plus its first body's usual length.
		d, err := s.Meetings.TypicalLength(ctx, m.Organizations[0], m.Start)
		if err != nil {
			return err
		}
		m.End = m.Start.Add(d)
	}
	if m.Name == "" && len(m.Organizations) > 0 {
		if m.Name, err = s.suggestName(ctx, b.ID, m.Organizations[0]); err != nil {
			return err
		}
	}
	loc := council.Location{BodyID: b.ID, Description: strings.TrimSpace(v.Get("location_description")),
		StreetAddress: strings.TrimSpace(v.Get("location_street")), Room: strings.TrimSpace(v.Get("location_room"))}
	newLoc := loc.Description+loc.StreetAddress+loc.Room != ""
	if newLoc {
		if m.LocationID != council.NilID {
			fe.Add("location_description", "admin.meeting.location_both")
		} else if err := loc.Validate(); err != nil {
			verr, _ := fieldErrors(err)
			for k, msg := range verr {
				fe.Add(locationField(k), msg)
			}
		}
	}
	saved, ok, err := saveValid(fe, m.Validate, func() (meetings.Meeting, error) { return s.saveMeeting(s.Actor(r), m, loc, newLoc) })
	if err != nil {
		return err
	}
	if ok {
		notice := "saved"
		if m.ID == council.NilID {
			notice = "meeting_scheduled"
		}
		return Redirect(w, r, meetingURL(saved), notice)
	}
	if v.Get("name") == "" {
		v.Set("name", m.Name)
	}
	return s.meetingForm(w, r, b.ID, m.ID, v, fe)
}

// locationField maps a council.Location field to the meeting form's name.
func locationField(k string) string {
	switch k {
	case "street_address":
		return "location_street"
	case "room":
		return "location_room"
	}
	return "location_description"
}

// saveMeeting saves the new location first when one was entered.
func (s *server) saveMeeting(ctx context.Context, m meetings.Meeting, loc council.Location, newLoc bool) (meetings.Meeting, error) {
	if newLoc {
		l, err := s.Council.SaveLocation(ctx, loc)
		if err != nil {
			return meetings.Meeting{}, err
		}
		m.LocationID = l.ID
	}
	return s.Meetings.SaveMeeting(ctx, m)
}

// inviteProblem explains why m cannot be invited, or returns "".
func inviteProblem(m meetings.Meeting, items int) string {
	switch {
	case m.Cancelled:
		return "admin.meeting.invite_cancelled"
	case m.State != meetings.Planned:
		return "admin.meeting.invite_state"
	case items == 0:
		return "admin.meeting.invite_empty"
	}
	return ""
}

// meetingQuestion builds the confirmation page of an action on the meeting
// the request's URL names, stating the problem that refuses the action if
// there is one: inviteConfirm, cancelConfirm.
type meetingQuestion func(r *http.Request) (confirm, meetings.Meeting, error)

// askMeeting answers the GET of a confirmation page with the question ask
// builds.
func (s *server) askMeeting(w http.ResponseWriter, r *http.Request, ask meetingQuestion) error {
	c, _, err := ask(r)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "admin_confirm", c)
	return nil
}

// actOnMeeting answers the POST of a confirmation page: when the question
// ask builds states a problem it shows the page again with 409 Conflict;
// otherwise it runs act on the meeting and redirects to it with notice.
func (s *server) actOnMeeting(w http.ResponseWriter, r *http.Request, ask meetingQuestion, act func(meetings.Meeting) error, notice string) error {
	c, m, err := ask(r)
	if err != nil {
		return err
	}
	if c.Problem != "" {
		s.Render(w, r, http.StatusConflict, "admin_confirm", c)
		return nil
	}
	if err := act(m); err != nil {
		return err
	}
	return Redirect(w, r, meetingURL(m), notice)
}

func (s *server) inviteConfirm(r *http.Request) (confirm, meetings.Meeting, error) {
	_, m, err := loadInBody(s, r, s.loadMeeting)
	if err != nil {
		return confirm{}, m, err
	}
	items, err := s.Meetings.AgendaItems(r.Context(), m.ID)
	if err != nil {
		return confirm{}, m, err
	}
	u := meetingURL(m)
	c := confirm{Title: "admin.meeting.invite_title", Subject: m.Name, Message: "admin.meeting.invite_question",
		Problem: inviteProblem(m, len(items)), Action: u + "/invite", Button: "admin.meeting.invite", Cancel: u}
	if len(items) > 0 {
		c.Preview = []confirmLink{
			{Href: u + "/invitation.pdf", Label: "admin.meeting.invitation_public", Type: "application/pdf"},
			{Href: u + "/invitation.pdf?version=members", Label: "admin.meeting.invitation_members", Type: "application/pdf"},
		}
	}
	return c, m, nil
}

func (s *server) adminMeetingInviteConfirm(w http.ResponseWriter, r *http.Request) error {
	return s.askMeeting(w, r, s.inviteConfirm)
}

// adminMeetingInvite publishes the invitation: the meeting moves to
// invited and the public invitation PDF is stored as its invitation file
// (a new version when re-published). The PDF is rendered once before the
// state changes, so a rendering failure (e.g. missing fonts) leaves the
// meeting planned.
func (s *server) adminMeetingInvite(w http.ResponseWriter, r *http.Request) error {
	return s.actOnMeeting(w, r, s.inviteConfirm, func(m meetings.Meeting) error {
		ctx := s.Actor(r)
		if _, err := documents.InvitationPDF(ctx, s.Council, s.Meetings, m.ID, true); err != nil {
			return fmt.Errorf("render the invitation before publishing: %w", err)
		}
		if _, err := s.Meetings.Invite(ctx, m.ID, s.Now()); err != nil {
			return err
		}
		if _, err := documents.PublishInvitation(ctx, s.Council, s.Meetings, s.Docs, m.ID, s.Now()); err != nil {
			return fmt.Errorf("meeting %s is invited, but its invitation PDF was not stored: %w", m.ID, err)
		}
		return nil
	}, "invited")
}

func (s *server) cancelConfirm(r *http.Request) (confirm, meetings.Meeting, error) {
	_, m, err := loadInBody(s, r, s.loadMeeting)
	if err != nil {
		return confirm{}, m, err
	}
	u := meetingURL(m)
	c := confirm{Title: "admin.meeting.cancel_title", Subject: m.Name, Message: "admin.meeting.cancel_question",
		Action: u + "/cancel", Button: "admin.meeting.cancel", Cancel: u}
	switch {
	case m.Cancelled:
		c.Problem = "admin.meeting.cancel_already"
	case m.State == meetings.Running || m.State == meetings.Closed:
		c.Problem = "admin.meeting.cancel_state"
	}
	return c, m, nil
}

func (s *server) adminMeetingCancelConfirm(w http.ResponseWriter, r *http.Request) error {
	return s.askMeeting(w, r, s.cancelConfirm)
}

func (s *server) adminMeetingCancel(w http.ResponseWriter, r *http.Request) error {
	return s.actOnMeeting(w, r, s.cancelConfirm, func(m meetings.Meeting) error {
		_, err := s.Meetings.Cancel(s.Actor(r), m.ID)
		return err
	}, "cancelled")
}
