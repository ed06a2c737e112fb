package live

import (
	"encoding/json"
	"slices"

	"github.com/plenar/plenar/council"
)

// MediaView is what the SFU needs to know of a session: the members whose
// microphones are forwarded (the floor, in grant order: Room.SetFloor),
// the chair (whose camera fills the speaker slot when nobody speaks:
// Room.SetChair) and whether the public may receive the program
// (Room.SetPublic): only while the session runs, in the public part, on a
// public agenda item.
//
// The web layer subscribes with SystemActor (which sees every event),
// feeds every message to Apply and, when it reports a change, hands the
// view to the SFU; it does not need to parse the events itself.
type MediaView struct {
	Floor  []council.ID
	Chair  council.ID
	Public bool

	running    bool
	part       Part
	itemPublic bool
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
// event) and reports whether Floor, Chair or Public changed. Messages that
// do not concern media leave v unchanged.
func (v *MediaView) Apply(m Message) bool {
	before := MediaView{Floor: v.Floor, Chair: v.Chair, Public: v.Public}
	switch m.Type {
	case TypeSnapshot:
		if m.Snapshot == nil {
			return false
		}
		s := m.Snapshot
		v.running, v.part, v.Chair = s.State == "running", s.Part, s.Chair
		v.itemPublic = s.Item == nil || s.Item.Public
		v.Floor = nil
		if s.Speakers != nil {
			v.Floor = floorOf(*s.Speakers)
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
		case EvPartChanged:
			var p PartPayload
			if json.Unmarshal(m.Data, &p) != nil {
				return false
			}
			v.part = p.Part
		case EvItemChanged:
			var it ItemView
			if json.Unmarshal(m.Data, &it) != nil {
				return false
			}
			v.itemPublic = it.ID == council.NilID || it.Public
		case EvSpeakers:
			var sp SpeakersView
			if json.Unmarshal(m.Data, &sp) != nil {
				return false
			}
			v.Floor = floorOf(sp)
		default:
			return false
		}
	default:
		return false
	}
	v.Public = v.running && v.part == PartPublic && v.itemPublic
	return !slices.Equal(before.Floor, v.Floor) || before.Chair != v.Chair || before.Public != v.Public
}

func floorOf(sp SpeakersView) []council.ID {
	var out []council.ID
	for _, s := range sp.Floor {
		out = append(out, s.PersonID)
	}
	return out
}
