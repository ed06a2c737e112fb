package portal

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/web/site"
)

// Public questions, Einwohnerfragestunde (docs/DOMAIN.md,
// "Einwohnerfragestunde"): a meeting's question time page with the form
// to ask (verified citizens), the published questions and their answers
// (/meetings/{id}/questions); all questions with the moderation
// statistics (/beteiligung/fragen); the asker's own questions with their
// state and reason (/my/questions). What the public sees is decided by
// the store's readers, which call the migration's functions
// (migrations/sql/00021_questions.sql).

// questionsPage is the data of questions.html.
type questionsPage struct {
	Meeting   meetings.Meeting
	Time      meetings.QuestionTime
	Deadline  time.Time
	Open      bool // questions are taken now
	CanAsk    bool // the visitor may ask: a verified citizen
	Anonymous bool
	Staff     bool // a logged-in account that is no citizen's
	Mine      int  // the visitor's questions here
	Questions []meetings.PublicQuestion
	Stats     statsView
	Text      string // the form's text after a refusal
	Error     string // translation key of the refusal
	Reported  bool   // a report of a question was received
	Asked     bool   // the question was stored (after the redirect)
}

// questionList is the data of the questions_list partial.
type questionList struct {
	Questions []meetings.PublicQuestion
	Many      bool // of several meetings: each names its meeting
}

// List is the meeting's questions for the questions_list partial.
func (p *questionsPage) List() questionList { return questionList{Questions: p.Questions} }

// List is every public question for the questions_list partial.
func (p allQuestionsPage) List() questionList {
	return questionList{Questions: p.Questions, Many: true}
}

// statsView is the moderation statistics in display order.
type statsView struct {
	Total   int
	States  []countView
	Reasons []countView
}

type countView struct {
	Key string
	N   int
}

func newStatsView(st meetings.QuestionStats) statsView {
	v := statsView{Total: st.Total}
	for _, s := range meetings.QuestionStates {
		v.States = append(v.States, countView{Key: string(s), N: st.ByState[s]})
	}
	for _, r := range meetings.RejectReasons {
		v.Reasons = append(v.Reasons, countView{Key: string(r), N: st.ByReason[r]})
	}
	return v
}

// questionTime loads the meeting of r and its public question time.
// Errors: ErrNotFound when the public may not see either.
func (s *Server) questionTime(r *http.Request) (meetings.Meeting, meetings.QuestionTime, error) {
	id, err := site.PathID(r)
	if err != nil {
		return meetings.Meeting{}, meetings.QuestionTime{}, err
	}
	m, err := s.meetings.Meeting(r.Context(), id)
	if err != nil {
		return m, meetings.QuestionTime{}, site.HideMissing(err, "meeting", id)
	}
	qt, ok, err := s.meetings.PublicQuestionTimeOf(r.Context(), id)
	if err != nil {
		return m, qt, err
	}
	if !ok {
		return m, qt, site.NotFound("question time", id)
	}
	return m, qt, nil
}

func (s *Server) portalQuestions(w http.ResponseWriter, r *http.Request) error {
	m, qt, err := s.questionTime(r)
	if err != nil {
		return err
	}
	data, err := s.questionsData(r, m, qt)
	if err != nil {
		return err
	}
	data.Asked = r.URL.Query().Get("asked") == "1"
	data.Reported = r.URL.Query().Get("notice") == "reported"
	s.render(w, r, http.StatusOK, "questions", data)
	return nil
}

func (s *Server) questionsData(r *http.Request, m meetings.Meeting, qt meetings.QuestionTime) (*questionsPage, error) {
	ctx := r.Context()
	rs := s.requestStateOf(r)
	now := s.opt.Now()
	data := &questionsPage{Meeting: m, Time: qt, Deadline: qt.Deadline(), Open: qt.Open(now), Anonymous: rs.viewer.IsPublic()}
	if !data.Anonymous {
		data.CanAsk = rs.user.Role == council.RoleCitizen
		data.Staff = !data.CanAsk
		mine, err := s.meetings.MyQuestions(ctx, rs.user.ID)
		if err != nil {
			return nil, err
		}
		for _, q := range mine {
			if q.ItemID == qt.ItemID {
				data.Mine++
			}
		}
	}
	var err error
	if data.Questions, err = s.meetings.PublicQuestions(ctx, m.ID); err != nil {
		return nil, err
	}
	st, err := s.meetings.QuestionStatistics(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	data.Stats = newStatsView(st)
	return data, nil
}

// portalAsk stores a question of the logged-in citizen. A refusal shows
// the form again with the text and the reason (422); nothing is stored.
func (s *Server) portalAsk(w http.ResponseWriter, r *http.Request) error {
	rs := s.requestStateOf(r)
	if rs.viewer.IsPublic() {
		loginFirst(w, r)
		return nil
	}
	m, qt, err := s.questionTime(r)
	if err != nil {
		return err
	}
	text := r.PostFormValue("text")
	_, err = s.meetings.Ask(r.Context(), rs.user.ID, qt.ItemID, text, s.opt.Now())
	if err == nil {
		http.Redirect(w, r, s.langURL(r, "/my/questions?asked=1"), http.StatusSeeOther)
		return nil
	}
	var fe council.FieldErrors
	if !errors.As(err, &fe) {
		return err
	}
	data, derr := s.questionsData(r, m, qt)
	if derr != nil {
		return derr
	}
	data.Text, data.Error = text, fe["text"]
	s.render(w, r, http.StatusUnprocessableEntity, "questions", data)
	return nil
}

// langURL adds the request's language to path when it is not the
// default (a redirect keeps the visitor's language).
func (s *Server) langURL(r *http.Request, path string) string {
	if lang := s.requestStateOf(r).lang; lang != "" && lang != "de" {
		u, err := url.Parse(path)
		if err == nil {
			q := u.Query()
			q.Set("lang", lang)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return path
}

// allQuestionsPage is the data of questions_all.html.
type allQuestionsPage struct {
	Questions []meetings.PublicQuestion
	Stats     statsView
}

func (s *Server) portalAllQuestions(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	qs, err := s.meetings.PublicQuestions(ctx, council.NilID)
	if err != nil {
		return err
	}
	st, err := s.meetings.QuestionStatistics(ctx, council.NilID)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "questions_all", allQuestionsPage{Questions: qs, Stats: newStatsView(st)})
	return nil
}

// myQuestionsPage is the data of my_questions.html.
type myQuestionsPage struct {
	Questions []meetings.Question
	Asked     bool
}

func (s *Server) portalMyQuestions(w http.ResponseWriter, r *http.Request) error {
	rs := s.requestStateOf(r)
	if rs.viewer.IsPublic() {
		loginFirst(w, r)
		return nil
	}
	qs, err := s.meetings.MyQuestions(r.Context(), rs.user.ID)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "my_questions", myQuestionsPage{Questions: qs, Asked: r.URL.Query().Get("asked") == "1"})
	return nil
}
