package council

import (
	"strings"
	"time"
)

// ImplementationStatus is where the implementation of a resolution stands
// (docs/DOMAIN.md, "Beschlusskontrolle").
type ImplementationStatus string

// Implementation statuses.
const (
	ImplOpen           ImplementationStatus = "open"            // offen
	ImplInProgress     ImplementationStatus = "in_progress"     // in Umsetzung
	ImplDone           ImplementationStatus = "done"            // umgesetzt
	ImplNotImplemented ImplementationStatus = "not_implemented" // nicht umgesetzt (with the reason)
)

// ImplementationStatuses lists every status in the order of the work.
var ImplementationStatuses = []ImplementationStatus{ImplOpen, ImplInProgress, ImplDone, ImplNotImplemented}

// Valid reports whether s is a known status.
func (s ImplementationStatus) Valid() bool {
	for _, x := range ImplementationStatuses {
		if x == s {
			return true
		}
	}
	return false
}

// Finished reports whether nothing more is to be done: done, or not
// implemented (for a reason).
func (s ImplementationStatus) Finished() bool { return s == ImplDone || s == ImplNotImplemented }

// Implementation is the implementation record of a decided paper
// (Beschlusskontrolle): who in the administration carries it out, where it
// stands, by when, what happened so far and which papers followed. It is
// public exactly when its paper is (implementation_public,
// migrations/sql/00016_implementation.sql).
type Implementation struct {
	ID        ID
	PaperID   ID
	Office    string // the responsible office, e.g. "Amt für Schule und Sport"
	Status    ImplementationStatus
	Reason    string    // why it is not implemented; required for ImplNotImplemented
	Due       time.Time // zero: no due date
	Notes     []ImplementationNote
	FollowUps []ID // follow-up papers, in the order they were linked
	// FollowUpPapers are the follow-ups' reference, name, type and status
	// (ID, Reference, Name, Type, Status set), where a reader loads them
	// (ImplementationOfPaper, ImplementationFor).
	FollowUpPapers []Paper
	Events         []ImplementationEvent
	Meta
}

// Overdue reports whether the due date has passed (before today's date)
// and the record is not finished.
func (im Implementation) Overdue(today time.Time) bool {
	if im.Due.IsZero() || im.Status.Finished() {
		return false
	}
	y, m, d := today.Date()
	return im.Due.Before(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// ImplementationNote is a dated progress note (Sachstand).
type ImplementationNote struct {
	ID       ID
	Date     time.Time
	Text     string
	AuthorID ID // the user who wrote it; NilID: the system. Never shown to the public
	Created  time.Time
}

// ImplementationEvent is one status a record took: the first is the
// status it was created with.
type ImplementationEvent struct {
	At      time.Time
	Status  ImplementationStatus
	Reason  string
	ActorID ID // NilID: the system
}

// Validate checks im and returns FieldErrors (ErrInvalid) or nil: a known
// status, a reason when not implemented, texts within their limits.
func (im Implementation) Validate() error {
	fe := FieldErrors{}
	checkID(fe, "paper", im.PaperID)
	checkText(fe, "office", im.Office, false, 300)
	if !im.Status.Valid() {
		fe.Add("status", MsgUnknownKind)
	}
	checkText(fe, "reason", im.Reason, false, 5000)
	if im.Status == ImplNotImplemented && strings.TrimSpace(im.Reason) == "" {
		fe.Add("reason", MsgReasonRequired)
	}
	if !im.Due.IsZero() && (im.Due.Year() < 1900 || im.Due.Year() > 2200) {
		fe.Add("due", MsgInvalid)
	}
	return fe.Err()
}

// Validate checks n and returns FieldErrors (ErrInvalid) or nil: a date
// and a text.
func (n ImplementationNote) Validate() error {
	fe := FieldErrors{}
	if n.Date.IsZero() {
		fe.Add("date", MsgRequired)
	} else if n.Date.Year() < 1900 || n.Date.Year() > 2200 {
		fe.Add("date", MsgInvalid)
	}
	checkText(fe, "text", n.Text, true, 5000)
	return fe.Err()
}

// ImplementationRow is a record as the public list shows it: with its
// paper and the public decision on it (the latest result of a public
// agenda item on its path, the deciding step first).
type ImplementationRow struct {
	Implementation
	Paper        Paper
	DecidedBy    ID // the organization that decided; NilID: no public decision
	DecidedName  string
	DecidedAt    time.Time // the meeting's start
	MeetingID    ID
	Result       string
	LastNoteDate time.Time
}

// ImplementationFilter selects records for the public list.
type ImplementationFilter struct {
	BodyID ID
	OrgID  ID                   // the deciding organization; NilID: any
	Year   int                  // the year of the decision (or of the paper without one); 0: any
	Status ImplementationStatus // "": any
	// Overdue selects only records past their due date and not finished
	// (Implementation.Overdue on Today); Status is then ignored.
	Overdue bool
	Today   time.Time
	Limit   int // 0: 50
	Offset  int
}

// ImplementationCounts are the filter's records per status, and how many
// of them are overdue.
type ImplementationCounts struct {
	ByStatus map[ImplementationStatus]int
	Overdue  int
	Total    int
}

// ImplementationChange is one status change of a public record, for the
// feed.
type ImplementationChange struct {
	ImplementationID ID
	PaperID          ID
	PaperReference   string
	PaperName        string
	Office           string
	Due              time.Time
	At               time.Time
	Status           ImplementationStatus
	Reason           string
	First            bool // the status the record was created with
}
