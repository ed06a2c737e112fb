package admin

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// The Einwohnerfragestunde in the back office (docs/DOMAIN.md,
// "Einwohnerfragestunde"): marking an agenda item as the meeting's
// question time with its deadline and limit, the queue of questions
// waiting for moderation, and each meeting's moderation page — publish,
// merge into another question, reject with a reason code and a note,
// record the answer (oral, for the minutes, or written, published with
// the question). Every step is a POST form with the session's CSRF
// token, Post/Redirect/Get with a notice.

// questionRoutes registers the pages under /admin.
func (s *server) questionRoutes(r chi.Router) {
	r.Get("/questions", s.Handle(s.adminQuestionQueue))
	r.Get("/meetings/{id}/question-time", s.Handle(s.adminQuestionTimeForm))
	r.Post("/meetings/{id}/question-time", s.Handle(s.adminQuestionTimeSave))
	r.Get("/meetings/{id}/questions", s.Handle(s.adminQuestions))
	r.Post("/meetings/{id}/questions/{qid}", s.Handle(s.adminModerate))
}

func questionsPath(m meetings.Meeting) string {
	return "/admin/meetings/" + m.ID.String() + "/questions"
}

// adminQuestionTimeForm is the form that marks an item as the question
// time: the item (public ones), the deadline in days and the limit.
func (s *server) adminQuestionTimeForm(w http.ResponseWriter, r *http.Request) error {
	_, m, err := loadInBody(s, r, s.loadMeeting)
	if err != nil {
		return err
	}
	v := url.Values{"deadline_days": {strconv.Itoa(meetings.DefaultQuestionDeadlineDays)},
		"per_person": {strconv.Itoa(meetings.DefaultQuestionsPerPerson)}}
	if qt, ok, err := s.Meetings.QuestionTimeOf(r.Context(), m.ID); err != nil {
		return err
	} else if ok {
		v = url.Values{"item": {qt.ItemID.String()}, "deadline_days": {strconv.Itoa(qt.DeadlineDays)},
			"per_person": {strconv.Itoa(qt.PerPerson)}}
	}
	return s.questionTimeForm(w, r, m, v, nil)
}

func (s *server) questionTimeForm(w http.ResponseWriter, r *http.Request, m meetings.Meeting, v url.Values, fe council.FieldErrors) error {
	items, err := s.Meetings.AgendaItems(r.Context(), m.ID)
	if err != nil {
		return err
	}
	var opts []option
	for _, it := range items {
		if it.Public {
			opts = append(opts, option{Value: it.ID.String(), Label: it.Number + " " + it.Name})
		}
	}
	u := "/admin/meetings/" + m.ID.String()
	f := form{Title: "admin.qt.title", TitleArg: m.Name, Intro: "admin.qt.intro", Action: u + "/question-time",
		Submit: "admin.save", Cancel: u}
	fb := newForm(v, fe).
		choice("select", "item", "admin.qt.item", "admin.qt.item_hint", true, opts).
		input("number", "deadline_days", "admin.qt.deadline_days", "admin.qt.deadline_days_hint", true).
		input("number", "per_person", "admin.qt.per_person", "admin.qt.per_person_hint", true)
	return s.renderForm(w, r, fb.build(f))
}

func (s *server) adminQuestionTimeSave(w http.ResponseWriter, r *http.Request) error {
	_, m, v, err := postedInBody(s, r, s.loadMeeting)
	if err != nil {
		return err
	}
	fe := council.FieldErrors{}
	item, err := council.ParseID(v.Get("item"))
	if err != nil {
		fe.Add("item", council.MsgRequired)
	} else if it, err := s.Meetings.AgendaItem(r.Context(), item); err != nil || it.MeetingID != m.ID || it.Deleted {
		fe.Add("item", council.MsgInvalid)
	}
	qt := meetings.QuestionTime{ItemID: item, DeadlineDays: parseInt(fe, "deadline_days", v.Get("deadline_days")),
		PerPerson: parseInt(fe, "per_person", v.Get("per_person"))}
	_, ok, err := saveValid(fe, qt.Validate, func() (struct{}, error) {
		return struct{}{}, s.Meetings.SetQuestionTime(s.Actor(r), qt)
	})
	return afterSave(w, r, ok, err, questionsPath(m), "question_time_saved", func() error { return s.questionTimeForm(w, r, m, v, fe) })
}

// questionsAdminPage is the data of admin_questions.html: one meeting's
// question time with every question, or (Meeting zero) the queue of
// questions waiting across upcoming meetings.
type questionsAdminPage struct {
	Notice    string
	Error     string // translation key of a refused step
	Meeting   meetings.Meeting
	Time      meetings.QuestionTime
	HasTime   bool
	Questions []meetings.Question
	Targets   []meetings.Question // published and answered: what a duplicate can be merged into
	Reasons   []meetings.RejectReason
	Queue     bool
}

// adminQuestionQueue lists the questions waiting for moderation, of
// meetings from a week ago on.
func (s *server) adminQuestionQueue(w http.ResponseWriter, r *http.Request) error {
	since := s.Now().AddDate(0, 0, -7)
	qs, err := s.Meetings.QuestionQueue(r.Context(), meetings.QuestionSubmitted, since)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "admin_questions", questionsAdminPage{Notice: s.Notice(r), Questions: qs, Queue: true})
	return nil
}

func (s *server) adminQuestions(w http.ResponseWriter, r *http.Request) error {
	_, m, err := loadInBody(s, r, s.loadMeeting)
	if err != nil {
		return err
	}
	return s.renderQuestions(w, r, m, http.StatusOK, "")
}

func (s *server) renderQuestions(w http.ResponseWriter, r *http.Request, m meetings.Meeting, status int, problem string) error {
	d := questionsAdminPage{Notice: s.Notice(r), Error: problem, Meeting: m, Reasons: meetings.RejectReasons}
	var err error
	if d.Time, d.HasTime, err = s.Meetings.QuestionTimeOf(r.Context(), m.ID); err != nil {
		return err
	}
	if d.HasTime {
		if d.Questions, err = s.Meetings.QuestionsOfItem(r.Context(), d.Time.ItemID); err != nil {
			return err
		}
		for _, q := range d.Questions {
			if q.State == meetings.QuestionPublished || q.State == meetings.QuestionAnswered {
				d.Targets = append(d.Targets, q)
			}
		}
	}
	s.Render(w, r, status, "admin_questions", d)
	return nil
}

// adminModerate applies one moderation step ("action": publish, merge,
// reject, answer) to a question of the meeting's question time. A
// refused step shows the page again with the reason (400).
func (s *server) adminModerate(w http.ResponseWriter, r *http.Request) error {
	_, m, err := loadInBody(s, r, s.loadMeeting)
	if err != nil {
		return err
	}
	qid, q, err := fetchFromURL(r, "qid", s.Meetings.Question)
	if err != nil {
		return err
	}
	if q.MeetingID != m.ID {
		return MustBelong("question", qid, council.NilID, m.ID, false)
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	mod := meetings.Moderation{Action: meetings.ModerationAction(v.Get("action")), Reason: meetings.RejectReason(v.Get("reason")),
		Note: v.Get("note"), Mode: meetings.AnswerMode(v.Get("mode")), Answer: v.Get("answer")}
	if into := v.Get("into"); into != "" {
		if mod.Into, err = council.ParseID(into); err != nil {
			return s.renderQuestions(w, r, m, http.StatusBadRequest, council.MsgInvalid)
		}
	}
	if _, err := s.Meetings.Moderate(s.Actor(r), qid, mod, s.Now(), s.Mailer); err != nil {
		var fe council.FieldErrors
		var ue *council.UserError
		switch {
		case errors.As(err, &fe):
			for _, k := range []string{"action", "reason", "into", "mode", "answer", "note"} {
				if _, ok := fe[k]; ok {
					return s.renderQuestions(w, r, m, http.StatusBadRequest, "admin.questions.err."+k)
				}
			}
		case errors.As(err, &ue):
			return s.renderQuestions(w, r, m, http.StatusConflict, ue.Key)
		}
		return err
	}
	if s.ShowQuestions != nil {
		s.ShowQuestions(r, m.ID)
	}
	return Redirect(w, r, questionsPath(m)+"#question-"+qid.String(), "question_"+string(mod.Action))
}
