package admin

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// Childcare claims in the back office (docs/DOMAIN.md,
// "Kinderbetreuungskosten"): the queue of members' claims with approve
// and reject (with a reason), the decided claims of the last year, and
// the city's rules (cap per hour, margin for the way). POST forms with the
// session's CSRF token, Post/Redirect/Get with a notice.

// childcareRoutes registers the pages under /admin.
func (s *server) childcareRoutes(r chi.Router) {
	r.Get("/childcare", s.Handle(s.adminChildcare))
	r.Post("/childcare/rules", s.Handle(s.adminChildcareRules))
	r.Post("/childcare/{id}/approve", s.Handle(s.adminChildcareDecide(true)))
	r.Post("/childcare/{id}/reject", s.Handle(s.adminChildcareDecide(false)))
}

// childcareQueue is the data of admin_childcare.html.
type childcareQueue struct {
	Notice  string
	Claims  []meetings.Claim
	Open    int                   // how many wait for a decision
	Values  map[string]string     // the rules form's values after an error
	Errors  council.FieldErrors   // the rules form's errors
	Failed  council.ID            // the claim whose rejection failed
	Reason  string                // its reason as typed
	Refused map[council.ID]string // the failed claim's error
}

func (s *server) adminChildcare(w http.ResponseWriter, r *http.Request) error {
	return s.renderChildcare(w, r, http.StatusOK, &childcareQueue{Notice: s.Notice(r)})
}

func (s *server) renderChildcare(w http.ResponseWriter, r *http.Request, status int, d *childcareQueue) error {
	ctx := r.Context()
	b, err := s.body(ctx)
	if err != nil {
		return err
	}
	if d.Claims, err = s.Meetings.ClaimQueue(ctx, b.ID, s.Now()); err != nil {
		return err
	}
	for _, c := range d.Claims {
		if c.State == meetings.ClaimSubmitted {
			d.Open++
		}
	}
	if d.Values == nil {
		rules, err := s.Meetings.ChildcareRules(ctx, b.ID)
		if err != nil {
			return err
		}
		d.Values = map[string]string{"cap": strings.TrimSuffix(meetings.FormatEuros(rules.CapCentsPerHour, "de"), " €"),
			"margin": strconv.Itoa(int(rules.Margin / time.Minute))}
	}
	s.Render(w, r, status, "admin_childcare", d)
	return nil
}

// adminChildcareDecide approves or rejects the claim in the URL.
func (s *server) adminChildcareDecide(approve bool) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		b, err := s.body(ctx)
		if err != nil {
			return err
		}
		id, c, err := fetchFromURL(r, "id", s.Meetings.Claim)
		if err != nil {
			return err
		}
		m, err := s.Meetings.Meeting(ctx, c.MeetingID)
		if err != nil {
			return err
		}
		if err := MustBelong("childcare claim", id, m.BodyID, b.ID, false); err != nil {
			return err
		}
		v, err := parseForm(r)
		if err != nil {
			return err
		}
		reason := v.Get("reason")
		if _, err := s.Meetings.DecideClaim(s.Actor(r), id, approve, reason, s.Now()); err != nil {
			fe, ok := fieldErrors(err)
			if !ok {
				return err
			}
			msg := fe["reason"]
			if msg == "" {
				msg = fe["decision"]
			}
			return s.renderChildcare(w, r, http.StatusUnprocessableEntity, &childcareQueue{Failed: id, Reason: reason,
				Refused: map[council.ID]string{id: msg}})
		}
		notice := "childcare_approved"
		if !approve {
			notice = "childcare_rejected"
		}
		return Redirect(w, r, "/admin/childcare", notice)
	}
}

// adminChildcareRules stores the city's cap per hour (in euros) and the
// margin for the way (in minutes).
func (s *server) adminChildcareRules(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	b, err := s.body(ctx)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	fe := council.FieldErrors{}
	rules := meetings.ChildcareRules{BodyID: b.ID}
	cap, ok := meetings.ParseEuros(v.Get("cap"))
	if !ok || cap <= 0 {
		fe.Add("cap", council.MsgInvalid)
	}
	rules.CapCentsPerHour = cap
	margin := parseInt(fe, "margin", v.Get("margin"))
	rules.Margin = time.Duration(margin) * time.Minute
	if len(fe) == 0 {
		err := s.Meetings.SaveChildcareRules(s.Actor(r), rules)
		if err == nil {
			return Redirect(w, r, "/admin/childcare", "childcare_rules")
		}
		verr, ok := fieldErrors(err)
		if !ok {
			return err
		}
		merge(fe, verr)
	}
	return s.renderChildcare(w, r, http.StatusUnprocessableEntity, &childcareQueue{Errors: fe,
		Values: map[string]string{"cap": v.Get("cap"), "margin": v.Get("margin")}})
}
