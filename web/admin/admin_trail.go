package admin

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/web/site"
)

// The implementation record of a paper (Beschlusskontrolle,
// docs/DOMAIN.md, "Beschlusskontrolle"), edited from the paper's page:
// office and due date, the status with its reason, progress notes and
// follow-up papers. Each is a form of admin_form.html, Post/Redirect/Get
// back to the paper with a notice.

// trailRoutes registers the record's pages under /admin/papers/{id}.
func (s *server) trailRoutes(r chi.Router) {
	r.Get("/papers/{id}/implementation", s.Handle(s.adminImplEdit))
	r.Post("/papers/{id}/implementation", s.Handle(s.adminImplSave))
	r.Get("/papers/{id}/implementation/status", s.Handle(s.adminImplStatusForm))
	r.Post("/papers/{id}/implementation/status", s.Handle(s.adminImplStatus))
	r.Get("/papers/{id}/implementation/notes/new", s.Handle(s.adminImplNoteNew))
	r.Post("/papers/{id}/implementation/notes", s.Handle(s.adminImplNoteSave))
	r.Post("/papers/{id}/implementation/notes/{note}/delete", s.Handle(s.adminImplUnlink("note", "impl_note_removed", s.Council.DeleteImplementationNote)))
	r.Get("/papers/{id}/implementation/follow-ups/new", s.Handle(s.adminFollowUpNew))
	r.Post("/papers/{id}/implementation/follow-ups", s.Handle(s.adminFollowUpSave))
	r.Post("/papers/{id}/implementation/follow-ups/{paper}/delete", s.Handle(s.adminImplUnlink("paper", "impl_follow_up_removed", s.Council.UnlinkFollowUp)))
}

// implPath is the paper page's anchor of the record.
func implPath(p council.Paper) string { return "/admin/papers/" + p.ID.String() + "#implementation" }

// implFrame is a form of p's record: titled with the paper's name, posting
// to /admin/papers/{id}/implementation plus sub, cancelled back to the
// record.
func implFrame(p council.Paper, title, sub, submit string) form {
	return form{Title: title, TitleArg: p.Name, Action: "/admin/papers/" + p.ID.String() + "/implementation" + sub,
		Submit: submit, Cancel: implPath(p)}
}

// implStatusOptions are the statuses of a record.
func implStatusOptions() []option {
	out := make([]option, len(council.ImplementationStatuses))
	for i, st := range council.ImplementationStatuses {
		out[i] = option{Value: string(st), Key: "impl.status." + string(st)}
	}
	return out
}

// loadImpl returns the paper of the URL (in body) and its record.
// Errors: ErrInvalid, ErrNotFound (no paper, or no record).
func (s *server) loadImpl(r *http.Request) (council.Paper, council.Implementation, error) {
	_, p, err := loadInBody(s, r, s.loadPaper)
	if err != nil {
		return p, council.Implementation{}, err
	}
	im, err := s.Council.ImplementationOfPaper(r.Context(), p.ID)
	return p, im, err
}

// postedImpl is loadImpl for a POST: also the parsed form.
func (s *server) postedImpl(r *http.Request) (council.Paper, council.Implementation, url.Values, error) {
	p, im, err := s.loadImpl(r)
	if err != nil {
		return p, im, nil, err
	}
	v, err := parseForm(r)
	return p, im, v, err
}

// implementationOf returns the paper's record, ok false when it has none.
func (s *server) implementationOf(ctx context.Context, paper council.ID) (council.Implementation, bool, error) {
	im, err := s.Council.ImplementationOfPaper(ctx, paper)
	if errors.Is(err, council.ErrNotFound) {
		return im, false, nil
	}
	return im, err == nil, err
}

func (s *server) adminImplEdit(w http.ResponseWriter, r *http.Request) error {
	_, p, err := loadInBody(s, r, s.loadPaper)
	if err != nil {
		return err
	}
	im, ok, err := s.implementationOf(r.Context(), p.ID)
	if err != nil {
		return err
	}
	v := url.Values{"status": {string(council.ImplOpen)}}
	if ok {
		v = url.Values{"office": {im.Office}, "due": {dateValue(im.Due)}, "reason": {im.Reason}, "status": {string(im.Status)}}
	}
	return s.implForm(w, r, p, ok, v, nil)
}

// implForm is the record's form: office and due date; on creation also
// the first status, and the reason while the status needs one.
func (s *server) implForm(w http.ResponseWriter, r *http.Request, p council.Paper, exists bool, v url.Values, fe council.FieldErrors) error {
	f := implFrame(p, "admin.impl.new", "", "admin.save")
	if p.Status == council.StatusDraft {
		f.Intro = "err.implementation_draft"
	}
	fb := newForm(v, fe).
		input("text", "office", "admin.impl.office", "admin.impl.office_hint", false).
		input("date", "due", "admin.impl.due", "admin.impl.due_hint", false)
	if exists {
		f.Title = "admin.impl.edit"
		if v.Get("status") == string(council.ImplNotImplemented) {
			fb.input("textarea", "reason", "admin.impl.reason", "admin.impl.reason_hint", true)
		}
	} else {
		fb.choice("select", "status", "admin.impl.status", "", true, implStatusOptions()).
			input("textarea", "reason", "admin.impl.reason", "admin.impl.reason_hint", false)
	}
	return s.renderForm(w, r, fb.build(f))
}

func (s *server) adminImplSave(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	_, p, err := loadInBody(s, r, s.loadPaper)
	if err != nil {
		return err
	}
	old, exists, err := s.implementationOf(ctx, p.ID)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	fe := council.FieldErrors{}
	im := council.Implementation{ID: old.ID, PaperID: p.ID, Status: old.Status, Reason: v.Get("reason"),
		Office: strings.TrimSpace(v.Get("office")), Due: ParseDate(fe, "due", v.Get("due"))}
	if exists {
		v.Set("status", string(old.Status))
	} else {
		im.Status = council.ImplementationStatus(v.Get("status"))
	}
	if im.Status != council.ImplNotImplemented {
		im.Reason = ""
	}
	_, ok, err := saveValid(fe, im.Validate, func() (council.Implementation, error) {
		return s.Council.SaveImplementation(s.Actor(r), im, s.Now())
	})
	return afterSave(w, r, ok, err, implPath(p), "impl_saved", func() error { return s.implForm(w, r, p, exists, v, fe) })
}

func (s *server) adminImplStatusForm(w http.ResponseWriter, r *http.Request) error {
	p, im, err := s.loadImpl(r)
	if err != nil {
		return err
	}
	return s.implStatusForm(w, r, p, url.Values{"status": {string(im.Status)}, "reason": {im.Reason}}, nil)
}

func (s *server) implStatusForm(w http.ResponseWriter, r *http.Request, p council.Paper, v url.Values, fe council.FieldErrors) error {
	f := implFrame(p, "admin.impl.status_title", "/status", "admin.impl.status_submit")
	fb := newForm(v, fe).
		choice("select", "status", "admin.impl.status", "", true, implStatusOptions()).
		input("textarea", "reason", "admin.impl.reason", "admin.impl.reason_hint", false)
	return s.renderForm(w, r, fb.build(f))
}

func (s *server) adminImplStatus(w http.ResponseWriter, r *http.Request) error {
	p, im, v, err := s.postedImpl(r)
	if err != nil {
		return err
	}
	fe := council.FieldErrors{}
	st := council.ImplementationStatus(v.Get("status"))
	if !known(string(st), implStatusOptions()) {
		fe.Add("status", council.MsgUnknownKind)
	}
	next := im
	next.Status, next.Reason = st, v.Get("reason")
	_, ok, err := saveValid(fe, next.Validate, func() (council.Implementation, error) {
		return s.Council.SetImplementationStatus(s.Actor(r), im.ID, st, next.Reason, s.Now())
	})
	return afterSave(w, r, ok, err, implPath(p), "status_changed", func() error { return s.implStatusForm(w, r, p, v, fe) })
}

func (s *server) adminImplNoteNew(w http.ResponseWriter, r *http.Request) error {
	p, _, err := s.loadImpl(r)
	if err != nil {
		return err
	}
	return s.noteForm(w, r, p, url.Values{"date": {dateValue(s.Now().In(site.Berlin))}}, nil)
}

func (s *server) noteForm(w http.ResponseWriter, r *http.Request, p council.Paper, v url.Values, fe council.FieldErrors) error {
	f := implFrame(p, "admin.impl.note_new", "/notes", "admin.impl.note_add")
	fb := newForm(v, fe).
		input("date", "date", "admin.impl.note_date", "", true).
		input("textarea", "text", "admin.impl.note_text", "admin.impl.note_text_hint", true)
	return s.renderForm(w, r, fb.build(f))
}

func (s *server) adminImplNoteSave(w http.ResponseWriter, r *http.Request) error {
	p, im, v, err := s.postedImpl(r)
	if err != nil {
		return err
	}
	fe := council.FieldErrors{}
	n := council.ImplementationNote{Date: ParseDate(fe, "date", v.Get("date")), Text: v.Get("text")}
	if _, bad := fe["date"]; bad {
		n.Date = s.Now() // reported already; keeps Validate from adding "required"
	}
	_, ok, err := saveValid(fe, n.Validate, func() (council.ImplementationNote, error) {
		return s.Council.AddImplementationNote(s.Actor(r), im.ID, n)
	})
	return afterSave(w, r, ok, err, implPath(p), "impl_note_added", func() error { return s.noteForm(w, r, p, v, fe) })
}

// adminImplUnlink removes what the URL's parameter param names from the
// record (a progress note, a follow-up paper) with do and returns to the
// record with notice.
func (s *server) adminImplUnlink(param, notice string, do func(ctx context.Context, impl, id council.ID) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, im, err := s.loadImpl(r)
		if err != nil {
			return err
		}
		id, err := site.URLID(r, param)
		if err != nil {
			return err
		}
		if err := do(s.Actor(r), im.ID, id); err != nil {
			return err
		}
		return Redirect(w, r, implPath(p), notice)
	}
}

func (s *server) adminFollowUpNew(w http.ResponseWriter, r *http.Request) error {
	p, _, err := s.loadImpl(r)
	if err != nil {
		return err
	}
	return s.followUpForm(w, r, p, nil, nil)
}

func (s *server) followUpForm(w http.ResponseWriter, r *http.Request, p council.Paper, v url.Values, fe council.FieldErrors) error {
	f := implFrame(p, "admin.impl.follow_up_new", "/follow-ups", "admin.impl.follow_up_add")
	fb := newForm(v, fe).input("text", "references", "admin.impl.follow_up_refs", "admin.paper.related_hint", true)
	return s.renderForm(w, r, fb.build(f))
}

func (s *server) adminFollowUpSave(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	b, err := s.body(ctx)
	if err != nil {
		return err
	}
	p, im, v, err := s.postedImpl(r)
	if err != nil {
		return err
	}
	fe := council.FieldErrors{}
	ids, err := s.papersByReference(ctx, fe, "references", b.ID, p.ID, v.Get("references"))
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		fe.Add("references", council.MsgRequired)
	}
	if len(fe) > 0 {
		return s.followUpForm(w, r, p, v, fe)
	}
	for _, id := range ids {
		if err := s.Council.LinkFollowUp(s.Actor(r), im.ID, id); err != nil {
			return err
		}
	}
	return Redirect(w, r, implPath(p), "impl_follow_up_added")
}

// implDetail adds the paper's record, its follow-up papers and whether it
// is overdue to the paper page's data.
func (s *server) implDetail(ctx context.Context, d *paperDetail) error {
	im, ok, err := s.implementationOf(ctx, d.Paper.ID)
	if err != nil || !ok {
		return err
	}
	d.Impl = &im
	now := s.Now().In(site.Berlin)
	d.Overdue = im.Overdue(now)
	d.FollowUps = im.FollowUpPapers
	return nil
}
