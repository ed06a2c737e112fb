package account

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/web/site"
)

// Childcare claims of members (docs/DOMAIN.md, "Kinderbetreuungskosten"):
// /my/childcare lists the member's claims with their state and takes a new
// one for a meeting they attended. Personal, never cached, never public;
// the clerk's queue is web/admin/admin_childcare.go.

func (s *server) childcareRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.RequireRole(council.RoleMember, council.RoleClerk, council.RoleAdmin), site.NoStore)
		r.Get("/my/childcare", s.Handle(s.childcarePage))
		r.Post("/my/childcare", s.Handle(s.childcareSubmit))
		r.Post("/my/childcare/{id}/withdraw", s.Handle(s.childcareWithdraw))
	})
}

// childcarePage is the data of childcare.html.
type childcarePage struct {
	site.Form
	Notice    string // translation key, "" for none
	Linked    bool   // the account is linked to a person
	Claimable []meetings.Meeting
	Claims    []meetings.Claim
	Cap       string // the cap per hour, formatted
	Margin    int    // minutes
}

func (s *server) childcarePage(w http.ResponseWriter, r *http.Request) error {
	data := &childcarePage{Form: site.NewForm(nil)}
	switch r.URL.Query().Get("notice") {
	case "submitted":
		data.Notice = "childcare.notice.submitted"
	case "withdrawn":
		data.Notice = "childcare.notice.withdrawn"
	}
	return s.renderChildcare(w, r, http.StatusOK, data)
}

func (s *server) renderChildcare(w http.ResponseWriter, r *http.Request, status int, data *childcarePage) error {
	ctx := r.Context()
	rs := s.State(r)
	data.Linked = rs.User.PersonID != council.NilID
	b, err := s.Council.MainBody(ctx)
	if err != nil {
		return err
	}
	rules, err := s.Meetings.ChildcareRules(ctx, b.ID)
	if err != nil {
		return err
	}
	data.Cap, data.Margin = meetings.FormatEuros(rules.CapCentsPerHour, rs.Lang), int(rules.Margin.Minutes())
	if data.Linked {
		if data.Claimable, err = s.Meetings.ClaimableMeetings(ctx, rs.User.ID, s.Now()); err != nil {
			return err
		}
		if data.Claims, err = s.Meetings.MyClaims(ctx, rs.User.ID); err != nil {
			return err
		}
	}
	s.Render(w, r, status, "childcare", data)
	return nil
}

// childcareSubmit takes a claim: the meeting, hours, amount and a note.
func (s *server) childcareSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: form: %w", council.ErrInvalid, err)
	}
	rs := s.State(r)
	f := r.PostForm
	data := &childcarePage{Form: site.NewForm(f)}
	c := meetings.Claim{UserID: rs.User.ID, Note: f.Get("note")}
	var ok bool
	if c.MeetingID, ok = parseOptionalID(f.Get("meeting")); !ok {
		data.Errors["meeting"] = council.MsgRequired
	}
	if c.Minutes, ok = meetings.ParseHours(f.Get("hours")); !ok || c.Minutes <= 0 {
		data.Errors["hours"] = meetings.MsgClaimHours
	}
	if c.AmountCents, ok = meetings.ParseEuros(f.Get("amount")); !ok || c.AmountCents <= 0 {
		data.Errors["amount"] = meetings.MsgClaimAmount
	}
	if len(data.Errors) == 0 {
		_, err := s.Meetings.SubmitClaim(s.Actor(r), c, s.Now())
		var fe council.FieldErrors
		var ue *council.UserError
		switch {
		case err == nil:
			s.back(w, r, "/my/childcare", "submitted")
			return nil
		case errors.As(err, &fe):
			for k, v := range fe {
				data.Errors[k] = v
			}
		case errors.As(err, &ue) && (errors.Is(err, council.ErrForbidden) || errors.Is(err, council.ErrConflict)):
			data.Errors["meeting"] = ue.Key
		case errors.Is(err, council.ErrNotFound):
			data.Errors["meeting"] = council.MsgRequired
		default:
			return err
		}
	}
	return s.renderChildcare(w, r, http.StatusUnprocessableEntity, data)
}

// childcareWithdraw withdraws one of the user's claims while it awaits
// its decision. Another user's claim, or none, is 404; a decided one is
// 409 with the reason.
func (s *server) childcareWithdraw(w http.ResponseWriter, r *http.Request) error {
	id, err := site.PathID(r)
	if err != nil {
		return err
	}
	err = s.Meetings.WithdrawClaim(s.Actor(r), id, s.State(r).User.ID)
	var fe council.FieldErrors
	if errors.As(err, &fe) {
		return &council.UserError{Kind: council.ErrConflict, Key: fe["claim"], Text: "this claim has already been decided"}
	}
	if err != nil {
		return err
	}
	s.back(w, r, "/my/childcare", "withdrawn")
	return nil
}

// parseOptionalID parses a form's id; ok is false when it is empty or no id.
func parseOptionalID(v string) (council.ID, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return council.NilID, false
	}
	id, err := council.ParseID(v)
	return id, err == nil
}
