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
)

// The agenda builder: a meeting's page in the back office with its items
// and POST buttons to move, toggle, edit and delete them (no JavaScript).

type meetingDetail struct {
	Notice        string
	Meeting       meetings.Meeting
	Orgs          []string
	Location      string
	Items         []meetings.AgendaItem
	InviteProblem string // translation key; "" when the invitation can go out
	Editable      bool   // the agenda can still change
}

func (s *Server) adminMeeting(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	b, m, err := loadInBody(s, r, s.loadMeeting)
	if err != nil {
		return err
	}
	d := meetingDetail{Notice: s.notice(r), Meeting: m, Editable: m.State != meetings.Closed}
	names, err := s.orgNames(ctx, b.ID)
	if err != nil {
		return err
	}
	for _, o := range m.Organizations {
		d.Orgs = append(d.Orgs, names[o])
	}
	if m.LocationID != council.NilID {
		if l, err := s.council.Location(ctx, m.LocationID); err == nil {
			d.Location = l.Label()
		}
	}
	if d.Items, err = s.meetings.AgendaItems(ctx, m.ID); err != nil {
		return err
	}
	d.InviteProblem = inviteProblem(m, len(d.Items))
	s.render(w, r, http.StatusOK, "admin_meeting", d)
	return nil
}

// loadItem returns the back office body's meeting in URL parameter "id"
// and its agenda item in "item". Errors: ErrInvalid, ErrNotFound (also for
// an item of another meeting).
func (s *Server) loadItem(r *http.Request) (meetings.Meeting, meetings.AgendaItem, error) {
	_, m, err := loadInBody(s, r, s.loadMeeting)
	if err != nil {
		return m, meetings.AgendaItem{}, err
	}
	id, it, err := fetchFromURL(r, "item", s.meetings.AgendaItem)
	if err != nil {
		return m, it, err
	}
	if it.MeetingID != m.ID || it.Deleted {
		return m, it, fmt.Errorf("%w: agenda item %s", council.ErrNotFound, id)
	}
	return m, it, nil
}

func meetingURL(m meetings.Meeting) string { return "/admin/meetings/" + m.ID.String() }

func (s *Server) adminItemNew(w http.ResponseWriter, r *http.Request) error {
	_, m, err := loadInBody(s, r, s.loadMeeting)
	if err != nil {
		return err
	}
	return s.renderForm(w, r, itemForm(m, council.NilID, url.Values{"public": {"1"}}, nil))
}

func (s *Server) adminItemEdit(w http.ResponseWriter, r *http.Request) error {
	m, it, err := s.loadItem(r)
	if err != nil {
		return err
	}
	v := url.Values{"name": {it.Name}, "public": {boolValue(it.Public)}, "result": {it.Result},
		"resolution_text": {it.ResolutionText}}
	return s.renderForm(w, r, itemForm(m, it.ID, v, nil))
}

func itemForm(m meetings.Meeting, id council.ID, v url.Values, fe council.FieldErrors) form {
	u := meetingURL(m)
	f := form{Title: "admin.item.new", TitleArg: m.Name, Action: u + "/items", Submit: "admin.item.add", Cancel: u}
	fb := newForm(v, fe).
		input("text", "name", "admin.item.name", "", true).
		input("checkbox", "public", "admin.item.public", "admin.item.public_hint", false)
	if id != council.NilID {
		f.Title, f.Action, f.Submit = "admin.item.edit", u+"/items/"+id.String(), "admin.save"
		fb.set("admin.item.outcome_legend", "").
			add(field{Type: "text", Name: "result", Label: "admin.item.result", Hint: "admin.item.result_hint",
				List: []string{"einstimmig beschlossen", "mehrheitlich beschlossen", "abgelehnt", "vertagt", "zur Kenntnis genommen", "zurückgestellt"}}).
			input("textarea", "resolution_text", "admin.item.resolution_text", "", false)
	}
	return fb.build(f)
}

func (s *Server) adminItemSave(w http.ResponseWriter, r *http.Request) error {
	var m meetings.Meeting
	var it meetings.AgendaItem
	var err error
	if chi.URLParam(r, "item") != "" {
		m, it, err = s.loadItem(r)
	} else {
		_, m, err = loadInBody(s, r, s.loadMeeting)
	}
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	it.MeetingID = m.ID
	it.Name, it.Public = strings.TrimSpace(v.Get("name")), v.Get("public") != ""
	if it.ID != council.NilID {
		it.Result, it.ResolutionText = strings.TrimSpace(v.Get("result")), v.Get("resolution_text")
	}
	fe := council.FieldErrors{}
	if len(it.Result) > 200 {
		fe.Add("result", council.MsgTooLong)
	}
	_, ok, err := saveValid(fe, it.Validate, func() (meetings.AgendaItem, error) { return s.meetings.SaveAgendaItem(actor(r), it) })
	if err != nil {
		return err
	}
	if ok {
		return redirect(w, r, meetingURL(m), "item_saved")
	}
	return s.renderForm(w, r, itemForm(m, it.ID, v, fe))
}

// paperItemChoices are the submitted papers and the meeting's bodies.
func (s *Server) paperItemChoices(ctx context.Context, body council.ID, m meetings.Meeting) (papers, orgs []option, err error) {
	ps, _, err := s.council.FindPapers(ctx, council.PaperQuery{BodyID: body, Limit: 1000})
	if err != nil {
		return nil, nil, err
	}
	for _, p := range ps {
		switch p.Status {
		case council.StatusDraft, council.StatusDone, council.StatusWithdrawn:
			continue
		}
		label := p.Reference + " – " + p.Name
		if !p.Public {
			label += " (nö)"
		}
		papers = append(papers, option{Value: p.ID.String(), Label: label})
	}
	names, err := s.orgNames(ctx, body)
	if err != nil {
		return nil, nil, err
	}
	for _, o := range m.Organizations {
		orgs = append(orgs, option{Value: o.String(), Label: names[o]})
	}
	return papers, orgs, nil
}

func visibilityOptions() []option {
	return []option{{Value: "paper", Key: "admin.item.visibility_paper"}, {Value: "nonpublic", Key: "admin.item.visibility_nonpublic"}}
}

func (s *Server) adminItemPaperNew(w http.ResponseWriter, r *http.Request) error {
	b, m, err := loadInBody(s, r, s.loadMeeting)
	if err != nil {
		return err
	}
	v := url.Values{"visibility": {"paper"}}
	if len(m.Organizations) == 1 {
		v.Set("organization", m.Organizations[0].String())
	}
	return s.paperItemForm(w, r, b.ID, m, v, nil)
}

func (s *Server) paperItemForm(w http.ResponseWriter, r *http.Request, body council.ID, m meetings.Meeting, v url.Values, fe council.FieldErrors) error {
	papers, orgs, err := s.paperItemChoices(r.Context(), body, m)
	if err != nil {
		return err
	}
	u := meetingURL(m)
	f := form{Title: "admin.item.paper_title", TitleArg: m.Name, Action: u + "/items/paper", Submit: "admin.item.add", Cancel: u}
	if len(papers) == 0 {
		f.Intro = "admin.item.no_papers"
	}
	fb := newForm(v, fe).
		choice("select", "paper", "admin.item.paper", "admin.item.paper_hint", true, withNone(papers)).
		choice("select", "organization", "admin.item.organization", "admin.item.organization_hint", true, orgs).
		choice("select", "visibility", "admin.item.visibility", "", true, visibilityOptions())
	return s.renderForm(w, r, fb.build(f))
}

func (s *Server) adminItemPaperSave(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	b, m, err := loadInBody(s, r, s.loadMeeting)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	papers, orgs, err := s.paperItemChoices(ctx, b.ID, m)
	if err != nil {
		return err
	}
	fe := council.FieldErrors{}
	paper := parseChoice(fe, "paper", v.Get("paper"), papers)
	org := parseChoice(fe, "organization", v.Get("organization"), orgs)
	if paper == council.NilID {
		fe.Add("paper", council.MsgRequired)
	}
	if org == council.NilID {
		fe.Add("organization", council.MsgRequired)
	}
	if !known(v.Get("visibility"), visibilityOptions()) {
		fe.Add("visibility", council.MsgUnknownKind)
	}
	if len(fe) > 0 {
		return s.paperItemForm(w, r, b.ID, m, v, fe)
	}
	if _, err := s.meetings.AddPaper(actor(r), m.ID, paper, org, v.Get("visibility") == "paper"); err != nil {
		return err
	}
	return redirect(w, r, meetingURL(m), "item_saved")
}

func (s *Server) adminItemMove(w http.ResponseWriter, r *http.Request) error {
	m, it, err := s.loadItem(r)
	if err != nil {
		return err
	}
	delta, err := direction(r)
	if err != nil {
		return err
	}
	if err := s.meetings.MoveItem(actor(r), m.ID, it.ID, delta); err != nil {
		return err
	}
	return redirect(w, r, meetingURL(m), "moved")
}

func (s *Server) adminItemTogglePublic(w http.ResponseWriter, r *http.Request) error {
	m, it, err := s.loadItem(r)
	if err != nil {
		return err
	}
	it.Public = !it.Public
	if _, err := s.meetings.SaveAgendaItem(actor(r), it); err != nil {
		return err
	}
	return redirect(w, r, meetingURL(m), "item_saved")
}

func (s *Server) adminItemDelete(w http.ResponseWriter, r *http.Request) error {
	m, it, err := s.loadItem(r)
	if err != nil {
		return err
	}
	if err := s.meetings.DeleteItem(actor(r), m.ID, it.ID); err != nil {
		return err
	}
	return redirect(w, r, meetingURL(m), "item_deleted")
}
