package meetings

import (
	"bytes"
	"cmp"
	"slices"
	"time"

	"github.com/plenar/plenar/council"
)

// SpeakerKind is the kind of a request to speak.
type SpeakerKind string

// Speaker kinds, in the order the list serves them.
const (
	PointOfOrder SpeakerKind = "point_of_order" // Antrag zur Geschäftsordnung
	FirstTurn    SpeakerKind = "first"          // first contribution to the item
	SecondTurn   SpeakerKind = "second"         // a further contribution
)

// Valid reports whether k is a known kind.
func (k SpeakerKind) Valid() bool { return k == PointOfOrder || k == FirstTurn || k == SecondTurn }

func (k SpeakerKind) rank() int {
	switch k {
	case PointOfOrder:
		return 0
	case FirstTurn:
		return 1
	}
	return 2
}

// TurnKind returns the kind of a new request: a point of order stays one;
// otherwise it is a first contribution unless the member has already
// spoken (or asked to speak) on the item.
func TurnKind(pointOfOrder, spokeBefore bool) SpeakerKind {
	switch {
	case pointOfOrder:
		return PointOfOrder
	case spokeBefore:
		return SecondTurn
	}
	return FirstTurn
}

// SpeakerRequest is a member's request to speak on an agenda item.
type SpeakerRequest struct {
	ID          council.ID
	ItemID      council.ID
	PersonID    council.ID
	Kind        SpeakerKind
	RequestedAt time.Time
	GrantedAt   time.Time // zero: waiting
	EndedAt     time.Time // zero: open
	Withdrawn   bool
	Limit       time.Duration // speaking time; 0: none
	// Place is the request's place in the order the chair set (1, 2, …);
	// 0: not placed by the chair.
	Place int
}

// Waiting reports whether r waits for the floor.
func (r SpeakerRequest) Waiting() bool { return r.GrantedAt.IsZero() && r.EndedAt.IsZero() }

// Speaking reports whether r holds the floor.
func (r SpeakerRequest) Speaking() bool { return !r.GrantedAt.IsZero() && r.EndedAt.IsZero() }

// SpeakingTime returns how long r held the floor, up to now when it still does.
func (r SpeakerRequest) SpeakingTime(now time.Time) time.Duration {
	if r.GrantedAt.IsZero() {
		return 0
	}
	end := r.EndedAt
	if end.IsZero() {
		end = now
	}
	return end.Sub(r.GrantedAt)
}

// CompareSpeakers orders the speakers' list: points of order first; then
// the requests the chair placed, in the chair's order; then first
// contributions before second ones, then by request time (the id breaks
// ties so the order is total).
func CompareSpeakers(a, b SpeakerRequest) int {
	if a.Kind == PointOfOrder || b.Kind == PointOfOrder {
		if c := cmp.Compare(a.Kind.rank(), b.Kind.rank()); c != 0 {
			return c
		}
	}
	if a.Place != b.Place {
		switch {
		case a.Place == 0:
			return 1
		case b.Place == 0:
			return -1
		}
		return cmp.Compare(a.Place, b.Place)
	}
	if c := cmp.Compare(a.Kind.rank(), b.Kind.rank()); c != 0 {
		return c
	}
	if c := a.RequestedAt.Compare(b.RequestedAt); c != 0 {
		return c
	}
	return bytes.Compare(a.ID[:], b.ID[:])
}

// Queue returns the waiting requests of rs in speaking order.
func Queue(rs []SpeakerRequest) []SpeakerRequest {
	var out []SpeakerRequest
	for _, r := range rs {
		if r.Waiting() {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, CompareSpeakers)
	return out
}

// Move returns the waiting requests of rs in speaking order with request
// id moved to place to (0-based among them, clamped), and the places
// (1, 2, …) the requests other than points of order take in that order.
// Points of order stay first. ok is false when id is not waiting or is a
// point of order.
func Move(rs []SpeakerRequest, id council.ID, to int) (order []council.ID, ok bool) {
	var q []SpeakerRequest
	from := -1
	for _, r := range Queue(rs) {
		if r.Kind == PointOfOrder {
			continue
		}
		if r.ID == id {
			from = len(q)
		}
		q = append(q, r)
	}
	if from < 0 {
		return nil, false
	}
	moved := q[from]
	q = slices.Delete(q, from, from+1)
	to = max(0, min(to, len(q)))
	q = slices.Insert(q, to, moved)
	for _, r := range q {
		order = append(order, r.ID)
	}
	return order, true
}
