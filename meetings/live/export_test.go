package live

import (
	"time"

	"github.com/plenar/plenar/council"
)

// Stopper is the timer Presence uses, for tests that drive its grace
// periods by hand.
type Stopper = stopper

// SetPresenceClock replaces how p starts its grace timers.
func SetPresenceClock(p *Presence, after func(time.Duration, func()) Stopper) { p.after = after }

// PresencePending returns how many grace periods p is running.
func PresencePending(p *Presence) int { return p.pending() }

// LeaveRemoteAt is a leave_remote for media connection epoch (as Presence gives it).
func LeaveRemoteAt(person council.ID, epoch int64) Command {
	return LeaveRemote{Person: person, epoch: epoch}
}

// KnowsPoll reports whether h takes the short way for the next ballots of
// poll id (own_ballot.go).
func KnowsPoll(h *Hub, id council.ID) bool {
	_, ok := h.polls.get(id)
	return ok
}
