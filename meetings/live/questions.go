package live

import (
	"context"
	"fmt"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// The Einwohnerfragestunde (docs/DOMAIN.md, "Einwohnerfragestunde"): on
// the item marked as the meeting's question time, the chair calls the
// published questions one by one.
const (
	CmdReadQuestion CommandName = "read_question"
	// CmdShowQuestions announces the question time's questions again,
	// after the clerk published, answered or rejected one while the
	// session is on its item (the back office gives it).
	CmdShowQuestions CommandName = "show_questions"
	EvQuestionRead   EventKind   = "question_read" // QuestionView
	// EvQuestions lists the published questions when the session comes
	// to the question time (start, next/previous item, back to the
	// public part).
	EvQuestions EventKind = "questions" // QuestionsView
)

// QuestionsView is the question time's published questions and the one
// called last (nil: none).
type QuestionsView struct {
	Questions []QuestionView `json:"questions"`
	Current   *QuestionView  `json:"current,omitempty"`
}

// ReadQuestion calls a published question of the current item, the
// meeting's question time: it becomes the current question on every
// page of the session.
type ReadQuestion struct{ Question council.ID }

// ShowQuestions announces the current question time's questions.
type ShowQuestions struct{}

// Name returns the command's name, for Command.
func (ReadQuestion) Name() CommandName  { return CmdReadQuestion }
func (ShowQuestions) Name() CommandName { return CmdShowQuestions }

func (c ReadQuestion) validate() error {
	if c.Question == council.NilID {
		return council.Invalidf("name the question to read")
	}
	return nil
}

// QuestionView is a published question as the session shows it: the
// asker's name only with their consent (user_name_public).
type QuestionView struct {
	ID     council.ID `json:"id"`
	Number int        `json:"number"`
	Text   string     `json:"text"`
	Asker  string     `json:"asker,omitempty"`
	Called *time.Time `json:"called,omitempty"`
}

// questionCommands: the chair (or the clerk on the chair's instruction)
// reads a question.
func questionCommands() []spec {
	return []spec{
		cmd[ReadQuestion]{
			who:    permission{chair: true, clerk: true},
			emits:  []EventKind{EvQuestionRead},
			decode: func(w *wire) ReadQuestion { return ReadQuestion{Question: w.id("question")} },
			run:    (*cmdCtx).readQuestion,
		}.spec(),
		cmd[ShowQuestions]{
			who:   permission{chair: true, clerk: true},
			emits: []EventKind{EvQuestions},
			run:   func(cc *cmdCtx, ctx context.Context, _ ShowQuestions) ([]event, error) { return cc.itemQuestions(ctx) },
		}.spec(),
	}
}

// readQuestion calls question c.Question of the current item. Questions
// are public: the item must be the meeting's (public) question time and
// the session in its public part.
func (cc *cmdCtx) readQuestion(ctx context.Context, c ReadQuestion) ([]event, error) {
	ms := meetings.NewStore(cc.st.db)
	qt, ok, err := ms.QuestionTimeOf(ctx, cc.s.MeetingID)
	if err != nil {
		return nil, err
	}
	if !ok || qt.ItemID != cc.s.ItemID {
		return nil, fmt.Errorf("%w: questions are read during the question time; move to its agenda item first", council.ErrConflict)
	}
	if cc.s.Part != PartPublic {
		return nil, fmt.Errorf("%w: the question time is held in the public part", council.ErrConflict)
	}
	if _, err := ms.CallQuestion(ctx, cc.s.ItemID, c.Question, cc.now); err != nil {
		return nil, err
	}
	v, err := publicQuestion(ctx, ms, cc.s.ItemID, c.Question)
	if err != nil {
		return nil, err
	}
	return []event{{Kind: EvQuestionRead, Audience: AudiencePublic, Payload: v}}, nil
}

// publicQuestion returns question id of question time item as the
// public sees it. Errors: ErrNotFound when it is not public.
func publicQuestion(ctx context.Context, ms *meetings.Store, item, id council.ID) (QuestionView, error) {
	qs, err := ms.PublicQuestionsOfItem(ctx, item)
	if err != nil {
		return QuestionView{}, err
	}
	for _, q := range qs {
		if q.ID == id {
			return questionView(q), nil
		}
	}
	return QuestionView{}, fmt.Errorf("%w: question %s is not public", council.ErrNotFound, id)
}

func questionView(q meetings.PublicQuestion) QuestionView {
	v := QuestionView{ID: q.ID, Number: q.Number, Text: q.Text, Asker: q.Asker}
	if !q.Called.IsZero() {
		t := q.Called
		v.Called = &t
	}
	return v
}

// itemQuestions announces the questions of the current item when it is
// the meeting's question time, in the public part (nothing otherwise).
func (cc *cmdCtx) itemQuestions(ctx context.Context) ([]event, error) {
	if cc.s.Part != PartPublic {
		return nil, nil
	}
	it, err := item(ctx, cc.st, cc.s.ItemID)
	if err != nil || !it.Public {
		return nil, err
	}
	if qt, ok, err := meetings.NewStore(cc.st.db).QuestionTimeOf(ctx, cc.s.MeetingID); err != nil || !ok || qt.ItemID != cc.s.ItemID {
		return nil, err
	}
	qs, cur, err := questions(ctx, cc.st.db, cc.s)
	if err != nil {
		return nil, err
	}
	return []event{{Kind: EvQuestions, Audience: AudiencePublic, Payload: QuestionsView{Questions: qs, Current: cur}}}, nil
}

// questions returns the published questions of the current item when it
// is the meeting's question time, and the one called last (nil: none).
func questions(ctx context.Context, db council.DBTX, s session) ([]QuestionView, *QuestionView, error) {
	if s.ItemID == council.NilID {
		return nil, nil, nil
	}
	qs, err := meetings.NewStore(db).PublicQuestionsOfItem(ctx, s.ItemID)
	if err != nil {
		return nil, nil, err
	}
	var out []QuestionView
	var current *QuestionView
	for _, q := range qs {
		v := questionView(q)
		out = append(out, v)
		if v.Called != nil && (current == nil || v.Called.After(*current.Called)) {
			c := v
			current = &c
		}
	}
	return out, current, nil
}
