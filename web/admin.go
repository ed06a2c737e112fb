package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/web/site"
)

// adminRoutes registers the clerk back office under /admin: organizations
// and memberships, persons, papers with their consultation path, meetings
// and agenda builder. Every route requires the clerk or admin role; every
// write runs with the user as actor for the audit trail. Forms follow
// Post/Redirect/Get; the redirect carries a notice key (?notice=…).
func (s *Server) adminRoutes(r chi.Router) {
	r.Route("/admin", func(r chi.Router) {
		r.Use(s.requireRole(council.RoleClerk, council.RoleAdmin), site.NoStore)
		r.Get("/", s.h(s.adminDashboard))

		r.Get("/organizations", s.h(s.adminOrgs))
		r.Get("/organizations/new", s.h(s.adminOrgNew))
		r.Post("/organizations", s.h(s.adminOrgSave))
		r.Get("/organizations/{id}", s.h(s.adminOrg))
		r.Get("/organizations/{id}/edit", s.h(s.adminOrgEdit))
		r.Post("/organizations/{id}", s.h(s.adminOrgSave))
		r.Get("/organizations/{id}/memberships/new", s.h(s.adminMembershipNew))
		r.Post("/organizations/{id}/memberships", s.h(s.adminMembershipSave))
		r.Get("/memberships/{mid}/edit", s.h(s.adminMembershipEdit))
		r.Post("/memberships/{mid}", s.h(s.adminMembershipSave))
		r.Post("/memberships/{mid}/end", s.h(s.adminMembershipEnd))
		r.Post("/memberships/{mid}/delete", s.h(s.adminMembershipDelete))

		r.Get("/persons", s.h(s.adminPersons))
		r.Get("/persons/new", s.h(s.adminPersonNew))
		r.Post("/persons", s.h(s.adminPersonSave))
		r.Get("/persons/{id}/edit", s.h(s.adminPersonEdit))
		r.Post("/persons/{id}", s.h(s.adminPersonSave))

		r.Get("/papers", s.h(s.adminPapers))
		r.Get("/papers/new", s.h(s.adminPaperNew))
		r.Get("/papers/suggest", s.api(s.adminPaperSuggest)) // admin_agenda.go: the paper picker
		r.Post("/papers", s.h(s.adminPaperSave))
		r.Get("/papers/{id}", s.h(s.adminPaper))
		r.Get("/papers/{id}/edit", s.h(s.adminPaperEdit))
		r.Post("/papers/{id}", s.h(s.adminPaperSave))
		r.Post("/papers/{id}/submit", s.h(s.adminPaperSubmit))
		r.Get("/papers/{id}/status", s.h(s.adminPaperStatusForm))
		r.Post("/papers/{id}/status", s.h(s.adminPaperStatus))
		r.Get("/papers/{id}/consultations/new", s.h(s.adminConsultationNew))
		r.Post("/papers/{id}/consultations", s.h(s.adminConsultationSave))
		r.Post("/consultations/{cid}/move", s.h(s.adminConsultationMove))
		r.Post("/consultations/{cid}/delete", s.h(s.adminConsultationDelete))

		r.Get("/meetings", s.h(s.adminMeetings))
		r.Get("/meetings/new", s.h(s.adminMeetingNew))
		r.Post("/meetings", s.h(s.adminMeetingSave))
		r.Get("/meetings/{id}", s.h(s.adminMeeting))
		r.Get("/meetings/{id}/edit", s.h(s.adminMeetingEdit))
		r.Post("/meetings/{id}", s.h(s.adminMeetingSave))
		r.Get("/meetings/{id}/cancel", s.h(s.adminMeetingCancelConfirm))
		r.Post("/meetings/{id}/cancel", s.h(s.adminMeetingCancel))
		r.Get("/meetings/{id}/invite", s.h(s.adminMeetingInviteConfirm))
		r.Post("/meetings/{id}/invite", s.h(s.adminMeetingInvite))
		r.Get("/meetings/{id}/invitation.pdf", s.h(s.adminMeetingInvitationPDF))
		r.Get("/meetings/{id}/items/new", s.h(s.adminItemNew))
		r.Post("/meetings/{id}/items", s.h(s.adminItemSave))
		r.Get("/meetings/{id}/items/paper", s.h(s.adminItemPaperNew))
		r.Post("/meetings/{id}/items/paper", s.h(s.adminItemPaperSave))
		r.Get("/meetings/{id}/items/{item}/edit", s.h(s.adminItemEdit))
		r.Post("/meetings/{id}/items/{item}", s.h(s.adminItemSave))
		r.Post("/meetings/{id}/items/{item}/move", s.h(s.adminItemMove))
		r.Post("/meetings/{id}/items/{item}/public", s.h(s.adminItemTogglePublic))
		r.Post("/meetings/{id}/items/{item}/delete", s.h(s.adminItemDelete))
	})
}

// actor returns the request's context carrying the logged-in user as the
// actor of every change.
func actor(r *http.Request) context.Context {
	rs := requestStateOf(r)
	id := rs.user.ID
	if id == council.NilID {
		id = rs.viewer.UserID
	}
	return council.WithActor(r.Context(), id)
}

// body returns the municipality the back office works on.
func (s *Server) body(ctx context.Context) (council.Body, error) {
	return s.council.MainBody(ctx)
}

// redirect answers a successful POST with 303 to path, carrying a notice.
func redirect(w http.ResponseWriter, r *http.Request, path, notice string) error {
	q := url.Values{}
	if notice != "" {
		q.Set("notice", notice)
	}
	if l := r.URL.Query().Get("lang"); l == "de" || l == "en" {
		q.Set("lang", l)
	}
	if len(q) > 0 {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + q.Encode()
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}

// notice returns the translation key of the ?notice= parameter, or "" when
// it names no known notice.
func (s *Server) notice(r *http.Request) string {
	n := r.URL.Query().Get("notice")
	if n == "" {
		return ""
	}
	key := "admin.notice." + n
	if _, ok := s.i18n[langs[0]][key]; !ok {
		return ""
	}
	return key
}

// renderForm renders f with status 200, or 400 when it shows errors.
func (s *Server) renderForm(w http.ResponseWriter, r *http.Request, f form) error {
	status := http.StatusOK
	if len(f.Errors) > 0 || len(f.Other) > 0 {
		status = http.StatusBadRequest
	}
	s.render(w, r, status, "admin_form", f)
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

func (s *Server) adminDashboard(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	b, err := s.body(ctx)
	if err != nil {
		return err
	}
	ms, err := s.meetings.Meetings(ctx, meetings.Filter{BodyID: b.ID, From: s.opt.Now().Add(-12 * 3600e9), Limit: 10})
	if err != nil {
		return err
	}
	drafts, _, err := s.council.FindPapers(ctx, council.PaperQuery{BodyID: b.ID, Status: council.StatusDraft, Limit: 20})
	if err != nil {
		return err
	}
	names, err := s.orgNames(ctx, b.ID)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin", dashboard{Notice: s.notice(r), Meetings: ms, Drafts: drafts, Orgs: names})
	return nil
}

// orgNames maps the body's organization ids to names.
func (s *Server) orgNames(ctx context.Context, body council.ID) (map[council.ID]string, error) {
	orgs, err := s.council.Organizations(ctx, body)
	if err != nil {
		return nil, err
	}
	out := make(map[council.ID]string, len(orgs))
	for _, o := range orgs {
		out[o.ID] = o.Name
	}
	return out, nil
}

// mustBelong turns objects of another body or deleted ones into ErrNotFound.
func mustBelong(what string, id, objBody, body council.ID, deleted bool) error {
	if deleted || objBody != body {
		return fmt.Errorf("%w: %s %s", council.ErrNotFound, what, id)
	}
	return nil
}
