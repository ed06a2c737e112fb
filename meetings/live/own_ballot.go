package live

import (
	"context"
	"sync"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/voting"
)

// A member's first ballot on their own device is the command a session
// gives most, all members at once: the short way for it (ownBallot) is one
// statement, without the command transaction's reads of the session, the
// roster entry and the poll. It holds the same rules: the poll row is
// locked FOR SHARE while the ballot goes in, and only an open poll takes
// it (closing a session with a running poll is refused, so an open poll
// is one of a running session); the database refuses a member not
// eligible when the poll opened and a second ballot; the choice is
// checked against the poll and the session's profile as castBallot
// checks it. What the short way does not know — a poll this node has not
// seen a ballot of yet, a retry, a changed ballot, a paused or closed
// poll, a refusal — goes the long way, which answers it exactly.

// pollFacts is what a ballot needs to know of a poll that does not change
// while it is open (a new round or a repeat is a new poll): the poll as it
// was opened and its session's voting profile.
type pollFacts struct {
	poll meetings.Poll
	prof voting.Profile
}

// knownPolls remembers the facts of polls that took a ballot on this
// node, so that the next ballots take the short way.
type knownPolls struct {
	mu sync.Mutex
	m  map[council.ID]pollFacts
}

// knownPollsMax bounds the memory: a council runs a few polls at a time.
const knownPollsMax = 256

func (k *knownPolls) get(id council.ID) (pollFacts, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	f, ok := k.m[id]
	return f, ok
}

func (k *knownPolls) put(f pollFacts) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil || len(k.m) >= knownPollsMax {
		k.m = map[council.ID]pollFacts{}
	}
	k.m[f.poll.ID] = f
}

// knowPoll makes the next ballots of open poll p take the short way once
// the command committed.
func (cc *cmdCtx) knowPoll(p meetings.Poll, prof voting.Profile) {
	if cc.polls != nil && p.State == meetings.PollOpen {
		cc.afterCommit(func() { cc.polls.put(pollFacts{poll: p, prof: prof}) })
	}
}

// ownBallot records c, a member's first ballot for themself, the short
// way. ok false: nothing was recorded and Do takes the long way.
func (h *Hub) ownBallot(ctx context.Context, meetingID council.ID, a Actor, c CastBallot) (r done, ok bool) {
	// Only what authorize would let through as a member voting for
	// themself: a logged-in member (not the system, not staff, not a
	// citizen's account, whatever person it names); anyone else goes the
	// long way and is answered there.
	if a.System || a.IsPublic() || a.Role != council.RoleMember || a.PersonID == council.NilID ||
		(c.Person != council.NilID && c.Person != a.PersonID) || c.Ballot == "" {
		return done{}, false
	}
	f, known := h.polls.get(c.Poll)
	if !known {
		// A poll opened on another node (or before a restart): its
		// facts, read once; the state is the statement's to check.
		p, err := meetings.NewStore(h.pool).Poll(ctx, c.Poll, "")
		if err != nil {
			return done{}, false
		}
		if f.prof, known = h.opts.Profiles[p.Profile]; !known {
			return done{}, false
		}
		f.poll = p
		if p.State == meetings.PollOpen {
			h.polls.put(f)
		}
	}
	if f.poll.MeetingID != meetingID || f.poll.State != meetings.PollOpen || checkChoice(f.poll, f.prof, c.Choice) != nil {
		return done{}, false
	}
	if a.UserID != council.NilID {
		ctx = council.WithActor(ctx, a.UserID)
	}
	reply := BallotReply{Poll: c.Poll, Person: a.PersonID, Choice: c.Choice}
	client, receipt := c.Ballot, ""
	if f.poll.Secret() {
		client, receipt = "", meetings.Receipt(c.Poll, c.Ballot)
		reply = BallotReply{Poll: c.Poll, Person: a.PersonID, Receipt: receipt}
	}
	recorded, err := meetings.NewStore(h.pool).CastOwnBallot(ctx, c.Poll, a.PersonID, c.Choice, client, receipt, h.now())
	if err != nil || !recorded {
		return done{}, false // not open, a second ballot, a refusal: the long way answers
	}
	h.announce(meetingID)
	h.mu.Lock()
	if fd := h.feeds[meetingID]; fd != nil {
		r.seq = fd.last
	}
	h.mu.Unlock()
	r.reply = reply
	return r, true
}
