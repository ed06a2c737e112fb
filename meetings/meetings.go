package meetings

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plenar/plenar/council"
)

// State is a meeting's lifecycle stage (docs/DOMAIN.md, "Meeting lifecycle").
type State string

// Meeting states. Cancelled is a separate flag: a meeting can be cancelled
// at any time before it runs.
const (
	Planned State = "planned"
	Invited State = "invited" // invitation published
	Running State = "running"
	Closed  State = "closed"
)

// Meeting is a Sitzung of one or more organizations.
type Meeting struct {
	ID     council.ID
	BodyID council.ID
	Name   string
	Start  time.Time
	End    time.Time // the expected end (docs/DOMAIN.md, "Expected end"); zero: open
	// Ended is when the live session closed: the actual end (read from
	// live_sessions; zero while no session closed).
	Ended         time.Time
	LocationID    council.ID
	State         State
	Cancelled     bool
	InvitedAt     time.Time
	Organizations []council.ID
	// AgendaPublic is the database's agenda_public(m)
	// (migrations/sql/00011_visibility.sql): the agenda may be shown to
	// the public, once the invitation is out. Set by the store on read.
	AgendaPublic bool
	// Record: the live session is recorded (its public part;
	// docs/ARCHITECTURE.md, "Recording").
	Record bool
	council.Meta
}

// AgendaPublished reports whether the agenda may be shown to the public
// (AgendaPublic, as the database decided it when m was read).
func (m Meeting) AgendaPublished() bool { return m.AgendaPublic }

// Validate checks m and returns council.FieldErrors or nil.
func (m Meeting) Validate() error {
	fe := council.FieldErrors{}
	if strings.TrimSpace(m.Name) == "" {
		fe.Add("name", council.MsgRequired)
	} else if utf8.RuneCountInString(m.Name) > 300 || !utf8.ValidString(m.Name) {
		fe.Add("name", council.MsgTooLong)
	}
	if m.Start.IsZero() {
		fe.Add("start", council.MsgRequired)
	}
	if !m.End.IsZero() && m.End.Before(m.Start) {
		fe.Add("end", council.MsgDateOrder)
	}
	if len(m.Organizations) == 0 {
		fe.Add("organizations", council.MsgRequired)
	}
	return fe.Err()
}

// AgendaItem is a Tagesordnungspunkt.
type AgendaItem struct {
	ID             council.ID
	MeetingID      council.ID
	Position       int    // 0-based order in the agenda
	Number         string // "Ö 3", "N 1" — assigned from Position and Public
	Name           string
	Public         bool
	Result         string
	ResolutionText string
	PaperID        council.ID // via the consultation that links the item; NilID: a free item
	PaperReference string
	PaperPublic    bool // the linked paper is public: paper_public (migrations/sql/00011_visibility.sql)
	// ApprovesMinutesOf is the earlier meeting whose minutes this item
	// approves ("Genehmigung der Niederschrift"); NilID for other items.
	ApprovesMinutesOf council.ID
	council.Meta
}

// NonPublicTitle is what the public sees of a non-public item (the web
// layer translates it).
const NonPublicTitle = "agenda.nonpublic_title"

// Validate checks it and returns council.FieldErrors or nil.
func (it AgendaItem) Validate() error {
	fe := council.FieldErrors{}
	if strings.TrimSpace(it.Name) == "" {
		fe.Add("name", council.MsgRequired)
	} else if utf8.RuneCountInString(it.Name) > 1000 || !utf8.ValidString(it.Name) {
		fe.Add("name", council.MsgTooLong)
	}
	if utf8.RuneCountInString(it.ResolutionText) > 100000 {
		fe.Add("resolution_text", council.MsgTooLong)
	}
	return fe.Err()
}

// ForViewer returns what v may see of it: non-public items keep only their
// id, position and number, with Name set to NonPublicTitle, unless v may
// see non-public material of one of orgs (the meeting's organizations).
//
// A public item that links a non-public paper keeps its title and result
// but loses the paper link and reference for such viewers.
func (it AgendaItem) ForViewer(v council.Viewer, orgs []council.ID) (AgendaItem, bool) {
	if v.SeesNonPublicOf(orgs...) {
		return it, true
	}
	if it.Public {
		if it.PaperID != council.NilID && !it.PaperPublic {
			it.PaperID, it.PaperReference = council.NilID, ""
		}
		return it, true
	}
	return AgendaItem{ID: it.ID, MeetingID: it.MeetingID, Position: it.Position, Number: it.Number,
		Name: NonPublicTitle, Meta: it.Meta}, false
}
