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

// CompareSpeakers orders the speakers' list: points of order first, then
// first contributions before second ones, then by request time (the id
// breaks ties so the order is total).
func CompareSpeakers(a, b SpeakerRequest) int {
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
