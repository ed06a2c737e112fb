package council

import (
	"context"
	"time"
)

// Messages to the people who take part (docs/DOMAIN.md, "Einwohnerantrag"
// and "Einwohnerfragestunde"): the receipt of a submitted motion, and a
// note to the asker when their question is moderated. The stores queue
// them in the transaction of the change through a ParticipationMailer
// (package council/mail implements it), so a message exists exactly when
// its change commits.

// InitiativeReceipt is the receipt SubmitInitiative queues for the
// motion's author.
type InitiativeReceipt struct {
	To, Lang    string // the author's address and language
	Initiative  ID
	Title       string
	Group       string // the group on whose behalf it was filed; "" for a citizens' or councillor's motion
	Member      string // a councillor's motion: the council (or committee) its author files as a member of
	Kind        InitiativeKind
	SubmittedAt time.Time // the receipt's timestamp
}

// QuestionChange is a moderation step the asker is told about.
type QuestionChange string

// Moderation steps that reach the asker.
const (
	QuestionChangePublished QuestionChange = "published"
	QuestionChangeMerged    QuestionChange = "merged"
	QuestionChangeRejected  QuestionChange = "rejected"
	QuestionChangeAnswered  QuestionChange = "answered" // in writing
)

// QuestionNotice tells the asker what moderation did with their question.
type QuestionNotice struct {
	To, Lang     string // the asker's address and language
	Question     ID
	Meeting      ID
	MeetingName  string
	MeetingStart time.Time
	Number       int    // the question's number in its question time
	Text         string // the question
	Change       QuestionChange
	Reason       string // rejected: the reason code (meetings.RejectReason)
	Note         string // rejected, merged: the moderator's note
	MergedNumber int    // merged: the number of the question it was merged into
	Answer       string // answered: the written answer
}

// ParticipationMailer queues the messages of participation inside tx.
type ParticipationMailer interface {
	InitiativeReceipt(ctx context.Context, tx DBTX, m InitiativeReceipt) error
	QuestionModerated(ctx context.Context, tx DBTX, m QuestionNotice) error
}
