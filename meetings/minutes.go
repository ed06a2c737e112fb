package meetings

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plenar/plenar/council"
)

// The minutes (Niederschrift) of a meeting (docs/DOMAIN.md,
// "Niederschrift"). meetings/live drafts them from the session's log;
// the clerk's edits are a layer on top (MinutesEdit, kept with their
// history); a later meeting of the same organization approves them, which
// freezes the document (MinutesRecord, stored with its SHA-256); after
// that only addenda change what is shown.

// MinutesState is where the minutes stand.
type MinutesState string

// Minutes states.
const (
	MinutesDraft    MinutesState = "draft"
	MinutesApproved MinutesState = "approved"
)

// MinutesField is what an edit changes.
type MinutesField string

// The fields of an item the clerk edits. ResolutionText, Result and
// Notes replace the previous value (the newest edit counts); each
// Correction and Addendum is an entry of its own with a reason.
const (
	FieldResolutionText MinutesField = "resolution_text"
	FieldResult         MinutesField = "result"
	FieldNotes          MinutesField = "notes"
	FieldCorrection     MinutesField = "correction"
	FieldAddendum       MinutesField = "addendum"
)

// Valid reports whether f is a known field.
func (f MinutesField) Valid() bool {
	switch f {
	case FieldResolutionText, FieldResult, FieldNotes, FieldCorrection, FieldAddendum:
		return true
	}
	return false
}

// MinutesEdit is one edit of the minutes by the clerk.
type MinutesEdit struct {
	ID        int64
	MeetingID council.ID
	ItemID    council.ID // NilID: the minutes as a whole
	Field     MinutesField
	Value     string
	Reason    string
	AuthorID  council.ID
	Author    string // the author's display name, on read
	At        time.Time
}

// Validate checks e and returns council.FieldErrors or nil.
func (e MinutesEdit) Validate() error {
	fe := council.FieldErrors{}
	if !e.Field.Valid() {
		fe.Add("field", council.MsgValueInvalid)
	}
	if !utf8.ValidString(e.Value) || utf8.RuneCountInString(e.Value) > 100000 {
		fe.Add("value", council.MsgTooLong)
	}
	if !utf8.ValidString(e.Reason) || utf8.RuneCountInString(e.Reason) > 2000 {
		fe.Add("reason", council.MsgTooLong)
	}
	if e.Field == FieldCorrection || e.Field == FieldAddendum {
		if strings.TrimSpace(e.Value) == "" {
			fe.Add("value", council.MsgRequired)
		}
		if strings.TrimSpace(e.Reason) == "" {
			fe.Add("reason", council.MsgRequired)
		}
	}
	return fe.Err()
}

// MinutesStatus is the stored state of a meeting's minutes.
type MinutesStatus struct {
	MeetingID      council.ID
	State          MinutesState
	ApprovedAt     time.Time
	ApprovedByItem council.ID // the approving meeting's agenda item
	ApprovedByPoll council.ID
	Hash           string // hex SHA-256 of the approved members' version
	PublicHash     string // hex SHA-256 of the approved public version
	Ran            bool   // the meeting had a live session, whose log drafts the minutes
}

// MinutesRecord is the minutes as a document: what the members' version
// and (through Public) the public version show, in the HTML page, the PDF
// and the frozen copy. It holds names and texts, no database handles.
type MinutesRecord struct {
	MeetingID  council.ID        `json:"meeting"`
	Meeting    string            `json:"title"`
	City       string            `json:"city"`
	Body       string            `json:"body"` // the organizations' names
	Start      time.Time         `json:"start"`
	End        time.Time         `json:"end,omitzero"`
	Location   string            `json:"location,omitempty"`
	Ran        bool              `json:"ran"`               // a live session recorded the meeting
	Present    []string          `json:"present,omitempty"` // members present at any time
	Parts      []MinutesPart     `json:"parts,omitempty"`
	Items      []MinutesRecItem  `json:"items"`
	Notes      string            `json:"notes,omitempty"` // the clerk's notes on the whole meeting
	Approval   *MinutesApproval  `json:"approval,omitempty"`
	Addenda    []MinutesRecEntry `json:"-"` // added after approval; not part of the frozen copy
	ForMembers bool              `json:"-"` // the members' version: non-public items in full
	State      MinutesState      `json:"-"`
	Hash       string            `json:"-"` // of this version, when approved
}

// MinutesApproval says which meeting approved the minutes.
type MinutesApproval struct {
	MeetingID council.ID `json:"meeting"`
	Meeting   string     `json:"title"`
	Date      time.Time  `json:"date"`
	Item      string     `json:"item"` // the item's number
	Yes       int        `json:"yes"`
	No        int        `json:"no"`
	Abstain   int        `json:"abstain"`
}

// MinutesPart is a switch between the public and the non-public part.
type MinutesPart struct {
	Public bool      `json:"public"`
	At     time.Time `json:"at"`
}

// MinutesRecItem is one agenda item of the minutes.
type MinutesRecItem struct {
	ItemID         council.ID        `json:"id"`
	Number         string            `json:"number"`
	Title          string            `json:"title"`
	Public         bool              `json:"public"`
	PaperReference string            `json:"paper,omitempty"`
	PaperPublic    bool              `json:"paper_public,omitempty"` // the paper is public (paper_public)
	Called         bool              `json:"called"`                 // taken up in the live session
	Periods        []MinutesPeriod   `json:"periods,omitempty"`
	Conflicts      []MinutesNamed    `json:"conflicts,omitempty"`
	Quorum         []MinutesQuorum   `json:"quorum,omitempty"`
	Speeches       []MinutesTurn     `json:"speeches,omitempty"`
	Polls          []MinutesRecPoll  `json:"polls,omitempty"`
	Complaints     []MinutesRecEntry `json:"complaints,omitempty"`
	// Questions of the Einwohnerfragestunde called or answered on this
	// item, with the answer the clerk recorded.
	Questions      []MinutesQuestion `json:"questions,omitempty"`
	Result         string            `json:"result,omitempty"`
	ResolutionText string            `json:"resolution,omitempty"`
	Notes          string            `json:"notes,omitempty"`
	Corrections    []MinutesRecEntry `json:"corrections,omitempty"`
	// What the session's log said where the clerk changed it.
	LogResult, LogResolutionText string `json:"-"`
	Edited                       bool   `json:"-"` // an edit changed the result, resolution or notes
}

// MinutesPeriod is one period in which the item was current.
type MinutesPeriod struct {
	From    time.Time      `json:"from"`
	To      time.Time      `json:"to,omitzero"`
	Room    []string       `json:"room,omitempty"`   // present in the room at the start
	Remote  []string       `json:"remote,omitempty"` // present remotely at the start
	Changes []MinutesNamed `json:"changes,omitempty"`
}

// MinutesNamed is something a person did at a time: a declared conflict
// of interest, or an attendance change (What: "room", "remote", "absent").
type MinutesNamed struct {
	Name string    `json:"name"`
	What string    `json:"what,omitempty"`
	At   time.Time `json:"at"`
}

// MinutesQuorum is the chair's formal finding of the quorum.
type MinutesQuorum struct {
	Quorate bool      `json:"quorate"`
	Present int       `json:"present"`
	Needed  int       `json:"needed"`
	Seats   int       `json:"seats"`
	At      time.Time `json:"at"`
}

// MinutesTurn is one request to speak.
type MinutesTurn struct {
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`
	From      time.Time `json:"from,omitzero"` // zero: never given the floor
	To        time.Time `json:"to,omitzero"`
	Withdrawn bool      `json:"withdrawn,omitempty"`
}

// MinutesQuestion is a resident's question in the minutes: the asker's
// name only with their consent (user_name_public), else "".
type MinutesQuestion struct {
	Number int       `json:"number"`
	Text   string    `json:"text"`
	Asker  string    `json:"asker,omitempty"`
	Called time.Time `json:"called,omitzero"`
	Mode   string    `json:"mode,omitempty"` // "oral", "written"; "": not yet answered
	Answer string    `json:"answer,omitempty"`
	// SpokeFrom, SpokeUntil: the asker had the floor in the session
	// (audio only, live give_question_floor); zero: they did not.
	SpokeFrom  time.Time `json:"spoke_from,omitzero"`
	SpokeUntil time.Time `json:"spoke_until,omitzero"`
}

// MinutesRecPoll is a poll with its rule, inputs and counts.
type MinutesRecPoll struct {
	Question string        `json:"question"`
	Kind     string        `json:"kind"`
	Rule     string        `json:"rule,omitempty"`
	State    string        `json:"state"`
	Present  int           `json:"present"`
	Eligible int           `json:"eligible"`
	Yes      int           `json:"yes"`
	No       int           `json:"no"`
	Abstain  int           `json:"abstain"`
	Outcome  string        `json:"outcome,omitempty"`
	Elected  []string      `json:"elected,omitempty"`
	Reason   string        `json:"reason,omitempty"` // a cancelled poll's reason
	Votes    []MinutesVote `json:"votes,omitempty"`  // open and named polls only
	At       time.Time     `json:"at"`
}

// MinutesVote is one member's choice in an open or named poll.
type MinutesVote struct {
	Name   string `json:"name"`
	Choice string `json:"choice"`
}

// MinutesRecEntry is a dated text with a reason: a correction, an
// addendum, a complaint and how it was resolved.
type MinutesRecEntry struct {
	Text   string    `json:"text"`
	Kind   string    `json:"kind,omitempty"` // a complaint's resolution: "repeat", "continue"; "" while unresolved
	Reason string    `json:"reason,omitempty"`
	By     string    `json:"by,omitempty"`
	At     time.Time `json:"at"`
	Item   string    `json:"item,omitempty"` // an addendum's item number
}

// Public returns the public version of r: a non-public item keeps only
// its number and the neutral title (NonPublicTitle) — no paper, no
// attendance, speakers, polls, complaints, result, resolution, notes or
// corrections; addenda to non-public items are left out. A public item
// loses the reference of a non-public paper. r itself is not changed.
func (r MinutesRecord) Public() MinutesRecord {
	out := r
	out.ForMembers = false
	out.Items = make([]MinutesRecItem, len(r.Items))
	hidden := map[string]bool{}
	for i, it := range r.Items {
		if it.Public {
			if !it.PaperPublic {
				it.PaperReference = ""
			}
			out.Items[i] = it
			continue
		}
		hidden[it.Number] = true
		out.Items[i] = MinutesRecItem{ItemID: it.ItemID, Number: it.Number, Title: NonPublicTitle, Called: it.Called}
	}
	out.Addenda = nil
	for _, a := range r.Addenda {
		if a.Item == "" || !hidden[a.Item] {
			out.Addenda = append(out.Addenda, a)
		}
	}
	return out
}

// Digest returns the hex SHA-256 of r's canonical JSON (the fields with
// JSON names; addenda, state and hash are not part of it).
func (r MinutesRecord) Digest() (string, []byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return "", nil, err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), b, nil
}
