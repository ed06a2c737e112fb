package meetings

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
)

// Every SQL statement on the question tables
// (migrations/sql/00021_questions.sql). The public readers call the
// migration's visibility functions (question_public,
// question_answer_published, question_counted, user_name_public).

const questionTimeCols = `t.item_id, i.meeting_id, i.number, i.name, m.name, m.start_at, t.deadline_days, t.per_person, m.cancelled, m.state`

const questionTimeFrom = `question_times t JOIN agenda_items i ON i.id = t.item_id JOIN meetings m ON m.id = i.meeting_id`

func scanQuestionTime(row pgx.Row) (QuestionTime, error) {
	var q QuestionTime
	err := row.Scan(&q.ItemID, &q.MeetingID, &q.ItemNumber, &q.ItemName, &q.MeetingName, &q.Start, &q.DeadlineDays, &q.PerPerson,
		&q.Cancelled, &q.State)
	return q, err
}

// SetQuestionTime marks agenda item q.ItemID as its meeting's question
// time with q's rules (or updates them). Only a public item can be a
// question time. Errors: ErrInvalid, ErrNotFound, ErrConflict (a
// non-public item, or the meeting has another question time).
func (s *Store) SetQuestionTime(ctx context.Context, q QuestionTime) error {
	if err := q.Validate(); err != nil {
		return err
	}
	err := council.Tx(ctx, s.db, func(tx council.DBTXTx) error {
		var public bool
		var meeting council.ID
		if err := tx.QueryRow(ctx, `SELECT public, meeting_id FROM agenda_items WHERE id = $1 AND NOT deleted FOR UPDATE`,
			q.ItemID).Scan(&public, &meeting); err != nil {
			return council.TranslateError(err)
		}
		if !public {
			return userError(council.ErrConflict, "question.err.nonpublic_item", "a question time must be a public agenda item")
		}
		var other int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+questionTimeFrom+`
			WHERE i.meeting_id = $1 AND t.item_id <> $2 AND NOT t.deleted AND NOT i.deleted`, meeting, q.ItemID).Scan(&other); err != nil {
			return council.TranslateError(err)
		}
		if other > 0 {
			return userError(council.ErrConflict, "question.err.second_time", "the meeting already has a question time")
		}
		if _, err := tx.Exec(ctx, `INSERT INTO question_times (item_id, deadline_days, per_person) VALUES ($1, $2, $3)
			ON CONFLICT (item_id) DO UPDATE SET deadline_days = $2, per_person = $3, deleted = false, modified = now()`,
			q.ItemID, q.DeadlineDays, q.PerPerson); err != nil {
			return council.TranslateError(err)
		}
		return council.Record(ctx, tx, "question_time", q.ItemID, council.OpUpdate,
			map[string]any{"DeadlineDays": q.DeadlineDays, "PerPerson": q.PerPerson})
	})
	if err != nil {
		return fmt.Errorf("set question time: %w", err)
	}
	return nil
}

// QuestionTimeOf returns the meeting's question time (any state of the
// agenda: for staff and for callers that checked the agenda's
// visibility themselves); ok false when the meeting has none.
func (s *Store) QuestionTimeOf(ctx context.Context, meeting council.ID) (QuestionTime, bool, error) {
	q, err := scanQuestionTime(s.db.QueryRow(ctx, `SELECT `+questionTimeCols+` FROM `+questionTimeFrom+`
		WHERE i.meeting_id = $1 AND NOT t.deleted AND NOT i.deleted AND NOT m.deleted`, meeting))
	if errors.Is(err, pgx.ErrNoRows) {
		return QuestionTime{}, false, nil
	}
	if err != nil {
		return QuestionTime{}, false, fmt.Errorf("question time of %s: %w", meeting, council.TranslateError(err))
	}
	return q, true, nil
}

// PublicQuestionTimeOf returns the meeting's question time when the
// public may see it (its item is agenda_item_public); ok false otherwise.
func (s *Store) PublicQuestionTimeOf(ctx context.Context, meeting council.ID) (QuestionTime, bool, error) {
	q, err := scanQuestionTime(s.db.QueryRow(ctx, `SELECT `+questionTimeCols+` FROM `+questionTimeFrom+`
		WHERE i.meeting_id = $1 AND NOT t.deleted AND agenda_item_public(i, m)`, meeting))
	if errors.Is(err, pgx.ErrNoRows) {
		return QuestionTime{}, false, nil
	}
	if err != nil {
		return QuestionTime{}, false, fmt.Errorf("question time of %s: %w", meeting, council.TranslateError(err))
	}
	return q, true, nil
}

// Ask stores a question of user asker for the public question time
// item, at now. The asker must be a verified, active citizen account;
// the question time must be open (before its deadline, the meeting
// invited and not cancelled); the asker may have at most PerPerson
// questions there, none with the same normalised text. Nothing is stored
// on refusal. Errors: ErrInvalid (council.FieldErrors on "text" with the
// Msg* keys of this package and council's, MsgQuestionAccount for an
// account that is no verified citizen's), ErrNotFound (no public
// question time, no such user).
func (s *Store) Ask(ctx context.Context, asker, item council.ID, text string, now time.Time) (Question, error) {
	if err := CheckQuestionText(text); err != nil {
		return Question{}, err
	}
	text = strings.TrimSpace(text)
	norm := NormalizeQuestion(text)
	var id council.ID
	err := council.Tx(ctx, s.db, func(tx council.DBTXTx) error {
		var role string
		var verified, disabled bool
		if err := tx.QueryRow(ctx, `SELECT role, email_verified IS NOT NULL, disabled OR deleted FROM users WHERE id = $1`,
			asker).Scan(&role, &verified, &disabled); err != nil {
			return council.TranslateError(err)
		}
		if role != string(council.RoleCitizen) || !verified || disabled {
			return fieldError(MsgQuestionAccount)
		}
		// The row lock serialises the askers of one question time, so the
		// limit and the numbers hold under concurrent submissions.
		qt, err := scanQuestionTime(tx.QueryRow(ctx, `SELECT `+questionTimeCols+` FROM `+questionTimeFrom+`
			WHERE t.item_id = $1 AND NOT t.deleted AND agenda_item_public(i, m) FOR UPDATE OF t`, item))
		if err != nil {
			return council.TranslateError(err)
		}
		if qt.Cancelled || qt.State != Invited {
			return fieldError(MsgQuestionClosed)
		}
		if !now.Before(qt.Deadline()) {
			return fieldError(MsgQuestionDeadline)
		}
		var mine int
		var same bool
		if err := tx.QueryRow(ctx, `SELECT count(*), coalesce(bool_or(norm = $3), false) FROM questions
			WHERE item_id = $1 AND asker_id = $2 AND NOT deleted`, item, asker, norm).Scan(&mine, &same); err != nil {
			return council.TranslateError(err)
		}
		if same {
			return fieldError(MsgQuestionDuplicate)
		}
		if mine >= qt.PerPerson {
			return fieldError(MsgQuestionLimit)
		}
		id = council.NewID()
		if _, err := tx.Exec(ctx, `INSERT INTO questions (id, item_id, asker_id, number, text, norm, created, modified)
			VALUES ($1, $2, $3, (SELECT coalesce(max(number), 0) + 1 FROM questions WHERE item_id = $2), $4, $5, $6, $6)`,
			id, item, asker, text, norm, now); err != nil {
			return council.TranslateError(err)
		}
		return council.Record(ctx, tx, "question", id, council.OpCreate, map[string]any{"Item": item})
	})
	if err != nil {
		return Question{}, fmt.Errorf("ask: %w", err)
	}
	return s.Question(ctx, id)
}

// userError is an error of kind with a message for the user (key: its
// translation, text: in English).
func userError(kind error, key, text string) error {
	return &council.UserError{Kind: kind, Key: key, Text: text}
}

// fieldError is a refusal of the question's text field.
func fieldError(msg string) error {
	fe := council.FieldErrors{}
	fe.Add("text", msg)
	return fe
}

const questionCols = `q.id, q.item_id, i.meeting_id, m.name, m.start_at, q.number, q.text, q.state, q.merged_into,
	coalesce(mq.number, 0), q.reason, q.note, q.answer_mode, q.answer, coalesce(q.asker_id, '00000000-0000-0000-0000-000000000000'),
	coalesce(u.display_name, ''), coalesce(user_name_public(u), false),
	q.created, q.called_at, q.answered_at, q.floor_from, q.floor_until`

const questionFrom = `questions q JOIN agenda_items i ON i.id = q.item_id JOIN meetings m ON m.id = i.meeting_id
	LEFT JOIN users u ON u.id = q.asker_id LEFT JOIN questions mq ON mq.id = q.merged_into`

func scanQuestion(row pgx.Row) (Question, error) {
	var q Question
	var into *council.ID
	var called, answered, from, until *time.Time
	err := row.Scan(&q.ID, &q.ItemID, &q.MeetingID, &q.MeetingName, &q.MeetingDate, &q.Number, &q.Text, &q.State, &into,
		&q.MergedNum, &q.Reason, &q.Note, &q.AnswerMode, &q.Answer, &q.AskerID, &q.AskerName, &q.NamePublic,
		&q.Submitted, &called, &answered, &from, &until)
	q.MergedInto = council.IDOf(into)
	if from != nil && until != nil {
		q.FloorFrom, q.FloorUntil = *from, *until
	}
	if called != nil {
		q.Called = *called
	}
	if answered != nil {
		q.Answered = *answered
	}
	return q, err
}

func (s *Store) questions(ctx context.Context, where string, args ...any) ([]Question, error) {
	rows, err := s.db.Query(ctx, `SELECT `+questionCols+` FROM `+questionFrom+` WHERE NOT q.deleted AND `+where, args...)
	if err != nil {
		return nil, council.TranslateError(err)
	}
	defer rows.Close()
	var out []Question
	for rows.Next() {
		q, err := scanQuestion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// Question returns question id (staff and its asker only). Errors:
// ErrNotFound.
func (s *Store) Question(ctx context.Context, id council.ID) (Question, error) {
	q, err := scanQuestion(s.db.QueryRow(ctx, `SELECT `+questionCols+` FROM `+questionFrom+` WHERE q.id = $1 AND NOT q.deleted`, id))
	if err != nil {
		return Question{}, fmt.Errorf("question %s: %w", id, council.TranslateError(err))
	}
	return q, nil
}

// MyQuestions returns asker's questions, newest first, with their state,
// reason and note (for the asker only).
func (s *Store) MyQuestions(ctx context.Context, asker council.ID) ([]Question, error) {
	out, err := s.questions(ctx, `q.asker_id = $1 ORDER BY q.created DESC, q.number DESC`, asker)
	if err != nil {
		return nil, fmt.Errorf("my questions: %w", err)
	}
	return out, nil
}

// QuestionsOfItem returns every question of question time item in
// order (staff: the moderation queue and the chair's console).
func (s *Store) QuestionsOfItem(ctx context.Context, item council.ID) ([]Question, error) {
	out, err := s.questions(ctx, `q.item_id = $1 ORDER BY q.number`, item)
	if err != nil {
		return nil, fmt.Errorf("questions of %s: %w", item, err)
	}
	return out, nil
}

// QuestionQueue returns the questions in state (all: ""), of meetings
// from since on, oldest meeting first (staff).
func (s *Store) QuestionQueue(ctx context.Context, state QuestionState, since time.Time) ([]Question, error) {
	out, err := s.questions(ctx, `($1 = '' OR q.state = $1) AND m.start_at >= $2 AND NOT m.deleted
		ORDER BY m.start_at, q.number`, string(state), since)
	if err != nil {
		return nil, fmt.Errorf("question queue: %w", err)
	}
	return out, nil
}

// PublicQuestions returns the questions the public may see
// (question_public), of one meeting or (NilID) of all, newest meeting
// first: the asker's name only by user_name_public, the answer only by
// question_answer_published.
func (s *Store) PublicQuestions(ctx context.Context, meeting council.ID) ([]PublicQuestion, error) {
	return s.publicQuestions(ctx, `($1::uuid IS NULL OR m.id = $1) ORDER BY m.start_at DESC, q.number`, council.NullID(meeting))
}

// PublicQuestion returns question id as the public sees it. Errors:
// ErrNotFound (also when it is not public).
func (s *Store) PublicQuestion(ctx context.Context, id council.ID) (PublicQuestion, error) {
	qs, err := s.publicQuestions(ctx, `q.id = $1`, id)
	if err != nil {
		return PublicQuestion{}, err
	}
	if len(qs) == 0 {
		return PublicQuestion{}, fmt.Errorf("question %s: %w", id, council.ErrNotFound)
	}
	return qs[0], nil
}

// PublicQuestionsOfItem returns the public questions of question time
// item in order (the live session's list), as PublicQuestions.
func (s *Store) PublicQuestionsOfItem(ctx context.Context, item council.ID) ([]PublicQuestion, error) {
	return s.publicQuestions(ctx, `q.item_id = $1 ORDER BY q.number`, item)
}

func (s *Store) publicQuestions(ctx context.Context, where string, args ...any) ([]PublicQuestion, error) {
	rows, err := s.db.Query(ctx, `SELECT q.id, q.item_id, m.id, m.name, m.start_at, q.number, q.text, q.state,
			CASE WHEN coalesce(user_name_public(u), false) THEN u.display_name ELSE '' END,
			q.answer_mode,
			CASE WHEN question_answer_published(q, x) THEN q.answer ELSE '' END,
			q.called_at, q.answered_at,
			(SELECT count(*) FROM questions d WHERE d.merged_into = q.id AND NOT d.deleted)
		FROM questions q JOIN question_times t ON t.item_id = q.item_id JOIN agenda_items i ON i.id = t.item_id
			JOIN meetings m ON m.id = i.meeting_id LEFT JOIN users u ON u.id = q.asker_id
			LEFT JOIN minutes x ON x.meeting_id = m.id
		WHERE question_public(q, t, i, m) AND `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("public questions: %w", council.TranslateError(err))
	}
	defer rows.Close()
	var out []PublicQuestion
	for rows.Next() {
		var p PublicQuestion
		var called, answered *time.Time
		if err := rows.Scan(&p.ID, &p.ItemID, &p.MeetingID, &p.MeetingName, &p.MeetingDate, &p.Number, &p.Text, &p.State,
			&p.Asker, &p.AnswerMode, &p.Answer, &called, &answered, &p.Merged); err != nil {
			return nil, fmt.Errorf("public questions: %w", err)
		}
		if called != nil {
			p.Called = *called
		}
		if answered != nil {
			p.Answered = *answered
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// QuestionStatistics counts the questions of the public question times
// (question_counted), of one meeting or (NilID) of all, per state and
// rejected ones per reason: numbers only.
func (s *Store) QuestionStatistics(ctx context.Context, meeting council.ID) (QuestionStats, error) {
	st := QuestionStats{ByState: map[QuestionState]int{}, ByReason: map[RejectReason]int{}}
	rows, err := s.db.Query(ctx, `SELECT q.state, q.reason, count(*)
		FROM questions q JOIN question_times t ON t.item_id = q.item_id JOIN agenda_items i ON i.id = t.item_id
			JOIN meetings m ON m.id = i.meeting_id
		WHERE question_counted(q, t, i, m) AND ($1::uuid IS NULL OR m.id = $1)
		GROUP BY q.state, q.reason`, council.NullID(meeting))
	if err != nil {
		return st, fmt.Errorf("question statistics: %w", council.TranslateError(err))
	}
	defer rows.Close()
	for rows.Next() {
		var state, reason string
		var n int
		if err := rows.Scan(&state, &reason, &n); err != nil {
			return st, fmt.Errorf("question statistics: %w", err)
		}
		st.Total += n
		st.ByState[QuestionState(state)] += n
		if reason != "" {
			st.ByReason[RejectReason(reason)] += n
		}
	}
	return st, rows.Err()
}

// Moderate applies m to question id at now, as the actor in ctx:
//   - publish: a submitted (or rejected) question becomes public;
//   - merge: a submitted question becomes a duplicate of m.Into, a
//     published or answered question of the same question time;
//   - reject: a submitted or published question is rejected with
//     m.Reason and m.Note (never public; the asker sees both);
//   - answer: a published question is answered, orally (m.Answer, the
//     text recorded for the minutes) or in writing (published).
//
// The asker is told of each step by mail (mailer; nil: no mail), queued in
// the same transaction: publishing, merging, rejecting with the reason
// code, a written answer; an oral answer they hear in the session.
//
// Errors: ErrInvalid, ErrNotFound, ErrConflict (the state does not allow
// the step).
func (s *Store) Moderate(ctx context.Context, id council.ID, m Moderation, now time.Time, mailer council.ParticipationMailer) (Question, error) {
	if err := m.Validate(); err != nil {
		return Question{}, err
	}
	err := council.Tx(ctx, s.db, func(tx council.DBTXTx) error {
		var state QuestionState
		var item council.ID
		if err := tx.QueryRow(ctx, `SELECT state, item_id FROM questions WHERE id = $1 AND NOT deleted FOR UPDATE`,
			id).Scan(&state, &item); err != nil {
			return council.TranslateError(err)
		}
		conflict := func() error {
			return userError(council.ErrConflict, "question.err.state", "a "+string(state)+" question cannot be changed so")
		}
		var err error
		switch m.Action {
		case ActPublish:
			if state != QuestionSubmitted && state != QuestionRejected {
				return conflict()
			}
			_, err = tx.Exec(ctx, `UPDATE questions SET state = 'published', reason = '', note = '', published_at = $2, modified = $2
				WHERE id = $1`, id, now)
		case ActMerge:
			if state != QuestionSubmitted {
				return conflict()
			}
			var intoState QuestionState
			if err := tx.QueryRow(ctx, `SELECT state FROM questions WHERE id = $1 AND item_id = $2 AND id <> $3 AND NOT deleted`,
				m.Into, item, id).Scan(&intoState); err != nil {
				if errors.Is(err, pgx.ErrNoRows) {
					return userError(council.ErrInvalid, "question.err.merge_target", "merge into a question of the same question time")
				}
				return council.TranslateError(err)
			}
			if intoState != QuestionPublished && intoState != QuestionAnswered {
				return userError(council.ErrConflict, "question.err.merge_target", "merge into a published question")
			}
			_, err = tx.Exec(ctx, `UPDATE questions SET state = 'merged', merged_into = $2, note = $3, modified = $4 WHERE id = $1`,
				id, m.Into, strings.TrimSpace(m.Note), now)
		case ActReject:
			if state != QuestionSubmitted && state != QuestionPublished {
				return conflict()
			}
			_, err = tx.Exec(ctx, `UPDATE questions SET state = 'rejected', reason = $2, note = $3, published_at = NULL, modified = $4
				WHERE id = $1`, id, string(m.Reason), strings.TrimSpace(m.Note), now)
		case ActAnswer:
			if state != QuestionPublished && state != QuestionAnswered {
				return conflict()
			}
			_, err = tx.Exec(ctx, `UPDATE questions SET state = 'answered', answer_mode = $2, answer = $3, answered_at = $4, modified = $4
				WHERE id = $1`, id, string(m.Mode), strings.TrimSpace(m.Answer), now)
		}
		if err != nil {
			return council.TranslateError(err)
		}
		if err := council.Record(ctx, tx, "question", id, council.OpUpdate, map[string]any{"Action": m.Action, "Reason": m.Reason,
			"Into": m.Into, "Mode": m.Mode}); err != nil {
			return err
		}
		return notifyAsker(ctx, tx, id, m, mailer)
	})
	if err != nil {
		return Question{}, fmt.Errorf("moderate question: %w", err)
	}
	return s.Question(ctx, id)
}

// notifyAsker queues the message about moderation step m of question id
// to its asker, in tx (no message without a mailer, for an oral answer, or
// to an account that is disabled or unverified).
func notifyAsker(ctx context.Context, tx council.DBTX, id council.ID, m Moderation, mailer council.ParticipationMailer) error {
	change := map[ModerationAction]council.QuestionChange{ActPublish: council.QuestionChangePublished,
		ActMerge: council.QuestionChangeMerged, ActReject: council.QuestionChangeRejected, ActAnswer: council.QuestionChangeAnswered}[m.Action]
	if mailer == nil || change == "" || (m.Action == ActAnswer && m.Mode != AnswerWritten) {
		return nil
	}
	q, err := scanQuestion(tx.QueryRow(ctx, `SELECT `+questionCols+` FROM `+questionFrom+` WHERE q.id = $1`, id))
	if err != nil {
		return council.TranslateError(err)
	}
	to, lang, ok, err := council.MailAddressOf(ctx, tx, q.AskerID)
	if err != nil || !ok {
		return err
	}
	return mailer.QuestionModerated(ctx, tx, council.QuestionNotice{To: to, Lang: lang, Question: q.ID, Meeting: q.MeetingID,
		MeetingName: q.MeetingName, MeetingStart: q.MeetingDate, Number: q.Number, Text: q.Text, Change: change,
		Reason: string(q.Reason), Note: q.Note, MergedNumber: q.MergedNum, Answer: q.Answer})
}

// CallQuestion records that the chair called question id of question
// time item in the live session at now (live command read_question).
// Errors: ErrNotFound (no such question there), ErrConflict (not
// published).
func (s *Store) CallQuestion(ctx context.Context, item, id council.ID, now time.Time) (Question, error) {
	var state QuestionState
	err := s.db.QueryRow(ctx, `SELECT state FROM questions WHERE id = $1 AND item_id = $2 AND NOT deleted FOR UPDATE`, id, item).Scan(&state)
	if err != nil {
		return Question{}, fmt.Errorf("call question: %w", council.TranslateError(err))
	}
	if state != QuestionPublished && state != QuestionAnswered {
		return Question{}, fmt.Errorf("%w: only a published question can be called", council.ErrConflict)
	}
	if _, err := s.db.Exec(ctx, `UPDATE questions SET called_at = $2, modified = $2 WHERE id = $1`, id, now); err != nil {
		return Question{}, fmt.Errorf("call question: %w", council.TranslateError(err))
	}
	if err := council.Record(ctx, s.db, "question", id, council.OpUpdate, map[string]any{"Called": now}); err != nil {
		return Question{}, err
	}
	return s.Question(ctx, id)
}

// CalledQuestion returns the question of item called last in the live
// session; ok false when none was called.
func (s *Store) CalledQuestion(ctx context.Context, item council.ID) (Question, bool, error) {
	q, err := scanQuestion(s.db.QueryRow(ctx, `SELECT `+questionCols+` FROM `+questionFrom+`
		WHERE q.item_id = $1 AND NOT q.deleted AND q.called_at IS NOT NULL AND question_published(q)
		ORDER BY q.called_at DESC LIMIT 1`, item))
	if errors.Is(err, pgx.ErrNoRows) {
		return Question{}, false, nil
	}
	if err != nil {
		return Question{}, false, fmt.Errorf("called question: %w", council.TranslateError(err))
	}
	return q, true, nil
}

// GiveQuestionFloor gives the asker of question id of question time item
// the floor from now until until (live command give_question_floor): a
// temporary, audio-only speaker slot. The question must be published (or
// answered in writing); it counts as called. A question of the item that
// still held the floor loses it now. Errors: ErrNotFound, ErrConflict
// (not published), ErrInvalid (until not after now).
func (s *Store) GiveQuestionFloor(ctx context.Context, item, id council.ID, now, until time.Time) (Question, error) {
	if !until.After(now) {
		return Question{}, council.Invalidf("the floor must end after it begins")
	}
	err := council.Tx(ctx, s.db, func(tx council.DBTXTx) error {
		var state QuestionState
		if err := tx.QueryRow(ctx, `SELECT state FROM questions WHERE id = $1 AND item_id = $2 AND NOT deleted FOR UPDATE`,
			id, item).Scan(&state); err != nil {
			return council.TranslateError(err)
		}
		if state != QuestionPublished && state != QuestionAnswered {
			return fmt.Errorf("%w: only the asker of a published question can be given the floor", council.ErrConflict)
		}
		if _, err := endQuestionFloor(ctx, tx, item, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE questions SET floor_from = $2, floor_until = $3, called_at = coalesce(called_at, $2),
			modified = $2 WHERE id = $1`, id, now, until); err != nil {
			return council.TranslateError(err)
		}
		return council.Record(ctx, tx, "question", id, council.OpUpdate, map[string]any{"FloorFrom": now, "FloorUntil": until})
	})
	if err != nil {
		return Question{}, fmt.Errorf("give question floor: %w", err)
	}
	return s.Question(ctx, id)
}

// EndQuestionFloor ends the floor of the question of item that holds it
// at now, if any, and reports the question (NilID: none held it).
func (s *Store) EndQuestionFloor(ctx context.Context, item council.ID, now time.Time) (council.ID, error) {
	id, err := endQuestionFloor(ctx, s.db, item, now)
	if err != nil {
		return council.NilID, fmt.Errorf("end question floor: %w", err)
	}
	return id, nil
}

func endQuestionFloor(ctx context.Context, db council.DBTX, item council.ID, now time.Time) (council.ID, error) {
	var id council.ID
	err := db.QueryRow(ctx, `UPDATE questions SET floor_until = greatest($2, floor_from), modified = $2
		WHERE item_id = $1 AND floor_until > $2 AND NOT deleted RETURNING id`, item, now).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return council.NilID, nil
	}
	if err != nil {
		return council.NilID, council.TranslateError(err)
	}
	return id, council.Record(ctx, db, "question", id, council.OpUpdate, map[string]any{"FloorUntil": now})
}

// QuestionFloor returns the question of item whose asker holds the floor
// at now; ok false when none does.
func (s *Store) QuestionFloor(ctx context.Context, item council.ID, now time.Time) (Question, bool, error) {
	q, err := scanQuestion(s.db.QueryRow(ctx, `SELECT `+questionCols+` FROM `+questionFrom+`
		WHERE q.item_id = $1 AND NOT q.deleted AND q.floor_from <= $2 AND q.floor_until > $2 AND question_published(q)
		ORDER BY q.floor_from DESC LIMIT 1`, item, now))
	if errors.Is(err, pgx.ErrNoRows) {
		return Question{}, false, nil
	}
	if err != nil {
		return Question{}, false, fmt.Errorf("question floor: %w", council.TranslateError(err))
	}
	return q, true, nil
}
