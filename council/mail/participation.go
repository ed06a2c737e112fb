package mail

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/plenar/plenar/council"
)

// ParticipationMailer writes the messages of participation
// (council.ParticipationMailer) into the outbox, in the recipient's
// language: the receipt of a submitted motion and the note to an asker
// whose question was moderated.
type ParticipationMailer struct {
	Store     *Store
	Templates *Templates
	Site      string // the site's name in the text, e.g. the host
}

// ReceiptData is what the receipt of a submitted motion shows.
type ReceiptData struct {
	Site      string
	Title     string // the motion's title
	Short     string // the title, shortened for the subject
	Group     string // "" for a citizens' or councillor's motion
	Member    string // a councillor's motion: the council or committee its author is a member of
	Submitted string // the submission's date and time in Germany, written out
	Number    string // the receipt number (the start of the motion's id, as its page shows it)
	Link      string // the motion's public page
}

// QuestionData is what the note about a moderated question shows.
type QuestionData struct {
	Site        string
	Meeting     string // the meeting's name and date
	Number      int
	Text        string
	Change      string // published, merged, rejected, answered
	Reason      string // rejected: the reason code
	Note        string
	MergedInto  int
	Answer      string
	Link        string // the question time's public page, or the asker's own questions
	OwnLink     string // the asker's questions (/my/questions)
	MeetingDate string
}

// berlinTime writes t as a date and time in Germany in lang.
func berlinTime(t time.Time, lang string) string {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		loc = time.UTC
	}
	t = t.In(loc)
	if lang == English {
		return t.Format("2 January 2006, 15:04") + " (" + t.Format("MST") + ")"
	}
	return t.Format("02.01.2006, 15:04") + " Uhr (" + t.Format("MST") + ")"
}

// shorten cuts s to n characters with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// InitiativeReceipt renders the receipt in the author's language and
// queues it in tx.
func (p ParticipationMailer) InitiativeReceipt(ctx context.Context, tx council.DBTX, m council.InitiativeReceipt) error {
	msg := Message{To: m.To, Kind: Transactional}
	id := m.Initiative.String()
	data := ReceiptData{Site: p.Site, Title: m.Title, Short: shorten(m.Title, 120), Group: m.Group, Member: m.Member,
		Submitted: berlinTime(m.SubmittedAt, m.Lang), Number: id[:8], Link: p.Store.baseURL + "/beteiligung/antraege/" + id}
	if err := p.Templates.Render(&msg, TplInitiativeReceipt, m.Lang, data); err != nil {
		return err
	}
	_, err := p.Store.Enqueue(ctx, tx, msg)
	return err
}

// QuestionModerated renders the note about a moderation step in the
// asker's language and queues it in tx.
func (p ParticipationMailer) QuestionModerated(ctx context.Context, tx council.DBTX, m council.QuestionNotice) error {
	switch m.Change {
	case council.QuestionChangePublished, council.QuestionChangeMerged, council.QuestionChangeRejected, council.QuestionChangeAnswered:
	default:
		return fmt.Errorf("%w: question change %q", council.ErrInvalid, m.Change)
	}
	msg := Message{To: m.To, Kind: Transactional}
	own := p.Store.baseURL + "/my/questions"
	data := QuestionData{Site: p.Site, Meeting: shorten(m.MeetingName, 150), Number: m.Number, Text: m.Text, Change: string(m.Change),
		Reason: m.Reason, Note: m.Note, MergedInto: m.MergedNumber, Answer: m.Answer, Link: own, OwnLink: own,
		MeetingDate: berlinTime(m.MeetingStart, m.Lang)}
	if m.Change == council.QuestionChangePublished || m.Change == council.QuestionChangeAnswered {
		data.Link = p.Store.baseURL + "/meetings/" + m.Meeting.String() + "/questions#question-" + m.Question.String()
	}
	if err := p.Templates.Render(&msg, TplQuestionModerated, m.Lang, data); err != nil {
		return err
	}
	_, err := p.Store.Enqueue(ctx, tx, msg)
	return err
}
