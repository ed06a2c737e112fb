package live

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/plenar/plenar/council"
)

// ProtocolVersion is the "v" of every message. A client that speaks
// another version gets an error message and is disconnected by the web
// layer.
const ProtocolVersion = 1

// MaxClientMessage is the largest client message in bytes; the web layer
// sets it as the websocket read limit.
const MaxClientMessage = 4096

// MessageType is the "type" of a server message.
type MessageType string

// Server message types.
const (
	TypeSnapshot MessageType = "snapshot" // the full state for the subscriber's audience
	TypeEvent    MessageType = "event"    // one event of the log
	TypeResync   MessageType = "resync"   // the subscription ended; reconnect for a fresh snapshot
	TypeError    MessageType = "error"    // a command failed
	TypeAck      MessageType = "ack"      // a command was committed as event Seq
)

// EventKind names an event in the log.
type EventKind string

// Event kinds. Payload types are named in the comments.
const (
	EvSessionStarted    EventKind = "session_started"      // SessionPayload
	EvSessionClosed     EventKind = "session_closed"       // SessionPayload
	EvItemChanged       EventKind = "item_changed"         // ItemView
	EvPartChanged       EventKind = "part_changed"         // PartPayload
	EvAttendance        EventKind = "attendance"           // AttendeeView
	EvQuorum            EventKind = "quorum"               // QuorumView
	EvConflict          EventKind = "conflict_declared"    // ConflictPayload
	EvSpeakers          EventKind = "speakers"             // SpeakersView
	EvQuorumFound       EventKind = "quorum_found"         // QuorumView
	EvComplaint         EventKind = "complaint_raised"     // ComplaintView
	EvNonPublicConfirm  EventKind = "non_public_confirmed" // ConfirmPayload
	EvComplaintResolved EventKind = "complaint_resolved"   // ComplaintView with its resolution (members, staff)
)

// Message is what the server sends: a snapshot, an event, a resync marker,
// a command's acknowledgement or an error.
type Message struct {
	V        int             `json:"v"`
	Type     MessageType     `json:"type"`
	Seq      int64           `json:"seq,omitempty"`
	Kind     EventKind       `json:"kind,omitempty"`
	At       *time.Time      `json:"at,omitempty"`
	Data     json.RawMessage `json:"data,omitempty"`
	Snapshot *Snapshot       `json:"snapshot,omitempty"`
	ID       string          `json:"id,omitempty"` // the client's command id (ack, error)
	Error    *ErrorBody      `json:"error,omitempty"`
}

// ErrorBody says why a command failed. Code is the error's kind
// (council.KindOf): forbidden, unauthorized, conflict, invalid, not_found,
// unavailable or internal, the same kinds that web/httperr maps to HTTP
// status codes; Message is safe to show.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ErrorMessage returns the error message for the command with id. Errors
// of no kind become "internal" without their text.
func ErrorMessage(id string, err error) Message {
	b := &ErrorBody{Code: string(council.KindInternal), Message: "internal error"}
	if k := council.KindOf(err); k != council.KindInternal {
		b = &ErrorBody{Code: string(k), Message: err.Error()}
	}
	return Message{V: ProtocolVersion, Type: TypeError, ID: id, Error: b}
}

// AckMessage acknowledges the command with id, committed as event seq.
func AckMessage(id string, seq int64) Message {
	return Message{V: ProtocolVersion, Type: TypeAck, ID: id, Seq: seq}
}

// Part is the session part.
type Part string

// Session parts.
const (
	PartPublic    Part = "public"
	PartNonPublic Part = "non_public"
)

// Valid reports whether p is a part.
func (p Part) Valid() bool { return p == PartPublic || p == PartNonPublic }

// Resolution is how the chair resolves a Rüge (docs/DOMAIN.md, "Rüge":
// the chair classifies it and either repeats the affected step or
// continues).
type Resolution string

// Resolutions.
const (
	ResolutionRepeat   Resolution = "repeat"
	ResolutionContinue Resolution = "continue"
)

// Valid reports whether r is a resolution.
func (r Resolution) Valid() bool { return r == ResolutionRepeat || r == ResolutionContinue }

// ItemView is an agenda item as an audience sees it; the public sees a
// non-public item with the neutral title meetings.NonPublicTitle.
type ItemView struct {
	ID     council.ID `json:"id"`
	Number string     `json:"number"`
	Title  string     `json:"title"`
	Public bool       `json:"public"`
}

// AttendeeView is a roster entry.
type AttendeeView struct {
	PersonID council.ID `json:"person_id"`
	Name     string     `json:"name"`
	Role     string     `json:"role,omitempty"`
	Voting   bool       `json:"voting"`
	Mode     string     `json:"mode"` // room, remote or absent
	Since    *time.Time `json:"since,omitempty"`
	// Connected: the member's live audio/video connection is up (short
	// drops within the grace period do not count). A member in the room
	// may be connected too and still counts as "room".
	Connected bool `json:"connected"`
}

// QuorumView is the live quorum for the current item.
type QuorumView struct {
	ItemID     council.ID `json:"item_id,omitzero"`
	Seats      int        `json:"seats"`
	Present    int        `json:"present"`
	Conflicted int        `json:"conflicted"`
	Counted    int        `json:"counted"`
	Needed     int        `json:"needed"`
	Quorate    bool       `json:"quorate"`
}

// SpeakerView is one request on the speakers' list.
type SpeakerView struct {
	ID          council.ID `json:"id"`
	PersonID    council.ID `json:"person_id"`
	Name        string     `json:"name"`
	Kind        string     `json:"kind"`
	RequestedAt time.Time  `json:"requested_at"`
	GrantedAt   *time.Time `json:"granted_at,omitempty"`
	Seconds     int        `json:"seconds,omitempty"` // speaking time limit; 0: none
}

// SpeakersView is the floor (in order of grant) and the waiting queue (in
// speaking order) for the current item.
type SpeakersView struct {
	Floor []SpeakerView `json:"floor"`
	Queue []SpeakerView `json:"queue"`
	Limit int           `json:"limit"` // K: at most this many hold the floor
}

// SessionPayload starts or closes a session.
type SessionPayload struct {
	State string     `json:"state"`
	Part  Part       `json:"part"`
	Chair council.ID `json:"chair,omitzero"` // session_started: the chair's person
}

// PartPayload announces the session part; it is all the public sees of a
// non-public part.
type PartPayload struct {
	Part Part `json:"part"`
}

// ConflictPayload records a declared conflict of interest.
type ConflictPayload struct {
	ItemID   council.ID `json:"item_id"`
	PersonID council.ID `json:"person_id"`
	Name     string     `json:"name"`
}

// ComplaintView is a Rüge.
type ComplaintView struct {
	ID       council.ID `json:"id"`
	PersonID council.ID `json:"person_id"`
	Name     string     `json:"name"`
	ItemID   council.ID `json:"item_id,omitzero"`
	Text     string     `json:"text"`
	RaisedAt time.Time  `json:"raised_at"`
	// The resolution, once the chair resolved it (complaint_resolved).
	Resolution Resolution `json:"resolution,omitempty"`
	Note       string     `json:"note,omitempty"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
}

// ConfirmPayload records a remote member's confirmation for the non-public part.
type ConfirmPayload struct {
	PersonID council.ID `json:"person_id"`
	Name     string     `json:"name"`
	PartSeq  int64      `json:"part_seq"`
}

// Snapshot is the full state of a session for one audience at Seq.
type Snapshot struct {
	MeetingID council.ID     `json:"meeting_id"`
	Name      string         `json:"name,omitempty"`
	State     string         `json:"state"`
	Part      Part           `json:"part,omitempty"`
	Audience  Audience       `json:"audience"`
	Role      Role           `json:"role"`
	Chair     council.ID     `json:"chair,omitzero"` // the chair's person (media: the chair's camera)
	Item      *ItemView      `json:"item,omitempty"`
	Agenda    []ItemView     `json:"agenda,omitempty"`
	Roster    []AttendeeView `json:"roster,omitempty"`
	Quorum    *QuorumView    `json:"quorum,omitempty"`
	Speakers  *SpeakersView  `json:"speakers,omitempty"`
	Conflicts []council.ID   `json:"conflicts,omitempty"` // persons conflicted for the current item (members, staff)
	// Complaints of the session in the order raised, with their
	// resolution once resolved: staff see all, members the resolved ones
	// and their own open ones, the public none.
	Complaints []ComplaintView `json:"complaints,omitempty"`
	Confirmed  []council.ID    `json:"confirmed,omitempty"` // remote members who confirmed the non-public part (staff)
	// Unconfirmed: remote members who have not yet confirmed the current
	// non-public part (staff; the chair waits for them before proceeding,
	// and the SFU gives them no media until they confirm).
	Unconfirmed []council.ID `json:"unconfirmed,omitempty"`
	// PartSeq is the seq of the event that began the current part (the
	// confirmations of a non-public part carry it); members and staff.
	PartSeq int64 `json:"part_seq,omitempty"`
	// Self is the subscriber's own person when on the roster (members,
	// the chair); SelfConfirmed says that person confirmed the current
	// non-public part. The member page prompts a remote member who has
	// not: until then they receive no media.
	Self          council.ID `json:"self,omitzero"`
	SelfConfirmed bool       `json:"self_confirmed,omitempty"`
	Seq           int64      `json:"seq"`
}

// ClientMessage is what a client sends: a command with a client-chosen id
// that the ack or error repeats.
type ClientMessage struct {
	V            int         `json:"v"`
	Type         string      `json:"type"` // "command"
	ID           string      `json:"id"`
	Command      CommandName `json:"command"`
	Person       string      `json:"person,omitempty"`
	Request      string      `json:"request,omitempty"`
	Part         Part        `json:"part,omitempty"`
	PointOfOrder bool        `json:"point_of_order,omitempty"`
	Seconds      int         `json:"seconds,omitempty"`
	Text         string      `json:"text,omitempty"` // complain: the complaint; resolve_complaint: "repeat" or "continue"
	Note         string      `json:"note,omitempty"` // resolve_complaint: optional note
}

// DecodeClient parses one client message into its id and Command. It
// refuses oversized or malformed input, unknown fields and commands, other
// protocol versions and bad ids with an error wrapping council.ErrInvalid;
// the id is returned whenever it could be read.
func DecodeClient(b []byte) (string, Command, error) {
	if len(b) > MaxClientMessage {
		return "", Command{}, council.Invalidf("message of %d bytes exceeds %d", len(b), MaxClientMessage)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m ClientMessage
	if err := dec.Decode(&m); err != nil {
		return "", Command{}, council.Invalidf("malformed message")
	}
	if dec.More() {
		return "", Command{}, council.Invalidf("trailing data after message")
	}
	if len(m.ID) > 64 || !utf8.ValidString(m.ID) {
		return "", Command{}, council.Invalidf("bad command id")
	}
	if m.V != ProtocolVersion {
		return m.ID, Command{}, council.Invalidf("protocol version %d, want %d", m.V, ProtocolVersion)
	}
	if m.Type != "command" {
		return m.ID, Command{}, council.Invalidf("unknown message type %q", m.Type)
	}
	if !m.Command.Known() {
		return m.ID, Command{}, council.Invalidf("unknown command %q", m.Command)
	}
	c := Command{Name: m.Command, Part: m.Part, PointOfOrder: m.PointOfOrder, Text: m.Text, Note: m.Note}
	var err error
	if m.Person != "" {
		if c.PersonID, err = council.ParseID(m.Person); err != nil {
			return m.ID, Command{}, fmt.Errorf("person: %w", err)
		}
	}
	if m.Request != "" {
		if c.RequestID, err = council.ParseID(m.Request); err != nil {
			return m.ID, Command{}, fmt.Errorf("request: %w", err)
		}
	}
	if m.Seconds < 0 || m.Seconds > 24*3600 {
		return m.ID, Command{}, council.Invalidf("speaking time out of range")
	}
	c.Limit = time.Duration(m.Seconds) * time.Second
	if m.Part != "" && !m.Part.Valid() {
		return m.ID, Command{}, council.Invalidf("unknown part %q", m.Part)
	}
	for _, t := range []string{m.Text, m.Note} {
		if !utf8.ValidString(t) || utf8.RuneCountInString(t) > 2000 {
			return m.ID, Command{}, council.Invalidf("text too long or not UTF-8")
		}
	}
	if m.Note != "" && m.Command != CmdResolveComplaint {
		return m.ID, Command{}, council.Invalidf("a note belongs to resolve_complaint only")
	}
	if m.Command == CmdResolveComplaint {
		c.Resolution, c.Text = Resolution(m.Text), ""
		if !c.Resolution.Valid() {
			return m.ID, Command{}, council.Invalidf("resolution %q: want repeat or continue", m.Text)
		}
		if c.RequestID == council.NilID {
			return m.ID, Command{}, council.Invalidf("resolve_complaint needs the complaint id in request")
		}
	}
	return m.ID, c, nil
}
