package meetings

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/plenar/plenar/council"
)

// Public questions, Einwohnerfragestunde (docs/DOMAIN.md,
// "Einwohnerfragestunde"; migrations/sql/00021_questions.sql): verified
// citizens ask questions for an agenda item the clerk marked as the
// meeting's question time; staff moderate and answer them; the chair
// calls published ones in the live session.

// QuestionTime is an agenda item marked as a meeting's question time,
// with its rules.
type QuestionTime struct {
	ItemID       council.ID
	MeetingID    council.ID
	ItemNumber   string
	ItemName     string
	MeetingName  string
	Start        time.Time // the meeting's start
	DeadlineDays int       // questions are taken until Start minus this many days
	PerPerson    int       // questions per person and question time
	// Cancelled, State: the meeting's; a cancelled, running or closed
	// meeting takes no questions.
	Cancelled bool
	State     State
}

// Default rules of a question time.
const (
	DefaultQuestionDeadlineDays = 3
	DefaultQuestionsPerPerson   = 2
	// MaxQuestionText is the longest question, in characters.
	MaxQuestionText = 2000
	// MinQuestionText is the shortest question, in characters.
	MinQuestionText = 10
	// MaxQuestionAnswer is the longest recorded answer.
	MaxQuestionAnswer = 20000
	// MaxQuestionNote is the longest moderation note.
	MaxQuestionNote = 2000
)

// Deadline is the end of submission: DeadlineDays days before the
// meeting's start.
func (q QuestionTime) Deadline() time.Time { return q.Start.AddDate(0, 0, -q.DeadlineDays) }

// Open reports whether questions are taken at now.
func (q QuestionTime) Open(now time.Time) bool {
	return !q.Cancelled && q.State == Invited && now.Before(q.Deadline())
}

// Validate checks the rules and returns council.FieldErrors or nil.
func (q QuestionTime) Validate() error {
	fe := council.FieldErrors{}
	if q.DeadlineDays < 0 || q.DeadlineDays > 60 {
		fe.Add("deadline_days", council.MsgInvalid)
	}
	if q.PerPerson < 1 || q.PerPerson > 20 {
		fe.Add("per_person", council.MsgInvalid)
	}
	return fe.Err()
}

// QuestionState is where a question stands.
type QuestionState string

// Question states.
const (
	QuestionSubmitted QuestionState = "submitted" // waiting for moderation, non-public
	QuestionPublished QuestionState = "published"
	QuestionMerged    QuestionState = "merged" // a duplicate, merged into another
	QuestionRejected  QuestionState = "rejected"
	QuestionAnswered  QuestionState = "answered"
)

// QuestionStates lists every state in order.
var QuestionStates = []QuestionState{QuestionSubmitted, QuestionPublished, QuestionMerged, QuestionRejected, QuestionAnswered}

// RejectReason is why a question was rejected.
type RejectReason string

// Reasons for rejecting a question.
const (
	ReasonOffensive    RejectReason = "offensive"
	ReasonNotMunicipal RejectReason = "not_municipal"
	ReasonDuplicate    RejectReason = "duplicate"
	ReasonPersonalData RejectReason = "personal_data"
	ReasonTooLate      RejectReason = "too_late"
)

// RejectReasons lists every reason in order.
var RejectReasons = []RejectReason{ReasonOffensive, ReasonNotMunicipal, ReasonDuplicate, ReasonPersonalData, ReasonTooLate}

// Valid reports whether r is a known reason.
func (r RejectReason) Valid() bool {
	for _, x := range RejectReasons {
		if x == r {
			return true
		}
	}
	return false
}

// AnswerMode is how a question was answered.
type AnswerMode string

// Answer modes.
const (
	AnswerOral    AnswerMode = "oral"    // in the session; the text is recorded for the minutes
	AnswerWritten AnswerMode = "written" // published with the question
)

// Question is a citizen's question as its asker and staff see it.
type Question struct {
	ID          council.ID
	ItemID      council.ID
	MeetingID   council.ID
	MeetingName string
	MeetingDate time.Time
	Number      int
	Text        string
	State       QuestionState
	MergedInto  council.ID
	MergedNum   int // the number of MergedInto
	Reason      RejectReason
	Note        string // the moderator's note to the asker
	AnswerMode  AnswerMode
	Answer      string
	AskerID     council.ID
	AskerName   string // the account's display name (staff only)
	NamePublic  bool   // the asker consented to their name in public
	Submitted   time.Time
	Called      time.Time // zero: not called in the session
	Answered    time.Time
	// FloorFrom, FloorUntil: when the asker held the floor in the live
	// session (audio only; zero: never). FloorUntil after now: holds it.
	FloorFrom, FloorUntil time.Time
}

// PublicQuestion is a question as the public sees it: published or
// answered, the asker's name only with consent, the answer only when
// published (question_answer_published).
type PublicQuestion struct {
	ID          council.ID
	ItemID      council.ID
	MeetingID   council.ID
	MeetingName string
	MeetingDate time.Time
	Number      int
	Text        string
	State       QuestionState
	Asker       string // "": pseudonymous
	AnswerMode  AnswerMode
	Answer      string // "" until published
	Called      time.Time
	Answered    time.Time
	Merged      int // questions merged into this one
}

// QuestionStats are the public moderation statistics: questions per
// state and rejected ones per reason.
type QuestionStats struct {
	Total    int
	ByState  map[QuestionState]int
	ByReason map[RejectReason]int
}

// Messages of refused questions (translation keys, web/i18n).
const (
	MsgQuestionShort     = "question.err.short"
	MsgQuestionDeadline  = "question.err.deadline"
	MsgQuestionLimit     = "question.err.limit"
	MsgQuestionDuplicate = "question.err.duplicate"
	MsgQuestionAccount   = "question.err.account"
	MsgQuestionClosed    = "question.err.closed"
)

// CheckQuestionText checks a question's text (trimmed) and returns
// council.FieldErrors for field "text" or nil.
func CheckQuestionText(text string) error {
	fe := council.FieldErrors{}
	t := strings.TrimSpace(text)
	switch {
	case !utf8.ValidString(text):
		fe.Add("text", council.MsgInvalid)
	case t == "":
		fe.Add("text", council.MsgRequired)
	case utf8.RuneCountInString(t) > MaxQuestionText:
		fe.Add("text", council.MsgTooLong)
	case utf8.RuneCountInString(t) < MinQuestionText:
		fe.Add("text", MsgQuestionShort)
	case strings.ContainsFunc(t, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }):
		fe.Add("text", council.MsgBadChars)
	}
	return fe.Err()
}

// NormalizeQuestion is the form of a question text the duplicate check
// compares: lower case, letters and digits only, words separated by one
// space.
func NormalizeQuestion(text string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(text) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			space = false
			continue
		}
		space = true
	}
	return b.String()
}

// ModerationAction is what a moderator does with a question.
type ModerationAction string

// Moderation actions.
const (
	ActPublish ModerationAction = "publish"
	ActMerge   ModerationAction = "merge"
	ActReject  ModerationAction = "reject"
	ActAnswer  ModerationAction = "answer"
)

// Moderation is one step of moderation.
type Moderation struct {
	Action ModerationAction
	Into   council.ID   // merge: the question this one duplicates
	Reason RejectReason // reject
	Note   string       // reject, merge: a note to the asker
	Mode   AnswerMode   // answer
	Answer string       // answer: the text (written: required)
}

// Validate checks m and returns council.FieldErrors or nil.
func (m Moderation) Validate() error {
	fe := council.FieldErrors{}
	switch m.Action {
	case ActPublish:
	case ActMerge:
		if m.Into == council.NilID {
			fe.Add("into", council.MsgRequired)
		}
	case ActReject:
		if !m.Reason.Valid() {
			fe.Add("reason", council.MsgRequired)
		}
	case ActAnswer:
		switch m.Mode {
		case AnswerOral:
		case AnswerWritten:
			if strings.TrimSpace(m.Answer) == "" {
				fe.Add("answer", council.MsgRequired)
			}
		default:
			fe.Add("mode", council.MsgUnknownKind)
		}
	default:
		fe.Add("action", council.MsgUnknownKind)
	}
	if !utf8.ValidString(m.Note) || utf8.RuneCountInString(m.Note) > MaxQuestionNote {
		fe.Add("note", council.MsgTooLong)
	}
	if !utf8.ValidString(m.Answer) || utf8.RuneCountInString(m.Answer) > MaxQuestionAnswer {
		fe.Add("answer", council.MsgTooLong)
	}
	return fe.Err()
}
