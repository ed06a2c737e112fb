package meetings

import "github.com/plenar/plenar/council"

// Quorum is the Beschlussfähigkeit of a session for one agenda item,
// with its inputs so a finding can record them.
type Quorum struct {
	Seats      int // statutory voting members: the base
	Present    int // voting members present (room or remote)
	Conflicted int // of those present, declared conflicted for the item
	Counted    int // Present - Conflicted
	Needed     int // the smallest Counted that is quorate
	Quorate    bool
}

// QuorumNeeded returns the smallest number of members that is more than
// half of seats: seats/2 + 1 for both odd and even seats (50 → 26,
// 51 → 26). Zero seats need one member.
func QuorumNeeded(seats int) int {
	if seats < 0 {
		seats = 0
	}
	return seats/2 + 1
}

// ComputeQuorum applies docs/DOMAIN.md, "Quorum": a session is quorate
// when more than half of the statutory voting members are present and not
// conflicted.
// Conflicted members reduce the count of those present, never the base.
// Members without a voting right are ignored; conflicted holds the
// persons declared conflicted for the current item.
func ComputeQuorum(seats int, roster []Attendee, conflicted map[council.ID]bool) Quorum {
	q := Quorum{Seats: seats, Needed: QuorumNeeded(seats)}
	for _, a := range roster {
		if !a.Voting || !a.Mode.Present() {
			continue
		}
		q.Present++
		if conflicted[a.PersonID] {
			q.Conflicted++
		}
	}
	q.Counted = q.Present - q.Conflicted
	q.Quorate = 2*q.Counted > seats
	return q
}
