package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/ical"
)

// Lists of the members' mail that a member may leave with one click. The
// invitation is no list: it is the summons to a meeting the member must
// attend (the formal invitation under the municipal code), sent as a
// transactional message that cannot be unsubscribed — a member who wants
// none would miss the one message that is their duty to read. The note
// that an agenda changed and the minutes to read are conveniences on top
// (the meeting page and the next invitation say it too), so each is a
// bulk list of its own.
const (
	ListAgendaChanges = "member_agenda_changes"
	ListMinutes       = "member_minutes"
)

// AgendaChangeDelay is how long the note that an invited meeting's agenda
// changed waits before it is sent: further changes within that time
// queue nothing more (Message.Coalesce), so a clerk's burst of edits
// sends each member one note, which links to the current agenda.
const AgendaChangeDelay = 15 * time.Minute

// MemberMailer writes the members' messages (council.MemberMailer) into
// the outbox, one per member in their language.
type MemberMailer struct {
	Store     *Store
	Templates *Templates
	Site      string // the site's name in the text, e.g. the host
	// AgendaDelay overrides AgendaChangeDelay (tests: 0 sends at once);
	// negative means AgendaChangeDelay.
	AgendaDelay time.Duration
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// MeetingData is what the members' messages show.
type MeetingData struct {
	Site      string
	Name      string // the meeting's name
	Short     string // the name, shortened for the subject
	Start     string // the start, written out (the subject)
	When      string // start (and end), written out in Germany's time
	Place     string
	Items     []council.NoticeItem // the public agenda
	NonPublic int                  // the number of non-public items, never their titles
	Link      string               // the meeting's page
	PDF       string               // the public invitation PDF
	Live      string               // the members' live page
	Minutes   string               // NoticeMinutes: the draft minutes (members' version)
	Earlier   string               // NoticeMinutes: the earlier meeting's name and date
}

// MeetingNotice renders notice n for each recipient and queues it in tx.
func (p MemberMailer) MeetingNotice(ctx context.Context, tx council.DBTX, n council.MeetingNotice) error {
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	base := p.Store.baseURL + "/meetings/" + n.Meeting.String()
	var tpl string
	switch n.Kind {
	case council.NoticeInvitation:
		tpl = TplMeetingInvitation
	case council.NoticeAgendaChanged:
		tpl = TplAgendaChanged
	case council.NoticeMinutes:
		tpl = TplMinutesReady
	default:
		return fmt.Errorf("%w: meeting notice %q", council.ErrInvalid, n.Kind)
	}
	var ics []byte
	if n.Kind == council.NoticeInvitation {
		ics = p.calendar(n, base, now())
	}
	for _, rc := range n.Recipients {
		when := meetingWhen(n.Start, n.End, rc.Lang)
		data := MeetingData{Site: p.Site, Name: n.Name, Short: shorten(n.Name, 120), Start: berlinTime(n.Start, rc.Lang), When: when, Place: n.Place, Items: n.Items, NonPublic: n.NonPublic,
			Link: base, PDF: base + "/invitation.pdf", Live: base + "/live/member"}
		msg := Message{To: rc.To}
		switch n.Kind {
		case council.NoticeInvitation:
			msg.Kind = Transactional
			msg.Attachments = []Attachment{{Name: "sitzung.ics", Type: "text/calendar; charset=utf-8; method=PUBLISH", Data: ics}}
		case council.NoticeAgendaChanged:
			msg.Kind, msg.List = Bulk, ListAgendaChanges
			msg.Coalesce = "agenda:" + n.Meeting.String() + ":" + rc.User.String()
			d := p.AgendaDelay
			if d < 0 {
				d = AgendaChangeDelay
			}
			msg.NotBefore = now().Add(d)
		case council.NoticeMinutes:
			msg.Kind, msg.List = Bulk, ListMinutes
			data.Minutes = p.Store.baseURL + "/meetings/" + n.MinutesOf.String() + "/minutes"
			data.Earlier = shorten(n.MinutesName, 120) + ", " + berlinTime(n.MinutesStart, rc.Lang)
		}
		if err := p.Templates.Render(&msg, tpl, rc.Lang, data); err != nil {
			return err
		}
		if _, err := p.Store.Enqueue(ctx, tx, msg); err != nil && !errors.Is(err, ErrOptedOut) {
			return fmt.Errorf("%s to %s: %w", n.Kind, rc.User, err)
		}
	}
	return nil
}

// calendar is the invitation's iCalendar object: one VEVENT whose UID is
// the meeting's (the same as in the public calendar, web/feeds), so a
// later update replaces the same entry in the member's calendar, with
// DTSTART and DTEND in UTC.
func (p MemberMailer) calendar(n council.MeetingNotice, link string, now time.Time) []byte {
	var b bytes.Buffer
	iw := ical.Writer{W: &b}
	iw.Raw("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Plenar//Plenar//DE\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n")
	iw.Raw("BEGIN:VEVENT\r\n")
	iw.Prop("UID", n.Meeting.String()+"@"+p.Store.domain)
	iw.Prop("SEQUENCE", fmt.Sprint(n.Sequence))
	iw.Prop("DTSTAMP", ical.UTC(now))
	iw.Prop("CREATED", ical.UTC(n.Created))
	iw.Prop("LAST-MODIFIED", ical.UTC(n.Modified))
	iw.Prop("DTSTART", ical.UTC(n.Start))
	if !n.End.IsZero() {
		iw.Prop("DTEND", ical.UTC(n.End))
	}
	iw.Text("SUMMARY", n.Name)
	if n.Place != "" {
		iw.Text("LOCATION", n.Place)
	}
	iw.Prop("URL", link)
	var desc strings.Builder
	for _, it := range n.Items {
		desc.WriteString(strings.TrimSpace(it.Number+" "+it.Title) + "\n")
	}
	desc.WriteString("\n" + link)
	iw.Text("DESCRIPTION", desc.String())
	iw.Prop("STATUS", "CONFIRMED")
	iw.Raw("END:VEVENT\r\nEND:VCALENDAR\r\n")
	return b.Bytes()
}
