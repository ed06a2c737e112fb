package live

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// MediaView is what the SFU needs to know of a session: the members whose
// microphones are forwarded (the floor, in grant order: Room.SetFloor),
// the chair (whose camera fills the speaker slot when nobody speaks:
// Room.SetChair), whether the public may receive the program
// (Room.SetPublic): only while the session runs, in the public part, on a
// public agenda item — and, in the non-public part, which members may take
// part in the media at all (Room.SetRestricted).
//
// Plenar asks each remote member to confirm that no third party can see or
// hear the non-public part (docs/DOMAIN.md, "Non-public part"). So while
// NonPublic holds, only Cleared members send and receive media: those who
// confirmed the current part, and those checked in to the room (they are
// in the chamber, which the public has left; they cannot confirm).
// Everyone else — a remote member who has not confirmed, and a member
// whose media is up before the hub recorded them remote — gets nothing and
// is forwarded to nobody.
// Unconfirmed lists the remote members still to confirm.
//
// meetings/media subscribes with SystemActor (which sees every event),
// feeds every message to Apply and, when it reports a change, hands the
// view to the SFU; it does not need to parse the events itself.
type MediaView struct {
	Floor  []council.ID
	Chair  council.ID
	Public bool
	// NonPublic: the session runs in the non-public part; only Cleared
	// members take part in the media.
	NonPublic bool
	// Cleared and Unconfirmed are set while NonPublic, sorted by id.
	Cleared     []council.ID
	Unconfirmed []council.ID
	// Record: the meeting is recorded (Snapshot.Recording); Item is the
	// current agenda item (NilID: none). The recorder writes while Record
	// and Public hold, a segment per Item (Room.SetRecording).
	Record bool
	Item   council.ID
	// Guest is the question whose asking citizen holds the floor, audio
	// only, until GuestUntil (Room.SetGuest); NilID: none. Set only while
	// Public: the non-public part and a non-public item end it.
	Guest      council.ID
	GuestUntil time.Time

	running    bool
	part       Part
	partSeq    int64
	itemPublic bool
	modes      map[council.ID]string // roster: room, remote or absent
	confirmed  map[council.ID]bool   // for the part that began at partSeq
}

// MediaState returns the media view of snapshot s: the floor in grant
// order, the chair, and whether the public may receive the program. A
// snapshot of a lower audience may lack the floor (the public sees no
// speakers on a non-public item); take it from a SystemActor subscription.
func MediaState(s Snapshot) (floor []council.ID, chair council.ID, public bool) {
	var v MediaView
	v.Apply(Message{Type: TypeSnapshot, Snapshot: &s})
	return v.Floor, v.Chair, v.Public
}

// Apply updates v from one message of a subscription (a snapshot or an
// event) and reports whether Floor, Chair, Public, NonPublic, Cleared,
// Record or Item changed. Messages that do not concern media leave v unchanged.
func (v *MediaView) Apply(m Message) bool {
	before := MediaView{Floor: v.Floor, Chair: v.Chair, Public: v.Public, NonPublic: v.NonPublic, Cleared: v.Cleared,
		Record: v.Record, Item: v.Item, Guest: v.Guest, GuestUntil: v.GuestUntil}
	switch m.Type {
	case TypeSnapshot:
		if m.Snapshot == nil {
			return false
		}
		s := m.Snapshot
		v.running, v.part, v.partSeq, v.Chair = s.State == "running", s.Part, s.PartSeq, s.Chair
		v.itemPublic = s.Item == nil || s.Item.Public
		v.Record, v.Item = s.Recording, council.NilID
		if s.Item != nil {
			v.Item = s.Item.ID
		}
		v.Floor = nil
		if s.Speakers != nil {
			v.Floor = floorOf(*s.Speakers)
		}
		v.Guest, v.GuestUntil = council.NilID, time.Time{}
		if f := s.QuestionFloor; f != nil && f.Until != nil {
			v.Guest, v.GuestUntil = f.ID, *f.Until
		}
		v.modes, v.confirmed = map[council.ID]string{}, map[council.ID]bool{}
		for _, a := range s.Roster {
			v.modes[a.PersonID] = a.Mode
		}
		for _, id := range s.Confirmed {
			v.confirmed[id] = true
		}
	case TypeEvent:
		switch m.Kind {
		case EvSessionStarted, EvSessionClosed:
			var p SessionPayload
			if json.Unmarshal(m.Data, &p) != nil {
				return false
			}
			v.running, v.part = p.State == "running", p.Part
			if p.Chair != council.NilID {
				v.Chair = p.Chair
			}
			if !v.running {
				v.Floor = nil
			}
			v.Guest, v.GuestUntil = council.NilID, time.Time{}
			if m.Kind == EvSessionStarted { // a new roster, everyone absent
				v.modes, v.confirmed = nil, nil
			}
		case EvPartChanged:
			var p PartPayload
			if json.Unmarshal(m.Data, &p) != nil {
				return false
			}
			v.part, v.partSeq, v.confirmed = p.Part, m.Seq, nil
			v.Guest, v.GuestUntil = council.NilID, time.Time{}
		case EvItemChanged:
			var it ItemView
			if json.Unmarshal(m.Data, &it) != nil {
				return false
			}
			v.itemPublic = it.ID == council.NilID || it.Public
			v.Item = it.ID
			v.Guest, v.GuestUntil = council.NilID, time.Time{}
		case EvQuestionFloor:
			var f QuestionFloorView
			if json.Unmarshal(m.Data, &f) != nil {
				return false
			}
			switch {
			case f.Until != nil:
				v.Guest, v.GuestUntil = f.ID, *f.Until
			case f.ID == v.Guest:
				v.Guest, v.GuestUntil = council.NilID, time.Time{}
			}
		case EvSpeakers:
			var sp SpeakersView
			if json.Unmarshal(m.Data, &sp) != nil {
				return false
			}
			v.Floor = floorOf(sp)
		case EvAttendance:
			var a AttendeeView
			if json.Unmarshal(m.Data, &a) != nil {
				return false
			}
			if v.modes == nil {
				v.modes = map[council.ID]string{}
			}
			v.modes[a.PersonID] = a.Mode
			if a.Mode == string(meetings.Absent) {
				delete(v.confirmed, a.PersonID) // confirms again when back (setMode)
			}
		case EvNonPublicConfirm:
			var c ConfirmPayload
			if json.Unmarshal(m.Data, &c) != nil {
				return false
			}
			if c.PartSeq != 0 && v.partSeq != 0 && c.PartSeq != v.partSeq {
				return false // a confirmation of an earlier part
			}
			if v.confirmed == nil {
				v.confirmed = map[council.ID]bool{}
			}
			v.confirmed[c.PersonID] = true
		default:
			return false
		}
	default:
		return false
	}
	v.Public = v.running && v.part == PartPublic && v.itemPublic
	v.NonPublic = v.running && v.part == PartNonPublic
	if !v.Public {
		v.Guest, v.GuestUntil = council.NilID, time.Time{}
	}
	v.Cleared, v.Unconfirmed = nil, nil
	if v.NonPublic {
		for id, mode := range v.modes {
			switch {
			case v.confirmed[id] || mode == string(meetings.InRoom):
				v.Cleared = append(v.Cleared, id)
			case mode == string(meetings.Remote):
				v.Unconfirmed = append(v.Unconfirmed, id)
			}
		}
		for id := range v.confirmed {
			if _, onRoster := v.modes[id]; !onRoster {
				v.Cleared = append(v.Cleared, id)
			}
		}
		byID := func(a, b council.ID) int { return strings.Compare(a.String(), b.String()) }
		slices.SortFunc(v.Cleared, byID)
		slices.SortFunc(v.Unconfirmed, byID)
	}
	return !slices.Equal(before.Floor, v.Floor) || before.Chair != v.Chair || before.Public != v.Public ||
		before.NonPublic != v.NonPublic || !slices.Equal(before.Cleared, v.Cleared) ||
		before.Record != v.Record || before.Item != v.Item || before.Guest != v.Guest || !before.GuestUntil.Equal(v.GuestUntil)
}

func floorOf(sp SpeakersView) []council.ID {
	var out []council.ID
	for _, s := range sp.Floor {
		out = append(out, s.PersonID)
	}
	return out
}
