package participation

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/web/httperr"
	"github.com/plenar/plenar/web/site"
)

// Participation, "Beteiligung" (docs/DOMAIN.md, "Einwohnerantrag";
// docs/ARCHITECTURE.md, "Participation"): citizens' motions, the
// motions of the youth council and community groups, and the motions and
// questions of party groups and of single councillors — the public list,
// each motion's page with its co-signing, and the author's forms. Every
// state change goes through council's initiative store; the public reads
// through initiative_public.

func (s *server) participationRoutes(r chi.Router) {
	r.Get("/beteiligung", s.Handle(s.participation))
	r.Get("/beteiligung/antraege/neu", s.Handle(s.initiativeNew))
	r.Post("/beteiligung/antraege", s.Handle(s.initiativeCreate))
	r.Get("/beteiligung/antraege/{id}", s.Handle(s.initiativeShow))
	r.Get("/beteiligung/antraege/{id}/bearbeiten", s.Handle(s.initiativeEdit))
	r.Post("/beteiligung/antraege/{id}/bearbeiten", s.Handle(s.initiativeUpdate))
	r.Post("/beteiligung/antraege/{id}/melden", s.Handle(s.initiativeReport))
	r.Post("/beteiligung/fragen/{id}/melden", s.Handle(s.questionReport))
	r.Post("/beteiligung/antraege/{id}/{action}", s.Handle(s.initiativeAction))
}

// participationPage is the data of participation.html.
type participationPage struct {
	Collecting, Decided []council.Initiative // public: open for signatures / past it
	Mine                []council.Initiative // the visitor's own, drafts included
	Rules               council.ParticipationRules
	Today               time.Time
	LoggedIn            bool
}

func (s *server) participation(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	rs := s.State(r)
	body, err := s.Council.MainBody(ctx)
	if err != nil {
		return err
	}
	data := participationPage{Today: council.Today(s.Now()), LoggedIn: !rs.Viewer.IsPublic()}
	if data.Rules, err = s.Council.ParticipationRules(ctx, body.ID); err != nil {
		return err
	}
	list, err := s.Council.PublicInitiatives(ctx, body.ID)
	if err != nil {
		return err
	}
	for _, i := range list {
		if i.State == council.InitiativeCollecting && !i.Expired(data.Today) {
			data.Collecting = append(data.Collecting, i)
		} else {
			data.Decided = append(data.Decided, i)
		}
	}
	if data.LoggedIn {
		if data.Mine, err = s.Council.InitiativesOf(ctx, rs.Viewer); err != nil {
			return err
		}
		w.Header().Set("Cache-Control", "no-store")
	}
	s.Render(w, r, http.StatusOK, "participation", data)
	return nil
}

// initiativePage is the data of initiative.html: the motion as the
// visitor may see it, what they may do, and the outcome of their last
// action (Message: an error in their words; Notice: a done step's key).
type initiativePage struct {
	I        council.Initiative
	Own      bool // the visitor wrote it
	Signed   bool // the visitor co-signed it
	SignHint string
	Today    time.Time
	Message  string
	Notice   string
	// A party group's motion: the meeting it is for and the last day it
	// may arrive; Colleague: the visitor is a fellow member who may
	// co-sign.
	Meeting   *meetings.Meeting
	Deadline  time.Time
	Colleague bool
	// GroupMeeting is the group's meeting that decided to file it.
	GroupMeeting *meetings.Meeting
	// Routing of an admitted motion: the deciding body, and the meeting
	// it is on the agenda of once the visitor may see that agenda.
	Routing *initiativeRouting
}

// initiativeRouting is where an admitted motion went: its Paper's
// deciding body and, once that agenda is published (or for staff and
// members who see it), the meeting and agenda item.
type initiativeRouting struct {
	OrgName      string
	Scheduled    bool // the meeting below is known and may be shown
	MeetingID    council.ID
	MeetingName  string
	MeetingStart time.Time
	ItemNumber   string
}

// routingOf reads where the motion's Paper is consulted: the first
// consultation's body and, as the paper page shows it
// (meetings.Step.AgendaPublished, computed by the database), its meeting.
func (s *server) routingOf(ctx context.Context, v council.Viewer, paper council.ID) (*initiativeRouting, error) {
	path, err := s.Meetings.Path(ctx, paper)
	if err != nil || len(path) == 0 {
		return nil, err
	}
	st := path[0]
	for _, x := range path {
		if x.Authoritative {
			st = x
			break
		}
	}
	rt := &initiativeRouting{OrgName: st.OrgName}
	if st.Item.ID == council.NilID || st.Cancelled || (!st.AgendaPublished && !v.SeesAllNonPublic()) ||
		(!st.Item.Public && !v.SeesNonPublicOf(st.OrganizationID)) {
		return rt, nil
	}
	rt.Scheduled, rt.MeetingID, rt.MeetingName, rt.MeetingStart, rt.ItemNumber = true, st.MeetingID, st.MeetingName, st.MeetingStart, st.Item.Number
	return rt, nil
}

// CanSign reports whether the sign button is offered.
func (p initiativePage) CanSign() bool {
	if p.I.Kind.CouncilMotion() {
		return p.Colleague && p.I.State.Editable() && !p.Signed
	}
	return p.I.State == council.InitiativeCollecting && !p.I.Expired(p.Today) && !p.Signed && p.SignHint == ""
}

// Late reports whether a party group's motion missed its meeting's
// deadline (it can no longer be submitted for it).
func (p initiativePage) Late() bool { return !p.Deadline.IsZero() && p.Today.After(p.Deadline) }

// loadInitiative reads the motion {id} as the visitor may see it.
func (s *server) loadInitiative(r *http.Request) (initiativePage, error) {
	ctx := r.Context()
	rs := s.State(r)
	id, err := site.PathID(r)
	if err != nil {
		return initiativePage{}, err
	}
	i, err := s.Council.InitiativeFor(ctx, rs.Viewer, id)
	if err != nil {
		return initiativePage{}, err
	}
	p := initiativePage{I: i, Own: i.AuthorID == rs.Viewer.UserID && !rs.Viewer.IsPublic(), Today: council.Today(s.Now())}
	if i.GroupMeetingID != council.NilID {
		m, err := s.Meetings.Meeting(ctx, i.GroupMeetingID)
		if err != nil && !errors.Is(err, council.ErrNotFound) {
			return p, err
		}
		if err == nil {
			p.GroupMeeting = &m
		}
	}
	if i.PaperID != council.NilID {
		if p.Routing, err = s.routingOf(ctx, rs.Viewer, i.PaperID); err != nil {
			return p, err
		}
	}
	if i.Kind.CouncilMotion() {
		return p, s.partyMotionPage(ctx, rs.Viewer, &p)
	}
	if i.State != council.InitiativeCollecting {
		return p, nil
	}
	if rs.Viewer.IsPublic() {
		p.SignHint = "initiative.sign_login"
		return p, nil
	}
	if p.Signed, err = s.Council.HasSigned(ctx, i.ID, rs.Viewer.UserID); err != nil {
		return p, err
	}
	acc, err := s.Council.Account(ctx, rs.Viewer.UserID)
	if err != nil {
		return p, err
	}
	switch {
	case !acc.Verified:
		p.SignHint = council.MsgInitiativeUnverified
	case !acc.ResidenceConfirmed:
		p.SignHint = council.MsgInitiativeResidence
	case i.MinAge > 0 && acc.BirthYear == 0:
		p.SignHint = council.MsgInitiativeBirthYear
	case i.MinAge > 0 && p.Today.Year()-acc.BirthYear < i.MinAge:
		p.SignHint = council.MsgInitiativeAge
	}
	return p, nil
}

func (s *server) initiativeShow(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadInitiative(r)
	if err != nil {
		return err
	}
	if !s.State(r).Viewer.IsPublic() {
		w.Header().Set("Cache-Control", "no-store")
	}
	if n := r.URL.Query().Get("notice"); initiativeNotices[n] {
		p.Notice = "initiative.notice." + n
	}
	s.Render(w, r, http.StatusOK, "initiative", p)
	return nil
}

// initiativeNotices are the steps that end on the motion's page.
var initiativeNotices = map[string]bool{"saved": true, "published": true, "signed": true, "submitted": true, "withdrawn": true,
	"reported": true}

// Flood limits of participation: motions an account may start a day, and
// reports a client address may send an hour (counted like the account
// forms, in account_requests).
const (
	MaxDraftsPerDay   = 10
	MaxReportsPerHour = 20
)

// initiativeReport stores a report of a public motion (anyone may send
// one; the address is only counted for the rate limit, not stored with
// it) and goes back to the motion with a thank-you.
func (s *server) initiativeReport(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadInitiative(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: report form: %w", council.ErrInvalid, err)
	}
	ctx := r.Context()
	n, err := s.Council.RecordAccountRequest(ctx, s.ClientAddr(r), s.ReportWindow)
	if err != nil {
		return err
	}
	if n > MaxReportsPerHour {
		w.Header().Set("Retry-After", fmt.Sprint(int(s.ReportWindow.Seconds())))
		w.Header().Set("Cache-Control", "no-store")
		p.Message = s.I18n.T(s.State(r).Lang, "initiative.report_throttled")
		s.Render(w, r, http.StatusTooManyRequests, "initiative", p)
		return nil
	}
	rep := council.AbuseReport{TargetKind: "initiative", TargetID: p.I.ID, Reason: council.AbuseReason(r.PostForm.Get("reason")),
		Note: r.PostForm.Get("note"), ReporterID: s.State(r).Viewer.UserID}
	if _, err := s.Council.ReportAbuse(ctx, rep); err != nil {
		return s.initiativeRefused(w, r, err)
	}
	http.Redirect(w, r, s.localLink(r, "/beteiligung/antraege/"+p.I.ID.String()+"?notice=reported"), http.StatusSeeOther)
	return nil
}

// questionReport stores a report of a public question (as
// initiativeReport) and goes back to the meeting's questions. A refusal
// is an error page in the user's words.
func (s *server) questionReport(w http.ResponseWriter, r *http.Request) error {
	id, err := site.PathID(r)
	if err != nil {
		return err
	}
	q, err := s.Meetings.PublicQuestion(r.Context(), id)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: report form: %w", council.ErrInvalid, err)
	}
	n, err := s.Council.RecordAccountRequest(r.Context(), s.ClientAddr(r), s.ReportWindow)
	if err != nil {
		return err
	}
	if n > MaxReportsPerHour {
		w.Header().Set("Retry-After", fmt.Sprint(int(s.ReportWindow.Seconds())))
		return &council.UserError{Kind: council.ErrConflict, Key: "initiative.report_throttled", Text: "too many reports; try again later"}
	}
	if _, err := s.Council.ReportAbuse(r.Context(), council.AbuseReport{TargetKind: "question", TargetID: q.ID,
		Reason: council.AbuseReason(r.PostForm.Get("reason")), Note: r.PostForm.Get("note"), ReporterID: s.State(r).Viewer.UserID}); err != nil {
		return err
	}
	http.Redirect(w, r, s.localLink(r, "/meetings/"+q.MeetingID.String()+"/questions?notice=reported#question-"+q.ID.String()), http.StatusSeeOther)
	return nil
}

// initiativeAction runs the author's or a co-signer's step on the motion.
// A refusal shows the motion's page again with the reason.
func (s *server) initiativeAction(w http.ResponseWriter, r *http.Request) error {
	rs := s.State(r)
	if rs.Viewer.IsPublic() {
		http.Redirect(w, r, "/login?next="+url.QueryEscape("/beteiligung/antraege/"+chi.URLParam(r, "id")), http.StatusSeeOther)
		return nil
	}
	p, err := s.loadInitiative(r)
	if err != nil {
		return err
	}
	ctx, id, user, now := r.Context(), p.I.ID, rs.Viewer.UserID, s.Now()
	steps := map[string]struct {
		do     func(context.Context, council.ID, council.ID, time.Time) (council.Initiative, error)
		notice string
	}{
		"veroeffentlichen": {s.Council.PublishInitiative, "published"},
		"unterschreiben":   {s.Council.SignInitiative, "signed"},
		"einreichen": {func(ctx context.Context, id, author council.ID, at time.Time) (council.Initiative, error) {
			return s.Council.SubmitInitiative(ctx, id, author, at, s.Mailer)
		}, "submitted"},
		"zurueckziehen": {s.Council.WithdrawInitiative, "withdrawn"},
	}
	step, ok := steps[chi.URLParam(r, "action")]
	if !ok {
		return council.ErrNotFound
	}
	notice := step.notice
	_, err = step.do(ctx, id, user, now)
	if err != nil {
		return s.initiativeRefused(w, r, err)
	}
	http.Redirect(w, r, s.localLink(r, "/beteiligung/antraege/"+id.String()+"?notice="+notice), http.StatusSeeOther)
	return nil
}

// initiativeRefused renders the motion's page with the refusal in the
// user's words (a 4xx) or returns a server error as it is.
func (s *server) initiativeRefused(w http.ResponseWriter, r *http.Request, err error) error {
	status := httperr.Status(err)
	if status >= 500 {
		return err
	}
	p, lerr := s.loadInitiative(r)
	if lerr != nil {
		return lerr
	}
	p.Message = s.UserMessage(r, err)
	w.Header().Set("Cache-Control", "no-store")
	s.Render(w, r, status, "initiative", p)
	return nil
}

// localLink keeps the request's ?lang= on a redirect within the site.
func (s *server) localLink(r *http.Request, path string) string {
	if l := r.URL.Query().Get("lang"); l == "de" || l == "en" {
		u, err := url.Parse(path)
		if err == nil {
			q := u.Query()
			q.Set("lang", l)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return path
}

// partyMotionPage fills what a party group's or councillor's motion page
// shows besides the motion: its meeting and deadline, and whether the
// visitor co-signs (a fellow member of the group, or of the council the
// councillor files in; the store checks the rule again).
func (s *server) partyMotionPage(ctx context.Context, v council.Viewer, p *initiativePage) error {
	if p.I.MeetingID != council.NilID {
		m, err := s.Meetings.Meeting(ctx, p.I.MeetingID)
		if err != nil && !errors.Is(err, council.ErrNotFound) {
			return err
		}
		if err == nil {
			r, err := s.Council.ParticipationRules(ctx, p.I.BodyID)
			if err != nil {
				return err
			}
			p.Meeting, p.Deadline = &m, council.MotionDeadlineFor(m.Start, r.MotionDeadline)
		}
	}
	if v.IsPublic() || p.Own {
		return nil
	}
	p.Colleague = v.Orgs[p.I.OrganizationID]
	var err error
	p.Signed, err = s.Council.HasSigned(ctx, p.I.ID, v.UserID)
	return err
}

// initiativeForm is the data of initiative_form.html: a new motion or
// the author's draft.
type initiativeForm struct {
	site.Form
	ID       council.ID // NilID: a new motion
	Groups   []council.Organization
	Rules    council.ParticipationRules
	Meetings []meetings.Meeting // coming meetings a party group's motion can be for
	Kind     council.InitiativeKind
	// GroupMeetings are the author's groups' meetings of the last year:
	// the one that decided to file the motion.
	GroupMeetings []meetings.Meeting
}

// PartyGroups reports whether the author may file a council motion: for a
// party group, or as a councillor.
func (f initiativeForm) PartyGroups() bool {
	for _, o := range f.Groups {
		if o.Kind == council.KindPartyGroup || isCouncil(o.Kind) {
			return true
		}
	}
	return false
}

// Councillor reports whether choosing o files a councillor's own motion
// (o is a council or committee the author is a member of).
func (f initiativeForm) Councillor(o council.Organization) bool { return isCouncil(o.Kind) }

// isCouncil reports whether members of organizations of kind k are
// councillors (council.CouncilKinds).
func isCouncil(k council.OrgKind) bool { return slices.Contains(council.CouncilKinds(), k) }

// DeadlineOf is the last day a party group's motion for m may arrive.
func (f initiativeForm) DeadlineOf(m meetings.Meeting) time.Time {
	return council.MotionDeadlineFor(m.Start, f.Rules.MotionDeadline)
}

// New reports whether the form creates a motion.
func (f initiativeForm) New() bool { return f.ID == council.NilID }

// requireAccount sends anonymous visitors to the login page and reports
// whether it did.
func (s *server) requireAccount(w http.ResponseWriter, r *http.Request) bool {
	if s.State(r).Viewer.IsPublic() {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return true
	}
	return false
}

func (s *server) newInitiativeForm(ctx context.Context, user council.ID, v url.Values) (initiativeForm, error) {
	f := initiativeForm{Form: site.NewForm(v)}
	body, err := s.Council.MainBody(ctx)
	if err != nil {
		return f, err
	}
	if f.Rules, err = s.Council.ParticipationRules(ctx, body.ID); err != nil {
		return f, err
	}
	if f.Groups, err = s.Council.InitiativeGroupsOf(ctx, user); err != nil || len(f.Groups) == 0 {
		return f, err
	}
	// The meeting that decided to file it: a group's, not a councillor's
	// own motion.
	var orgs []council.ID
	for _, o := range f.Groups {
		if !isCouncil(o.Kind) {
			orgs = append(orgs, o.ID)
		}
	}
	if len(orgs) > 0 { // an empty filter would list every meeting
		past, err := s.Meetings.Meetings(ctx, meetings.Filter{BodyID: body.ID, OrganizationIDs: orgs, From: s.Now().AddDate(-1, 0, 0),
			To: s.Now(), Descending: true, Limit: 30})
		if err != nil {
			return f, err
		}
		for _, m := range past {
			if !m.Cancelled {
				f.GroupMeetings = append(f.GroupMeetings, m)
			}
		}
	}
	if !f.PartyGroups() {
		return f, nil
	}
	coming, err := s.Meetings.Meetings(ctx, meetings.Filter{BodyID: body.ID, From: s.Now(), Limit: 40})
	for _, m := range coming {
		if !m.Cancelled && (m.State == meetings.Planned || m.State == meetings.Invited) {
			f.Meetings = append(f.Meetings, m)
		}
	}
	return f, err
}

func (s *server) initiativeNew(w http.ResponseWriter, r *http.Request) error {
	if s.requireAccount(w, r) {
		return nil
	}
	f, err := s.newInitiativeForm(r.Context(), s.State(r).Viewer.UserID, nil)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	s.Render(w, r, http.StatusOK, "initiative_form", f)
	return nil
}

func (s *server) initiativeEdit(w http.ResponseWriter, r *http.Request) error {
	if s.requireAccount(w, r) {
		return nil
	}
	p, err := s.loadInitiative(r)
	if err != nil {
		return err
	}
	if !p.Own || p.I.State != council.InitiativeDraft {
		return &council.UserError{Kind: council.ErrConflict, Key: council.MsgInitiativeState, Text: "only the author's draft can be edited"}
	}
	v := url.Values{"title": {p.I.Title}, "text": {p.I.Text}, "reasoning": {p.I.Reasoning}, "paper_type": {string(p.I.PaperType)}}
	if p.I.GroupMeetingID != council.NilID {
		v.Set("group_meeting", p.I.GroupMeetingID.String())
	}
	if p.I.MeetingID != council.NilID {
		v.Set("meeting", p.I.MeetingID.String())
	}
	f, err := s.newInitiativeForm(r.Context(), s.State(r).Viewer.UserID, v)
	if err != nil {
		return err
	}
	f.ID, f.Kind = p.I.ID, p.I.Kind
	w.Header().Set("Cache-Control", "no-store")
	s.Render(w, r, http.StatusOK, "initiative_form", f)
	return nil
}

func (s *server) initiativeCreate(w http.ResponseWriter, r *http.Request) error {
	return s.saveInitiative(w, r, council.NilID)
}

func (s *server) initiativeUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := site.PathID(r)
	if err != nil {
		return err
	}
	return s.saveInitiative(w, r, id)
}

// saveInitiative saves the form as a new draft (id NilID) or the
// author's draft id; field errors show the form again with the input.
func (s *server) saveInitiative(w http.ResponseWriter, r *http.Request, id council.ID) error {
	if s.requireAccount(w, r) {
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: motion form: %w", council.ErrInvalid, err)
	}
	ctx, user := r.Context(), s.State(r).Viewer.UserID
	v := r.PostForm
	f, err := s.newInitiativeForm(ctx, user, v)
	if err != nil {
		return err
	}
	f.ID = id
	body, err := s.Council.MainBody(ctx)
	if err != nil {
		return err
	}
	in := council.Initiative{ID: id, BodyID: body.ID, AuthorID: user, Kind: council.InitiativeCitizens,
		Title: v.Get("title"), Text: v.Get("text"), Reasoning: v.Get("reasoning")}
	if id != council.NilID {
		old, err := s.Council.InitiativeFor(ctx, s.State(r).Viewer, id)
		if err != nil {
			return err
		}
		in.Kind, in.OrganizationID, f.Kind = old.Kind, old.OrganizationID, old.Kind
	}
	if g := v.Get("group"); g != "" && id == council.NilID {
		// The group must be one of the author's (the store checks it
		// again in the transaction).
		found := false
		for _, o := range f.Groups {
			if o.ID.String() == g {
				in.OrganizationID, in.Kind, found = o.ID, initiativeKindOf(o.Kind), true
			}
		}
		if !found {
			f.Errors["group"] = council.MsgInitiativeNoMember
		}
	}
	if m := v.Get("group_meeting"); m != "" && in.Kind.Group() && in.Kind != council.InitiativeCouncillor {
		found := false
		for _, x := range f.GroupMeetings {
			if x.ID.String() == m && slices.Contains(x.Organizations, in.OrganizationID) {
				in.GroupMeetingID, found = x.ID, true
			}
		}
		if !found {
			f.Errors["group_meeting"] = council.MsgInitiativeMeeting
		}
	}
	if in.Kind.CouncilMotion() {
		in.PaperType = council.PaperType(v.Get("paper_type"))
		if m := v.Get("meeting"); m != "" {
			found := false
			for _, x := range f.Meetings {
				if x.ID.String() == m {
					in.MeetingID, found = x.ID, true
				}
			}
			if !found {
				f.Errors["meeting"] = council.MsgInitiativeMeeting
			}
		}
	}
	if id == council.NilID && len(f.Errors) == 0 {
		n, err := s.Council.DraftsSince(ctx, user, s.Now().Add(-24*time.Hour))
		if err != nil {
			return err
		}
		if n >= MaxDraftsPerDay {
			f.Errors["title"] = "initiative.drafts_throttled"
		}
	}
	if len(f.Errors) == 0 {
		var saved council.Initiative
		if saved, err = s.Council.SaveInitiativeDraft(ctx, in); err == nil {
			http.Redirect(w, r, s.localLink(r, "/beteiligung/antraege/"+saved.ID.String()+"?notice=saved"), http.StatusSeeOther)
			return nil
		}
		var fe council.FieldErrors
		if !errors.As(err, &fe) {
			return err
		}
		for k, m := range fe {
			f.Errors[k] = m
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.Render(w, r, http.StatusUnprocessableEntity, "initiative_form", f)
	return nil
}

// initiativeKindOf is the kind of motion a group of kind k files.
func initiativeKindOf(k council.OrgKind) council.InitiativeKind {
	switch k {
	case council.KindYouthCouncil:
		return council.InitiativeYouth
	case council.KindPartyGroup:
		return council.InitiativeParty
	case council.KindCouncil, council.KindCommittee, council.KindDistrictCouncil:
		return council.InitiativeCouncillor
	}
	return council.InitiativeCommunity
}
