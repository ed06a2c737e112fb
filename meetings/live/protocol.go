package live

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/voting"
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
	// encoded is the message's JSON when the hub encoded it once for all
	// subscribers of an audience (events); see JSON.
	encoded []byte
}

// JSON returns the message's JSON encoding: for an event, the bytes the
// hub encoded once for every subscriber of its audience; otherwise a new
// encoding. The caller must not modify the bytes.
func (m Message) JSON() ([]byte, error) {
	if m.encoded != nil {
		return m.encoded, nil
	}
	return json.Marshal(m)
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

// AckReply acknowledges the command with id, committed as event seq, with
// what the command replied (Hub.DoReply; nil: nothing), e.g. a ballot's
// BallotReply with its receipt code.
func AckReply(id string, seq int64, reply any) Message {
	m := AckMessage(id, seq)
	if reply != nil {
		if b, err := json.Marshal(reply); err == nil {
			m.Data = b
		}
	}
	return m
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
	// session_started: how the session is held, on which legal basis, and
	// the Land voting profile.
	Mode    voting.SessionMode `json:"mode,omitempty"`
	Basis   voting.Basis       `json:"basis,omitempty"`
	Profile string             `json:"profile,omitempty"`
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
	MeetingID council.ID `json:"meeting_id"`
	Name      string     `json:"name,omitempty"`
	State     string     `json:"state"`
	// Recording: the meeting is recorded (meetings.Meeting.Record); the
	// recorder writes while the session runs in the public part on a
	// public item, and every page of the session shows it then.
	Recording bool       `json:"recording,omitempty"`
	Part      Part       `json:"part,omitempty"`
	Audience  Audience   `json:"audience"`
	Role      Role       `json:"role"`
	Chair     council.ID `json:"chair,omitzero"` // the chair's person (media: the chair's camera)
	// How the session is held, its legal basis and Land voting profile.
	Mode    voting.SessionMode `json:"mode,omitempty"`
	Basis   voting.Basis       `json:"basis,omitempty"`
	Profile string             `json:"profile,omitempty"`
	// Rules are the majority rules (codes) the session's profile offers,
	// in its order, the first its default (staff: the console's choice
	// when opening a poll).
	Rules []string `json:"rules,omitempty"`
	// Polls of the current item in order (amendments first), as the
	// audience may see them.
	Polls     []PollView     `json:"polls,omitempty"`
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
	// Questions are the published questions of the current item when it
	// is the meeting's question time (Einwohnerfragestunde); Question is
	// the one the chair called last (read_question).
	Questions []QuestionView `json:"questions,omitempty"`
	Question  *QuestionView  `json:"question,omitempty"`
	// QuestionFloor: the asking citizen who holds the floor (audio only)
	// on the question time, with Mine set for that citizen's own pages.
	QuestionFloor *QuestionFloorView `json:"question_floor,omitempty"`
	Confirmed     []council.ID       `json:"confirmed,omitempty"` // remote members who confirmed the non-public part (staff)
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

// DecodeClient parses one client message into its id and Command.
//
// A client message is one JSON object: "v" (ProtocolVersion), "type"
// ("command"), "id" (the client's choice, at most 64 bytes, repeated in
// the ack or error), "command" (a CommandName) and the fields of that
// command's arguments, which its spec's decode reads from the wire:
// "person" (a member's id), "request" (a request to speak; for
// resolve_complaint the complaint), "part", "point_of_order", "seconds"
// (grant_floor's speaking time), "text" (complain: the complaint;
// resolve_complaint: "repeat" or "continue"), "note"
// (resolve_complaint) and "question" (read_question: the question's id). Absent, null and "" mean none.
//
// It refuses oversized or malformed input, unknown commands, fields the
// command does not take, other protocol versions, bad ids and invalid
// arguments with an error wrapping council.ErrInvalid; the id is returned
// whenever it could be read.
func (h *Hub) DecodeClient(b []byte) (string, Command, error) { return h.cmds.decodeClient(b) }

func (t commands) decodeClient(b []byte) (string, Command, error) {
	if len(b) > MaxClientMessage {
		return "", nil, council.Invalidf("message of %d bytes exceeds %d", len(b), MaxClientMessage)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var fields map[string]json.RawMessage
	if err := dec.Decode(&fields); err != nil || fields == nil {
		return "", nil, council.Invalidf("malformed message")
	}
	if dec.More() {
		return "", nil, council.Invalidf("trailing data after message")
	}
	w := &wire{fields: fields}
	id := w.text("id")
	if w.err != nil || len(id) > 64 || !utf8.ValidString(id) {
		return "", nil, council.Invalidf("bad command id")
	}
	v, typ, name := w.number("v", math.MinInt, math.MaxInt), w.text("type"), CommandName(w.text("command"))
	switch {
	case w.err != nil:
		return id, nil, w.err
	case v != ProtocolVersion:
		return id, nil, council.Invalidf("protocol version %d, want %d", v, ProtocolVersion)
	case typ != "command":
		return id, nil, council.Invalidf("unknown message type %q", typ)
	}
	sp, ok := t.lookup(name)
	if !ok {
		return id, nil, council.Invalidf("unknown command %q", name)
	}
	c := sp.decode(w)
	if err := w.done(name); err != nil {
		return id, nil, err
	}
	if err := validate(c); err != nil {
		return id, nil, err
	}
	return id, c, nil
}

// wire is the fields of one client message, which a command's decode
// reads by name. A field of the wrong JSON type sets err; done refuses
// fields nobody read.
type wire struct {
	fields map[string]json.RawMessage
	err    error
}

// take removes and returns field key; absent and null are not ok.
func (w *wire) take(key string) (json.RawMessage, bool) {
	raw, ok := w.fields[key]
	delete(w.fields, key)
	return raw, ok && string(raw) != "null"
}

func (w *wire) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// text reads a JSON string ("" when absent).
func (w *wire) text(key string) string {
	raw, ok := w.take(key)
	var s string
	if ok && json.Unmarshal(raw, &s) != nil {
		w.fail(council.Invalidf("%s: want a string", key))
	}
	return s
}

// id reads an id (NilID when absent or "").
func (w *wire) id(key string) council.ID {
	s := w.text(key)
	if s == "" {
		return council.NilID
	}
	id, err := council.ParseID(s)
	if err != nil {
		w.fail(fmt.Errorf("%s: %w", key, err))
	}
	return id
}

// ids reads a list of at most max ids.
func (w *wire) ids(key string, max int) []council.ID {
	var out []council.ID
	for _, s := range w.list(key, max) {
		id, err := council.ParseID(s)
		if err != nil {
			w.fail(fmt.Errorf("%s: %w", key, err))
			return nil
		}
		out = append(out, id)
	}
	return out
}

// flag reads a JSON boolean (false when absent).
func (w *wire) flag(key string) bool {
	raw, ok := w.take(key)
	var b bool
	if ok && json.Unmarshal(raw, &b) != nil {
		w.fail(council.Invalidf("%s: want true or false", key))
	}
	return b
}

// number reads a JSON integer in [lo, hi] (0 when absent).
func (w *wire) number(key string, lo, hi int) int {
	raw, ok := w.take(key)
	var n int
	switch {
	case !ok:
	case json.Unmarshal(raw, &n) != nil:
		w.fail(council.Invalidf("%s: want an integer", key))
	case n < lo || n > hi:
		w.fail(council.Invalidf("%s: %d out of range", key, n))
	}
	return n
}

// list reads a JSON array of at most max strings (nil when absent).
func (w *wire) list(key string, max int) []string {
	raw, ok := w.take(key)
	var l []string
	switch {
	case !ok:
	case json.Unmarshal(raw, &l) != nil:
		w.fail(council.Invalidf("%s: want a list of strings", key))
	case len(l) > max:
		w.fail(council.Invalidf("%s: more than %d entries", key, max))
	}
	for _, s := range l {
		if !utf8.ValidString(s) || len(s) > 256 {
			w.fail(council.Invalidf("%s: an entry is too long or not UTF-8", key))
		}
	}
	return l
}

// done returns the first error, or one naming a field that command does
// not take.
func (w *wire) done(command CommandName) error {
	if w.err != nil {
		return w.err
	}
	if len(w.fields) > 0 {
		return council.Invalidf("%s takes no field %q", command, slices.Sorted(maps.Keys(w.fields))[0])
	}
	return nil
}
