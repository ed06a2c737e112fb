package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/plenar/plenar/council"
)

// Presence turns media connections into attendance (docs/DOMAIN.md,
// "Attendance": remote means a live audio/video connection). meetings/media calls Connected when
// a member's peer connection to the SFU is up and Disconnected when it
// goes down or closes; Presence gives join_remote and leave_remote as the
// system (SystemActor), the only actor allowed to.
//
// Connected joins an absent member remotely; it changes nothing for a
// member already remote (a reconnect) and keeps a member checked in to the
// room "room" (the roster then shows them as connected too). Every
// Connected records a new media epoch in the database.
//
// Disconnected starts a grace period for the member; Connected within it
// cancels it. After it, leave_remote is given for the epoch this Presence
// last recorded, and the hub ignores it when a newer connection was
// recorded meanwhile — by this node or another — so a late leave never
// undoes a reconnect, whichever node's SFU the member reconnected to.
//
// Calls are "last report wins" per meeting and member, not counted: when
// the SFU replaces a member's peer (a second Join), meetings/media must not
// report the replaced peer's end after the new peer's Connected (report
// Disconnected only for the member's current peer).
//
// Presence keeps its timers in memory, so a node that stops during a
// grace period, or crashes with members connected, leaves them recorded
// as connected. Recover, called once when the node starts, gives every
// such member of a running session the grace treatment: they leave after
// the grace period unless they reconnect meanwhile.
//
// This assumes a single media owner: one node runs the SFU for all
// sessions on this database (docs/ARCHITECTURE.md, "Scale-out": one node
// owns all live media), so at its start no member has a live peer anywhere, and every
// connection recorded as up is a leftover. With several media nodes,
// Recover would have to be limited to the meetings this node owns (a
// lease per meeting), or it would end remote attendance that another
// node's SFU still carries until those members' next reconnect.
type Presence struct {
	hub   *Hub
	grace time.Duration
	log   *slog.Logger
	after func(time.Duration, func()) stopper

	ctx    context.Context // cancelled by Close: ends leaves in flight
	cancel context.CancelFunc
	wg     sync.WaitGroup // leaves in flight

	mu     sync.Mutex
	closed bool
	epochs map[presenceKey]int64       // the media epoch of the last successful Connected
	timers map[presenceKey]*leaveTimer // grace periods running
}

type presenceKey struct{ meeting, person council.ID }

// stopper is a timer (time.Timer, or a test's).
type stopper interface{ Stop() bool }

type leaveTimer struct{ t stopper }

// NewPresence returns a Presence on h with the given grace period for
// short drops (at least 0; a typical value is a few seconds). log may be
// nil.
func NewPresence(h *Hub, grace time.Duration, log *slog.Logger) *Presence {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Presence{hub: h, grace: max(grace, 0), log: log, ctx: ctx, cancel: cancel,
		after:  func(d time.Duration, f func()) stopper { return time.AfterFunc(d, f) },
		epochs: map[presenceKey]int64{}, timers: map[presenceKey]*leaveTimer{}}
}

// Connected reports that member personID's media connection to meeting
// meetingID is up: a pending leave is cancelled and the member is joined
// remotely unless present already. Failures (e.g. the session is not
// running, the person is not on the roster) are logged, not returned: the
// media goes on either way.
func (p *Presence) Connected(ctx context.Context, meetingID, personID council.ID) {
	k := presenceKey{meetingID, personID}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	if lt, ok := p.timers[k]; ok {
		lt.t.Stop()
		delete(p.timers, k)
	}
	p.mu.Unlock()

	r, err := p.hub.do(ctx, meetingID, SystemActor(), JoinRemote{Person: personID})
	epoch := r.epoch
	if err != nil {
		p.logFailure("join_remote", meetingID, personID, err)
		return
	}
	p.mu.Lock()
	if !p.closed && epoch > p.epochs[k] {
		p.epochs[k] = epoch
	}
	p.mu.Unlock()
}

// Disconnected reports that member personID's media connection to meeting
// meetingID went down. After the grace period the member leaves (if
// remote), unless Connected is called first.
func (p *Presence) Disconnected(meetingID, personID council.ID) {
	k := presenceKey{meetingID, personID}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	if lt, ok := p.timers[k]; ok {
		lt.t.Stop()
	}
	lt := &leaveTimer{}
	lt.t = p.after(p.grace, func() { p.fire(k, lt) }) // fire waits for p.mu, so lt.t is set first
	p.timers[k] = lt
}

// Recover starts a grace period for every member of a running session
// whose media connection is recorded as up but who has no connection
// here (after a restart: none has yet). Unless the member reconnects
// within the grace period, leave_remote is given for the recorded epoch,
// so a reconnect on any node meanwhile keeps them. It returns how many
// grace periods it started. See the single-media-owner assumption above.
func (p *Presence) Recover(ctx context.Context) (int, error) {
	found, err := store{p.hub.pool}.connected(ctx)
	if err != nil {
		return 0, fmt.Errorf("recover media presence: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, nil
	}
	n := 0
	for _, c := range found {
		k := presenceKey{c.MeetingID, c.PersonID}
		if _, mine := p.epochs[k]; mine {
			continue // connected here already (Connected ran first)
		}
		if _, waiting := p.timers[k]; waiting {
			continue
		}
		p.epochs[k] = c.Epoch
		lt := &leaveTimer{}
		lt.t = p.after(p.grace, func() { p.fire(k, lt) })
		p.timers[k] = lt
		n++
	}
	if n > 0 {
		p.log.Info("media presence recovered: members recorded as connected get the grace period", "members", n, "grace", p.grace)
	}
	return n, nil
}

// fire ends grace period lt: it gives leave_remote for the epoch last
// recorded, unless lt was cancelled or replaced or Presence closed.
func (p *Presence) fire(k presenceKey, lt *leaveTimer) {
	p.mu.Lock()
	if p.closed || p.timers[k] != lt {
		p.mu.Unlock()
		return
	}
	delete(p.timers, k)
	epoch, known := p.epochs[k]
	delete(p.epochs, k)
	if !known {
		p.mu.Unlock()
		// This node never recorded a connection for the member (its
		// Connected failed): a leave could only undo someone else's.
		p.log.Debug("media disconnect without a recorded connection", "meeting_id", k.meeting, "person_id", k.person)
		return
	}
	p.wg.Add(1)
	p.mu.Unlock()
	defer p.wg.Done()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	if _, err := p.hub.do(ctx, k.meeting, SystemActor(), LeaveRemote{Person: k.person, epoch: epoch}); err != nil {
		p.logFailure("leave_remote", k.meeting, k.person, err)
	}
}

// Close stops every grace period without issuing its leave and waits for
// leaves in flight (their context is cancelled). Later calls do nothing.
func (p *Presence) Close() {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		for k, lt := range p.timers {
			lt.t.Stop()
			delete(p.timers, k)
		}
		clear(p.epochs)
	}
	p.mu.Unlock()
	p.cancel()
	p.wg.Wait()
}

// pending returns how many grace periods are running (tests).
func (p *Presence) pending() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.timers)
}

func (p *Presence) logFailure(cmd string, meetingID, personID council.ID, err error) {
	lvl := slog.LevelWarn
	if errors.Is(err, council.ErrConflict) || errors.Is(err, council.ErrInvalid) || errors.Is(err, context.Canceled) {
		lvl = slog.LevelInfo // the session is not running, the person is not on its roster, or shutting down
	}
	p.log.Log(context.Background(), lvl, "media presence command failed", "command", cmd, "meeting_id", meetingID,
		"person_id", personID, "err", err)
}
