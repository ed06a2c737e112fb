package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// Papers, their submission, status and consultation path.

type paperList struct {
	Notice      string
	Papers      []council.Paper
	Total       int
	Status      string
	Type        string
	Statuses    []option
	Types       []option
	FilterError string // translation key
}

func (s *server) adminPapers(w http.ResponseWriter, r *http.Request) error {
	b, err := s.body(r.Context())
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := paperList{Notice: s.Notice(r), Status: q.Get("status"), Type: q.Get("type"),
		Statuses: statusOptions(true), Types: paperTypeOptions()}
	status := http.StatusOK
	if (d.Status != "" && !known(d.Status, d.Statuses)) || (d.Type != "" && !known(d.Type, d.Types)) {
		d.FilterError, status = council.MsgUnknownKind, http.StatusBadRequest
	} else {
		d.Papers, d.Total, err = s.Council.FindPapers(r.Context(), council.PaperQuery{BodyID: b.ID,
			Status: council.PaperStatus(d.Status), Type: council.PaperType(d.Type), Limit: 200})
		if err != nil {
			return err
		}
	}
	s.Render(w, r, status, "admin_papers", d)
	return nil
}

// loadPaper returns the body's paper with the id in URL parameter "id".
// Errors: ErrInvalid, ErrNotFound.
func (s *server) loadPaper(r *http.Request, body council.ID) (council.Paper, error) {
	id, p, err := fetchFromURL(r, "id", s.Council.Paper)
	if err != nil {
		return p, err
	}
	return p, MustBelong("paper", id, p.BodyID, body, p.Deleted)
}

type paperDetail struct {
	Notice      string
	Paper       council.Paper
	Lead        string
	Originators []string
	Related     []council.Paper
	Steps       []meetings.Step
	Events      []council.PaperEvent
	// The implementation record (admin_trail.go); nil: none yet.
	Impl      *council.Implementation
	Overdue   bool
	FollowUps []council.Paper
}

func (s *server) adminPaper(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	b, p, err := loadInBody(s, r, s.loadPaper)
	if err != nil {
		return err
	}
	d := paperDetail{Notice: s.Notice(r), Paper: p}
	names, err := s.orgNames(ctx, b.ID)
	if err != nil {
		return err
	}
	d.Lead = names[p.LeadOrgID]
	for _, o := range p.Originators {
		if o.PersonID != council.NilID {
			if per, err := s.Council.Person(ctx, o.PersonID); err == nil {
				d.Originators = append(d.Originators, per.Name())
			}
		} else {
			d.Originators = append(d.Originators, names[o.OrganizationID])
		}
	}
	for _, id := range p.Related {
		if rp, err := s.Council.Paper(ctx, id); err == nil && !rp.Deleted {
			d.Related = append(d.Related, rp)
		}
	}
	if d.Steps, err = s.Meetings.Path(ctx, p.ID); err != nil {
		return err
	}
	if d.Events, err = s.Council.PaperEvents(ctx, p.ID); err != nil {
		return err
	}
	if err := s.implDetail(ctx, &d); err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "admin_paper", d)
	return nil
}

func (s *server) adminPaperNew(w http.ResponseWriter, r *http.Request) error {
	b, err := s.body(r.Context())
	if err != nil {
		return err
	}
	v := url.Values{"type": {string(council.PaperResolution)}, "public": {"1"}}
	return s.paperForm(w, r, b.ID, council.NilID, v, nil)
}

func (s *server) adminPaperEdit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	b, p, err := loadInBody(s, r, s.loadPaper)
	if err != nil {
		return err
	}
	v := url.Values{"name": {p.Name}, "type": {string(p.Type)}, "date": {dateValue(p.Date)}, "text": {p.Text},
		"public": {boolValue(p.Public)}, "lead_org": {idValue(p.LeadOrgID)}}
	for _, o := range p.Originators {
		if o.PersonID != council.NilID {
			v.Add("originator_persons", o.PersonID.String())
		} else {
			v.Add("originator_orgs", o.OrganizationID.String())
		}
	}
	var refs []string
	for _, id := range p.Related {
		if rp, err := s.Council.Paper(ctx, id); err == nil && rp.Reference != "" && !rp.Deleted {
			refs = append(refs, rp.Reference)
		}
	}
	v.Set("related", strings.Join(refs, ", "))
	return s.paperForm(w, r, b.ID, p.ID, v, nil)
}

// paperChoices are the options of the paper form's selects.
type paperChoices struct {
	lead, persons, orgs []option
}

func (s *server) paperChoices(ctx context.Context, body council.ID) (paperChoices, error) {
	var c paperChoices
	admin, err := s.Council.Organizations(ctx, body, council.KindAdministration)
	if err != nil {
		return c, err
	}
	all, err := s.Council.Organizations(ctx, body)
	if err != nil {
		return c, err
	}
	ps, err := s.Council.Persons(ctx, body)
	if err != nil {
		return c, err
	}
	return paperChoices{lead: orgOptions(admin), persons: personOptions(ps), orgs: orgOptions(all)}, nil
}

func (s *server) paperForm(w http.ResponseWriter, r *http.Request, body, id council.ID, v url.Values, fe council.FieldErrors) error {
	c, err := s.paperChoices(r.Context(), body)
	if err != nil {
		return err
	}
	f := form{Title: "admin.paper.new", Action: "/admin/papers", Submit: "admin.save", Cancel: "/admin/papers"}
	if id != council.NilID {
		f.Title, f.TitleArg = "admin.paper.edit", v.Get("name")
		f.Action, f.Cancel = "/admin/papers/"+id.String(), "/admin/papers/"+id.String()
	}
	fb := newForm(v, fe).
		input("text", "name", "admin.paper.name", "", true).
		choice("select", "type", "admin.paper.type", "", true, paperTypeOptions()).
		input("date", "date", "admin.paper.date", "admin.paper.date_hint", false).
		input("checkbox", "public", "admin.paper.public", "admin.paper.public_hint", false).
		choice("select", "lead_org", "admin.paper.lead_org", "admin.paper.lead_org_hint", false, withNone(c.lead)).
		input("textarea", "text", "admin.paper.text", "", false).
		set("admin.paper.originators", "admin.paper.originators_hint").
		choice("multiselect", "originator_persons", "admin.paper.originator_persons", "", false, c.persons).
		choice("multiselect", "originator_orgs", "admin.paper.originator_orgs", "", false, c.orgs).
		set("admin.paper.related_legend", "").
		input("text", "related", "admin.paper.related", "admin.paper.related_hint", false)
	return s.renderForm(w, r, fb.build(f))
}

func (s *server) adminPaperSave(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	b, p, err := loadOrNew(s, r, "id", s.loadPaper)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	c, err := s.paperChoices(ctx, b.ID)
	if err != nil {
		return err
	}
	fe := council.FieldErrors{}
	p.BodyID = b.ID
	p.Name, p.Type, p.Text = strings.TrimSpace(v.Get("name")), council.PaperType(v.Get("type")), v.Get("text")
	p.Date, p.Public = ParseDate(fe, "date", v.Get("date")), v.Get("public") != ""
	p.LeadOrgID = parseChoice(fe, "lead_org", v.Get("lead_org"), c.lead)
	p.Originators = nil
	for _, id := range parseChoices(fe, "originator_persons", v["originator_persons"], c.persons) {
		p.Originators = append(p.Originators, council.Originator{PersonID: id})
	}
	for _, id := range parseChoices(fe, "originator_orgs", v["originator_orgs"], c.orgs) {
		p.Originators = append(p.Originators, council.Originator{OrganizationID: id})
	}
	if p.Related, err = s.papersByReference(ctx, fe, "related", b.ID, p.ID, v.Get("related")); err != nil {
		return err
	}
	saved, ok, err := saveValid(fe, p.Validate, func() (council.Paper, error) { return s.Council.SavePaper(s.Actor(r), p) })
	return afterSave(w, r, ok, err, "/admin/papers/"+saved.ID.String(), "saved", func() error { return s.paperForm(w, r, b.ID, p.ID, v, fe) })
}

// papersByReference resolves a comma- or space-separated list of
// references (related papers, follow-up papers); unknown ones and self are
// a field error on field.
func (s *server) papersByReference(ctx context.Context, fe council.FieldErrors, field string, body, self council.ID, refs string) ([]council.ID, error) {
	var out []council.ID
	seen := map[council.ID]bool{}
	for _, ref := range strings.FieldsFunc(refs, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		rp, err := s.Council.PaperByReference(ctx, body, ref)
		if err != nil {
			if errors.Is(err, council.ErrNotFound) {
				fe.Add(field, msgRefs)
				continue
			}
			return nil, err
		}
		if rp.ID == self {
			fe.Add(field, council.MsgInvalid)
			continue
		}
		if !seen[rp.ID] {
			seen[rp.ID] = true
			out = append(out, rp.ID)
		}
	}
	return out, nil
}

func (s *server) adminPaperSubmit(w http.ResponseWriter, r *http.Request) error {
	_, p, err := loadInBody(s, r, s.loadPaper)
	if err != nil {
		return err
	}
	if p.Status != council.StatusDraft {
		return fmt.Errorf("%w: the paper was already submitted (%s)", council.ErrConflict, p.Reference)
	}
	if _, err := s.Council.Submit(s.Actor(r), p.ID, s.Now()); err != nil {
		return err
	}
	return Redirect(w, r, "/admin/papers/"+p.ID.String(), "submitted")
}

func (s *server) adminPaperStatusForm(w http.ResponseWriter, r *http.Request) error {
	_, p, err := loadInBody(s, r, s.loadPaper)
	if err != nil {
		return err
	}
	return s.statusForm(w, r, p, url.Values{"status": {string(p.Status)}}, nil)
}

func (s *server) statusForm(w http.ResponseWriter, r *http.Request, p council.Paper, v url.Values, fe council.FieldErrors) error {
	u := "/admin/papers/" + p.ID.String()
	f := form{Title: "admin.paper.status_title", TitleArg: p.Name, Action: u + "/status", Submit: "admin.paper.status_submit", Cancel: u}
	if p.Status == council.StatusDraft {
		f.Intro = "admin.paper.status_draft"
	}
	fb := newForm(v, fe).
		choice("select", "status", "admin.paper.status", "", true, statusOptions(false)).
		input("textarea", "note", "admin.paper.status_note", "admin.paper.status_note_hint", false)
	return s.renderForm(w, r, fb.build(f))
}

func (s *server) adminPaperStatus(w http.ResponseWriter, r *http.Request) error {
	_, p, v, err := postedInBody(s, r, s.loadPaper)
	if err != nil {
		return err
	}
	fe := council.FieldErrors{}
	st := council.PaperStatus(v.Get("status"))
	switch {
	case p.Status == council.StatusDraft:
		fe.Add("status", "admin.paper.status_draft")
	case !known(string(st), statusOptions(false)):
		fe.Add("status", council.MsgUnknownKind)
	case len(v.Get("note")) > 5000:
		fe.Add("note", council.MsgTooLong)
	}
	if len(fe) > 0 {
		return s.statusForm(w, r, p, v, fe)
	}
	if err := s.Council.SetStatus(s.Actor(r), p.ID, st, strings.TrimSpace(v.Get("note")), s.Now()); err != nil {
		return err
	}
	return Redirect(w, r, "/admin/papers/"+p.ID.String(), "status_changed")
}

// Consultation path.

var consultationRoles = []string{"Vorberatung", "Entscheidung", "Kenntnisnahme", "Anhörung"}

func (s *server) bodyOptions(ctx context.Context, body council.ID) ([]option, error) {
	orgs, err := s.Council.Organizations(ctx, body)
	if err != nil {
		return nil, err
	}
	var bodies []council.Organization
	for _, o := range orgs {
		if o.Kind.IsBody() {
			bodies = append(bodies, o)
		}
	}
	return orgOptions(bodies), nil
}

func (s *server) adminConsultationNew(w http.ResponseWriter, r *http.Request) error {
	b, p, err := loadInBody(s, r, s.loadPaper)
	if err != nil {
		return err
	}
	return s.consultationForm(w, r, b.ID, p, url.Values{"role": {"Vorberatung"}}, nil)
}

func (s *server) consultationForm(w http.ResponseWriter, r *http.Request, body council.ID, p council.Paper, v url.Values, fe council.FieldErrors) error {
	orgs, err := s.bodyOptions(r.Context(), body)
	if err != nil {
		return err
	}
	u := "/admin/papers/" + p.ID.String()
	f := form{Title: "admin.consultation.new", TitleArg: p.Name, Action: u + "/consultations", Submit: "admin.consultation.add", Cancel: u}
	fb := newForm(v, fe).
		choice("select", "organization", "admin.consultation.organization", "", true, withNone(orgs)).
		add(field{Type: "text", Name: "role", Label: "admin.consultation.role", Hint: "admin.consultation.role_hint", List: consultationRoles}).
		input("checkbox", "authoritative", "admin.consultation.authoritative", "admin.consultation.authoritative_hint", false)
	return s.renderForm(w, r, fb.build(f))
}

func (s *server) adminConsultationSave(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	b, p, v, err := postedInBody(s, r, s.loadPaper)
	if err != nil {
		return err
	}
	orgs, err := s.bodyOptions(ctx, b.ID)
	if err != nil {
		return err
	}
	existing, err := s.Council.Consultations(ctx, p.ID)
	if err != nil {
		return err
	}
	fe := council.FieldErrors{}
	c := council.Consultation{PaperID: p.ID, Role: strings.TrimSpace(v.Get("role")), Authoritative: v.Get("authoritative") != ""}
	c.OrganizationID = parseChoice(fe, "organization", v.Get("organization"), orgs)
	for _, x := range existing {
		c.Position = max(c.Position, x.Position+1)
	}
	_, ok, err := saveValid(fe, c.Validate, func() (council.Consultation, error) { return s.Council.SaveConsultation(s.Actor(r), c) })
	return afterSave(w, r, ok, err, "/admin/papers/"+p.ID.String(), "consultation_added", func() error {
		return s.consultationForm(w, r, b.ID, p, v, fe)
	})
}

// loadConsultation returns the consultation in URL parameter "cid" and
// checks its paper belongs to body. Errors: ErrInvalid, ErrNotFound.
func (s *server) loadConsultation(r *http.Request, body council.ID) (council.Consultation, error) {
	id, c, err := fetchFromURL(r, "cid", s.Council.Consultation)
	if err != nil {
		return c, err
	}
	p, err := s.Council.Paper(r.Context(), c.PaperID)
	if err != nil {
		return council.Consultation{}, err
	}
	return c, MustBelong("consultation", id, p.BodyID, body, c.Deleted || p.Deleted)
}

func (s *server) adminConsultationMove(w http.ResponseWriter, r *http.Request) error {
	_, c, err := loadInBody(s, r, s.loadConsultation)
	if err != nil {
		return err
	}
	delta, err := direction(r)
	if err != nil {
		return err
	}
	if err := s.Council.MoveConsultation(s.Actor(r), c.ID, delta); err != nil {
		return err
	}
	return Redirect(w, r, "/admin/papers/"+c.PaperID.String(), "moved")
}

func (s *server) adminConsultationDelete(w http.ResponseWriter, r *http.Request) error {
	_, c, err := loadInBody(s, r, s.loadConsultation)
	if err != nil {
		return err
	}
	if c.AgendaItemID != council.NilID {
		return fmt.Errorf("%w: the step is on an agenda; remove the agenda item first", council.ErrConflict)
	}
	if err := s.Council.DeleteConsultation(s.Actor(r), c.ID); err != nil {
		return err
	}
	return Redirect(w, r, "/admin/papers/"+c.PaperID.String(), "consultation_removed")
}

// direction reads the "dir" form value of a move button: up is -1, down
// is +1. Anything else is ErrInvalid.
func direction(r *http.Request) (int, error) {
	v, err := parseForm(r)
	if err != nil {
		return 0, err
	}
	switch v.Get("dir") {
	case "up":
		return -1, nil
	case "down":
		return 1, nil
	}
	return 0, council.Invalidf("direction must be up or down")
}
