package council

import (
	"context"
	"time"
)

// Messages to the members of a meeting's bodies (issue 20): the
// invitation when a meeting is published, a note when the agenda of an
// invited meeting changes, and the minutes of an earlier meeting put up
// for approval. package meetings gathers the notice inside the change's
// transaction and hands it to a MemberMailer (package council/mail
// implements it), so a message exists exactly when its change commits.

// MeetingNoticeKind says which message a MeetingNotice is.
type MeetingNoticeKind string

// Kinds of meeting notice.
const (
	NoticeInvitation    MeetingNoticeKind = "invitation"
	NoticeAgendaChanged MeetingNoticeKind = "agenda_changed"
	NoticeMinutes       MeetingNoticeKind = "minutes" // minutes to approve
)

// NoticeItem is a public agenda item as a notice lists it.
type NoticeItem struct{ Number, Title string }

// NoticeRecipient is a member with a verified account.
type NoticeRecipient struct {
	User     ID
	To, Lang string
}

// MeetingNotice is what the members of a meeting's bodies are told. It
// carries only what may leave the system: the public items' titles,
// and of the non-public part only its size.
type MeetingNotice struct {
	Kind              MeetingNoticeKind
	Meeting           ID
	Name              string
	Start, End        time.Time // End may be zero
	Place             string
	Created, Modified time.Time
	Items             []NoticeItem // the public agenda
	NonPublic         int          // how many non-public items there are
	Sequence          int          // the iCalendar SEQUENCE: grows with every change of the meeting
	// MinutesOf is, for NoticeMinutes, the earlier meeting whose draft
	// minutes are up for approval in Meeting, and MinutesName/MinutesStart
	// its name and start.
	MinutesOf    ID
	MinutesName  string
	MinutesStart time.Time
	Recipients   []NoticeRecipient
}

// MemberMailer queues the messages to members inside tx.
type MemberMailer interface {
	MeetingNotice(ctx context.Context, tx DBTX, n MeetingNotice) error
}
