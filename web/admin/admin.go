package admin

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// Routes registers the clerk back office on r, the server's /admin
// group, which lets only clerks and admins in: organizations and
// memberships, persons, papers with their consultation path, meetings and
// agenda builder. Every write runs with the user as actor for the audit
// trail. Forms follow Post/Redirect/Get; the redirect carries a notice key
// (?notice=…).
func Routes(r chi.Router, d Deps) {
	s := &server{d}
	r.Get("/", s.Handle(s.adminDashboard))

	r.Get("/organizations", s.Handle(s.adminOrgs))
	r.Get("/organizations/new", s.Handle(s.adminOrgNew))
	r.Post("/organizations", s.Handle(s.adminOrgSave))
	r.Get("/organizations/{id}", s.Handle(s.adminOrg))
	r.Get("/organizations/{id}/edit", s.Handle(s.adminOrgEdit))
	r.Post("/organizations/{id}", s.Handle(s.adminOrgSave))
	r.Get("/organizations/{id}/memberships/new", s.Handle(s.adminMembershipNew))
	r.Post("/organizations/{id}/memberships", s.Handle(s.adminMembershipSave))
	r.Get("/memberships/{mid}/edit", s.Handle(s.adminMembershipEdit))
	r.Post("/memberships/{mid}", s.Handle(s.adminMembershipSave))
	r.Post("/memberships/{mid}/end", s.Handle(s.adminMembershipEnd))
	r.Post("/memberships/{mid}/delete", s.Handle(s.adminMembershipDelete))

	r.Get("/persons", s.Handle(s.adminPersons))
	r.Get("/persons/new", s.Handle(s.adminPersonNew))
	r.Post("/persons", s.Handle(s.adminPersonSave))
	r.Get("/persons/{id}/edit", s.Handle(s.adminPersonEdit))
	r.Post("/persons/{id}", s.Handle(s.adminPersonSave))

	r.Get("/papers", s.Handle(s.adminPapers))
	r.Get("/papers/new", s.Handle(s.adminPaperNew))
	r.Get("/papers/suggest", s.API(s.adminPaperSuggest)) // admin_agenda.go: the paper picker
	r.Post("/papers", s.Handle(s.adminPaperSave))
	r.Get("/papers/{id}", s.Handle(s.adminPaper))
	r.Get("/papers/{id}/edit", s.Handle(s.adminPaperEdit))
	r.Post("/papers/{id}", s.Handle(s.adminPaperSave))
	r.Post("/papers/{id}/submit", s.Handle(s.adminPaperSubmit))
	r.Get("/papers/{id}/status", s.Handle(s.adminPaperStatusForm))
	r.Post("/papers/{id}/status", s.Handle(s.adminPaperStatus))
	r.Get("/papers/{id}/consultations/new", s.Handle(s.adminConsultationNew))
	r.Post("/papers/{id}/consultations", s.Handle(s.adminConsultationSave))
	r.Post("/consultations/{cid}/move", s.Handle(s.adminConsultationMove))
	r.Post("/consultations/{cid}/delete", s.Handle(s.adminConsultationDelete))
	s.trailRoutes(r)      // admin_trail.go: the paper's implementation record
	s.initiativeRoutes(r) // admin_initiatives.go: citizens' and groups' motions, citizens' accounts
	s.questionRoutes(r)   // admin_questions.go: the Einwohnerfragestunde
	s.childcareRoutes(r)  // admin_childcare.go: members' childcare claims

	r.Get("/meetings", s.Handle(s.adminMeetings))
	r.Get("/meetings/new", s.Handle(s.adminMeetingNew))
	r.Post("/meetings", s.Handle(s.adminMeetingSave))
	r.Get("/meetings/{id}", s.Handle(s.adminMeeting))
	r.Get("/meetings/{id}/edit", s.Handle(s.adminMeetingEdit))
	r.Get("/meetings/{id}/minutes", s.Handle(s.adminMinutes)) // admin_minutes.go
	r.Post("/meetings/{id}/minutes/notes", s.Handle(s.adminMinutesNotes))
	r.Post("/meetings/{id}/minutes/addenda", s.Handle(s.adminMinutesAddendum))
	r.Post("/meetings/{id}/minutes/items/{item}", s.Handle(s.adminMinutesItem))
	r.Post("/meetings/{id}/minutes/items/{item}/corrections", s.Handle(s.adminMinutesCorrection))
	r.Post("/meetings/{id}/minutes-approval", s.Handle(s.adminMinutesApprovalItem))
	r.Post("/meetings/{id}/items/{item}/approve-minutes", s.Handle(s.adminMinutesApprove))
	r.Post("/meetings/{id}", s.Handle(s.adminMeetingSave))
	r.Get("/meetings/{id}/cancel", s.Handle(s.adminMeetingCancelConfirm))
	r.Post("/meetings/{id}/cancel", s.Handle(s.adminMeetingCancel))
	r.Get("/meetings/{id}/invite", s.Handle(s.adminMeetingInviteConfirm))
	r.Post("/meetings/{id}/invite", s.Handle(s.adminMeetingInvite))
	r.Get("/meetings/{id}/invitation.pdf", s.Handle(s.adminMeetingInvitationPDF))
	r.Get("/meetings/{id}/items/new", s.Handle(s.adminItemNew))
	r.Post("/meetings/{id}/items", s.Handle(s.adminItemSave))
	r.Get("/meetings/{id}/items/paper", s.Handle(s.adminItemPaperNew))
	r.Post("/meetings/{id}/items/paper", s.Handle(s.adminItemPaperSave))
	r.Get("/meetings/{id}/items/{item}/edit", s.Handle(s.adminItemEdit))
	r.Post("/meetings/{id}/items/{item}", s.Handle(s.adminItemSave))
	r.Post("/meetings/{id}/items/{item}/move", s.Handle(s.adminItemMove))
	r.Post("/meetings/{id}/items/{item}/public", s.Handle(s.adminItemTogglePublic))
	r.Post("/meetings/{id}/items/{item}/delete", s.Handle(s.adminItemDelete))
	s.fileRoutes(r) // admin_files.go: the files of papers, meetings and agenda items
}

// body returns the municipality the back office works on.
func (s *server) body(ctx context.Context) (council.Body, error) {
	return s.Council.MainBody(ctx)
}

// Redirect answers a successful POST with 303 to path, carrying a notice
// (the key after "admin.notice.") and the request's ?lang=.
func Redirect(w http.ResponseWriter, r *http.Request, path, notice string) error {
	q := url.Values{}
	if notice != "" {
		q.Set("notice", notice)
	}
	if l := r.URL.Query().Get("lang"); l == "de" || l == "en" {
		q.Set("lang", l)
	}
	if len(q) > 0 {
		// The query goes before a fragment ("#implementation"), else the
		// browser takes it for part of the fragment and drops the notice.
		p, frag, hasFrag := strings.Cut(path, "#")
		sep := "?"
		if strings.Contains(p, "?") {
			sep = "&"
		}
		path = p + sep + q.Encode()
		if hasFrag {
			path += "#" + frag
		}
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}

// renderForm renders f with status 200, or 400 when it shows errors.
func (s *server) renderForm(w http.ResponseWriter, r *http.Request, f form) error {
	status := http.StatusOK
	if len(f.Errors) > 0 || len(f.Other) > 0 {
		status = http.StatusBadRequest
	}
	s.Render(w, r, status, "admin_form", f)
	return nil
}

// confirm is the data of admin_confirm.html: a question with one POST
// button, or a refusal (Problem) without one.
type confirm struct {
	Title   string // translation key
	Subject string // what it is about, e.g. the meeting name
	Message string // translation key
	Problem string // translation key; set: the action is refused
	Action  string
	Button  string // translation key
	Cancel  string
	Preview []confirmLink // what to look at before confirming
}

// confirmLink is a link on a confirmation page.
type confirmLink struct {
	Href  string
	Label string // translation key
	Type  string // media type of the target; "" for a page
}

// dashboard is the data of admin.html.
type dashboard struct {
	Notice   string
	Meetings []meetings.Meeting
	Drafts   []council.Paper
	Orgs     map[council.ID]string
}

func (s *server) adminDashboard(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	b, err := s.body(ctx)
	if err != nil {
		return err
	}
	ms, err := s.Meetings.Meetings(ctx, meetings.Filter{BodyID: b.ID, From: s.Now().Add(-12 * 3600e9), Limit: 10})
	if err != nil {
		return err
	}
	drafts, _, err := s.Council.FindPapers(ctx, council.PaperQuery{BodyID: b.ID, Status: council.StatusDraft, Limit: 20})
	if err != nil {
		return err
	}
	names, err := s.orgNames(ctx, b.ID)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "admin", dashboard{Notice: s.Notice(r), Meetings: ms, Drafts: drafts, Orgs: names})
	return nil
}

// orgNames maps the body's organization ids to names.
func (s *server) orgNames(ctx context.Context, body council.ID) (map[council.ID]string, error) {
	orgs, err := s.Council.Organizations(ctx, body)
	if err != nil {
		return nil, err
	}
	out := make(map[council.ID]string, len(orgs))
	for _, o := range orgs {
		out[o.ID] = o.Name
	}
	return out, nil
}

// MustBelong turns objects of another body or deleted ones into ErrNotFound.
func MustBelong(what string, id, objBody, body council.ID, deleted bool) error {
	if deleted || objBody != body {
		return fmt.Errorf("%w: %s %s", council.ErrNotFound, what, id)
	}
	return nil
}
