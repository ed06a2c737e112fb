package admin

import (
	"context"
	"encoding/json"
	"errors"
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
	// ToApprove are earlier meetings of the same organizations whose
	// minutes could be put on this agenda for approval.
	ToApprove []meetings.Meeting
	// QuestionTime is the meeting's Einwohnerfragestunde
	// (admin_questions.go); HasQuestionTime false: none.
	QuestionTime    meetings.QuestionTime
	HasQuestionTime bool
}

func (s *server) adminMeeting(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	b, m, err := loadInBody(s, r, s.loadMeeting)
	if err != nil {
		return err
	}
	d := meetingDetail{Notice: s.Notice(r), Meeting: m, Editable: m.State != meetings.Closed}
	names, err := s.orgNames(ctx, b.ID)
	if err != nil {
		return err
	}
	for _, o := range m.Organizations {
		d.Orgs = append(d.Orgs, names[o])
	}
	if m.LocationID != council.NilID {
		if l, err := s.Council.Location(ctx, m.LocationID); err == nil {
			d.Location = l.Label()
		}
	}
	if d.Items, err = s.Meetings.AgendaItems(ctx, m.ID); err != nil {
		return err
	}
	d.InviteProblem = inviteProblem(m, len(d.Items))
	if d.QuestionTime, d.HasQuestionTime, err = s.Meetings.QuestionTimeOf(ctx, m.ID); err != nil {
		return err
	}
	if d.Editable && s.Minutes != nil {
		if d.ToApprove, err = s.Meetings.MinutesToApprove(ctx, m.ID); err != nil {
			return err
		}
	}
	s.Render(w, r, http.StatusOK, "admin_meeting", d)
	return nil
}

// loadItem returns the back office body's meeting in URL parameter "id"
// and its agenda item in "item". Errors: ErrInvalid, ErrNotFound (also for
// an item of another meeting).
func (s *server) loadItem(r *http.Request) (meetings.Meeting, meetings.AgendaItem, error) {
	_, m, err := loadInBody(s, r, s.loadMeeting)
	if err != nil {
		return m, meetings.AgendaItem{}, err
	}
	id, it, err := fetchFromURL(r, "item", s.Meetings.AgendaItem)
	if err != nil {
		return m, it, err
	}
	if it.MeetingID != m.ID || it.Deleted {
		return m, it, fmt.Errorf("%w: agenda item %s", council.ErrNotFound, id)
	}
	return m, it, nil
}

func meetingURL(m meetings.Meeting) string { return "/admin/meetings/" + m.ID.String() }

func (s *server) adminItemNew(w http.ResponseWriter, r *http.Request) error {
	_, m, err := loadInBody(s, r, s.loadMeeting)
	if err != nil {
		return err
	}
	return s.renderForm(w, r, itemForm(m, council.NilID, url.Values{"public": {"1"}}, nil))
}

func (s *server) adminItemEdit(w http.ResponseWriter, r *http.Request) error {
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

func (s *server) adminItemSave(w http.ResponseWriter, r *http.Request) error {
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
	_, ok, err := saveValid(fe, it.Validate, func() (meetings.AgendaItem, error) { return s.Meetings.SaveAgendaItem(s.Actor(r), it) })
	return afterSave(w, r, ok, err, meetingURL(m), "item_saved", func() error { return s.renderForm(w, r, itemForm(m, it.ID, v, fe)) })
}

// meetingOrgChoices are the meeting's bodies, for the consultation an
// item from a paper stands for.
func (s *server) meetingOrgChoices(ctx context.Context, body council.ID, m meetings.Meeting) ([]option, error) {
	names, err := s.orgNames(ctx, body)
	if err != nil {
		return nil, err
	}
	var orgs []option
	for _, o := range m.Organizations {
		orgs = append(orgs, option{Value: o.String(), Label: names[o]})
	}
	return orgs, nil
}

func visibilityOptions() []option {
	return []option{{Value: "paper", Key: "admin.item.visibility_paper"}, {Value: "nonpublic", Key: "admin.item.visibility_nonpublic"}}
}

func (s *server) adminItemPaperNew(w http.ResponseWriter, r *http.Request) error {
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

// paperItemForm renders the form that puts a paper on the agenda. The
// paper is a text field for its reference number (or words of its title),
// which combobox.js turns into a type-ahead over GET /admin/papers/suggest.
func (s *server) paperItemForm(w http.ResponseWriter, r *http.Request, body council.ID, m meetings.Meeting, v url.Values, fe council.FieldErrors) error {
	ctx := r.Context()
	orgs, err := s.meetingOrgChoices(ctx, body, m)
	if err != nil {
		return err
	}
	ready, err := s.Council.SuggestPapers(ctx, body, "", 1)
	if err != nil {
		return err
	}
	u := meetingURL(m)
	f := form{Title: "admin.item.paper_title", TitleArg: m.Name, Action: u + "/items/paper", Submit: "admin.item.add", Cancel: u}
	if len(ready) == 0 {
		f.Intro = "admin.item.no_papers"
	}
	fb := newForm(v, fe).
		add(field{Type: "combobox", Name: "paper", Label: "admin.item.paper", Hint: "admin.item.paper_hint", Required: true,
			Source: "/admin/papers/suggest"}).
		choice("select", "organization", "admin.item.organization", "admin.item.organization_hint", true, orgs).
		choice("select", "visibility", "admin.item.visibility", "", true, visibilityOptions())
	return s.renderForm(w, r, fb.build(f))
}

// Field errors of the paper picker.
const (
	msgPaperUnknown   = "admin.err.paper_unknown"
	msgPaperAmbiguous = "admin.err.paper_ambiguous"
	msgPaperNotReady  = "admin.err.paper_not_ready"
)

// pickedPaper finds the paper the picker names: the id combobox.js sets
// (paper_id), else the text typed into the field (paper), which is a
// reference number, or words that match exactly one paper (see
// council.SuggestPapers), or an id. It returns a field error key instead
// of the paper when there is none, or it cannot go on an agenda.
func (s *server) pickedPaper(ctx context.Context, body council.ID, v url.Values) (council.Paper, string, error) {
	text := strings.TrimSpace(v.Get("paper"))
	var p council.Paper
	var err error
	if id, perr := council.ParseID(strings.TrimSpace(v.Get("paper_id"))); perr == nil && text != "" {
		p, err = s.Council.Paper(ctx, id)
	} else if text == "" {
		return p, council.MsgRequired, nil
	} else if id, perr := council.ParseID(text); perr == nil {
		p, err = s.Council.Paper(ctx, id)
	} else if p, err = s.Council.PaperByReference(ctx, body, text); errors.Is(err, council.ErrNotFound) {
		ps, serr := s.Council.SuggestPapers(ctx, body, text, 2)
		switch {
		case serr != nil:
			return p, "", serr
		case len(ps) == 0:
			return p, msgPaperUnknown, nil
		case len(ps) > 1:
			return p, msgPaperAmbiguous, nil
		}
		p, err = ps[0], nil
	}
	if errors.Is(err, council.ErrNotFound) || (err == nil && (p.Deleted || p.BodyID != body)) {
		return p, msgPaperUnknown, nil
	}
	if err != nil {
		return p, "", err
	}
	if !p.Status.OnAgenda() {
		return p, msgPaperNotReady, nil
	}
	return p, "", nil
}

func (s *server) adminItemPaperSave(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	b, m, v, err := postedInBody(s, r, s.loadMeeting)
	if err != nil {
		return err
	}
	orgs, err := s.meetingOrgChoices(ctx, b.ID, m)
	if err != nil {
		return err
	}
	fe := council.FieldErrors{}
	paper, msg, err := s.pickedPaper(ctx, b.ID, v)
	if err != nil {
		return err
	}
	if msg != "" {
		fe.Add("paper", msg)
	}
	org := parseChoice(fe, "organization", v.Get("organization"), orgs)
	if org == council.NilID {
		fe.Add("organization", council.MsgRequired)
	}
	if !known(v.Get("visibility"), visibilityOptions()) {
		fe.Add("visibility", council.MsgUnknownKind)
	}
	if len(fe) > 0 {
		return s.paperItemForm(w, r, b.ID, m, v, fe)
	}
	if _, err := s.Meetings.AddPaper(s.Actor(r), m.ID, paper.ID, org, v.Get("visibility") == "paper"); err != nil {
		return err
	}
	return Redirect(w, r, meetingURL(m), "item_saved")
}

// paperSuggestion is one paper in the answer of GET /admin/papers/suggest.
type paperSuggestion struct {
	ID        council.ID `json:"id"`
	Reference string     `json:"reference"`
	Title     string     `json:"title"`
	Date      string     `json:"date"` // YYYY-MM-DD; "" when unknown
	Public    bool       `json:"public"`
}

// adminPaperSuggest answers the paper picker's type-ahead: GET
// /admin/papers/suggest?q=… gives, as JSON, at most 20 of the papers that
// can go on an agenda whose reference starts with q or whose title holds
// its words, most recent first; an empty q gives the most recent papers.
// Staff only (the /admin routes), non-public papers included.
func (s *server) adminPaperSuggest(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query().Get("q")
	if len(q) > 500 {
		return council.Invalidf("q is longer than 500 bytes")
	}
	b, err := s.body(r.Context())
	if err != nil {
		return err
	}
	ps, err := s.Council.SuggestPapers(r.Context(), b.ID, q, paperSuggestLimit)
	if err != nil {
		return err
	}
	out := struct {
		Papers []paperSuggestion `json:"papers"`
	}{Papers: make([]paperSuggestion, 0, len(ps))}
	for _, p := range ps {
		out.Papers = append(out.Papers, paperSuggestion{ID: p.ID, Reference: p.Reference, Title: p.Name,
			Date: dateValue(p.Date), Public: p.Public})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	return json.NewEncoder(w).Encode(out)
}

// paperSuggestLimit is how many papers the picker suggests at most.
const paperSuggestLimit = 20

func (s *server) adminItemMove(w http.ResponseWriter, r *http.Request) error {
	m, it, err := s.loadItem(r)
	if err != nil {
		return err
	}
	delta, err := direction(r)
	if err != nil {
		return err
	}
	if err := s.Meetings.MoveItem(s.Actor(r), m.ID, it.ID, delta); err != nil {
		return err
	}
	return Redirect(w, r, meetingURL(m), "moved")
}

func (s *server) adminItemTogglePublic(w http.ResponseWriter, r *http.Request) error {
	m, it, err := s.loadItem(r)
	if err != nil {
		return err
	}
	it.Public = !it.Public
	if _, err := s.Meetings.SaveAgendaItem(s.Actor(r), it); err != nil {
		return err
	}
	return Redirect(w, r, meetingURL(m), "item_saved")
}

func (s *server) adminItemDelete(w http.ResponseWriter, r *http.Request) error {
	m, it, err := s.loadItem(r)
	if err != nil {
		return err
	}
	if err := s.Meetings.DeleteItem(s.Actor(r), m.ID, it.ID); err != nil {
		return err
	}
	return Redirect(w, r, meetingURL(m), "item_deleted")
}
