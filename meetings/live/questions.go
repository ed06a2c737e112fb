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
	// CmdGiveQuestionFloor gives the asker of a published question the
	// floor: a temporary, audio-only speaker slot on the SFU (never a
	// camera, never in the non-public part); CmdEndQuestionFloor ends it
	// before its time. Moving to another item, switching to the
	// non-public part and closing the session end it too.
	CmdGiveQuestionFloor CommandName = "give_question_floor"
	CmdEndQuestionFloor  CommandName = "end_question_floor"
	EvQuestionFloor      EventKind   = "question_floor" // QuestionFloorView
)

// The asking citizen's speaking time: DefaultQuestionFloor unless the
// chair names one, at most MaxQuestionFloor.
const (
	DefaultQuestionFloor = 3 * time.Minute
	MinQuestionFloor     = 30 * time.Second
	MaxQuestionFloor     = 10 * time.Minute
)

// GiveQuestionFloor gives the asker of Question (published, on the
// current item, the meeting's question time) the floor for Limit (0:
// DefaultQuestionFloor).
type GiveQuestionFloor struct {
	Question council.ID
	Limit    time.Duration
}

// EndQuestionFloor ends the asking citizen's floor.
type EndQuestionFloor struct{}

func (GiveQuestionFloor) Name() CommandName { return CmdGiveQuestionFloor }
func (EndQuestionFloor) Name() CommandName  { return CmdEndQuestionFloor }

func (c GiveQuestionFloor) validate() error {
	if c.Question == council.NilID {
		return council.Invalidf("name the question whose asker gets the floor")
	}
	if c.Limit != 0 && (c.Limit < MinQuestionFloor || c.Limit > MaxQuestionFloor) {
		return council.Invalidf("speaking time: between %d and %d seconds", int(MinQuestionFloor/time.Second), int(MaxQuestionFloor/time.Second))
	}
	return nil
}

// QuestionFloorView is the asking citizen's floor: the question, from
// when and until when (Until nil in an event: the floor ended, Ended
// says when). Mine, in a snapshot only, tells the subscriber that they
// asked it (the page offers them the microphone). The asker is named
// only as the question names them (with consent).
type QuestionFloorView struct {
	ID     council.ID `json:"id"`
	Number int        `json:"number"`
	Asker  string     `json:"asker,omitempty"`
	From   *time.Time `json:"from,omitempty"`
	Until  *time.Time `json:"until,omitempty"`
	Ended  *time.Time `json:"ended,omitempty"`
	Mine   bool       `json:"mine,omitempty"`
}

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
		cmd[GiveQuestionFloor]{
			who:   permission{chair: true, clerk: true},
			emits: []EventKind{EvQuestionRead, EvQuestionFloor},
			decode: func(w *wire) GiveQuestionFloor {
				return GiveQuestionFloor{Question: w.id("question"),
					Limit: time.Duration(w.number("seconds", 0, int(MaxQuestionFloor/time.Second))) * time.Second}
			},
			run: (*cmdCtx).giveQuestionFloor,
		}.spec(),
		cmd[EndQuestionFloor]{
			who:   permission{chair: true, clerk: true},
			emits: []EventKind{EvQuestionFloor},
			run: func(cc *cmdCtx, ctx context.Context, _ EndQuestionFloor) ([]event, error) {
				evs, err := cc.endQuestionFloor(ctx)
				if err == nil && len(evs) == 0 {
					err = fmt.Errorf("%w: no asking citizen holds the floor", council.ErrConflict)
				}
				return evs, err
			},
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

// giveQuestionFloor gives the asker of c.Question the floor: like
// readQuestion it needs the question time's item in the public part, and
// a free place on the floor (the members holding it count against K).
func (cc *cmdCtx) giveQuestionFloor(ctx context.Context, c GiveQuestionFloor) ([]event, error) {
	ms := meetings.NewStore(cc.st.db)
	qt, ok, err := ms.QuestionTimeOf(ctx, cc.s.MeetingID)
	if err != nil {
		return nil, err
	}
	if !ok || qt.ItemID != cc.s.ItemID {
		return nil, fmt.Errorf("%w: the asking citizen speaks during the question time; move to its agenda item first", council.ErrConflict)
	}
	if cc.s.Part != PartPublic {
		return nil, fmt.Errorf("%w: the question time is held in the public part", council.ErrConflict)
	}
	sp, err := speakers(ctx, cc.st, cc.s)
	if err != nil {
		return nil, err
	}
	if len(sp.Floor) >= cc.s.FloorLimit {
		return nil, fmt.Errorf("%w: %d of %d already hold the floor; end it first", council.ErrConflict, len(sp.Floor), cc.s.FloorLimit)
	}
	limit := c.Limit
	if limit == 0 {
		limit = DefaultQuestionFloor
	}
	q, err := ms.GiveQuestionFloor(ctx, cc.s.ItemID, c.Question, cc.now, cc.now.Add(limit))
	if err != nil {
		return nil, err
	}
	v, err := publicQuestion(ctx, ms, cc.s.ItemID, q.ID)
	if err != nil {
		return nil, err
	}
	from, until := q.FloorFrom, q.FloorUntil
	return []event{
		{Kind: EvQuestionRead, Audience: AudiencePublic, Payload: v},
		{Kind: EvQuestionFloor, Audience: AudiencePublic, Payload: QuestionFloorView{ID: q.ID, Number: q.Number, Asker: v.Asker, From: &from, Until: &until}},
	}, nil
}

// endQuestionFloor ends the floor of the asking citizen on the current
// item, if one holds it, with its event (none: nobody held it).
func (cc *cmdCtx) endQuestionFloor(ctx context.Context) ([]event, error) {
	if cc.s.ItemID == council.NilID {
		return nil, nil
	}
	ms := meetings.NewStore(cc.st.db)
	id, err := ms.EndQuestionFloor(ctx, cc.s.ItemID, cc.now)
	if err != nil || id == council.NilID {
		return nil, err
	}
	q, err := ms.Question(ctx, id)
	if err != nil {
		return nil, err
	}
	ended := cc.now
	return []event{{Kind: EvQuestionFloor, Audience: AudiencePublic, Payload: QuestionFloorView{ID: q.ID, Number: q.Number, Ended: &ended}}}, nil
}

// questionFloor returns the asking citizen's floor on the current item
// at now for a snapshot (nil: none); mine: the subscriber asked it.
func questionFloor(ctx context.Context, db council.DBTX, s session, a Actor, now time.Time) (*QuestionFloorView, error) {
	if s.ItemID == council.NilID || s.Part != PartPublic {
		return nil, nil
	}
	ms := meetings.NewStore(db)
	q, ok, err := ms.QuestionFloor(ctx, s.ItemID, now)
	if err != nil || !ok {
		return nil, err
	}
	v, err := publicQuestion(ctx, ms, s.ItemID, q.ID)
	if err != nil {
		return nil, err
	}
	from, until := q.FloorFrom, q.FloorUntil
	return &QuestionFloorView{ID: q.ID, Number: q.Number, Asker: v.Asker, From: &from, Until: &until,
		Mine: a.UserID != council.NilID && a.UserID == q.AskerID}, nil
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
