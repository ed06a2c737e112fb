package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/voting"
)

// Channel is the PostgreSQL notification channel of live events; the
// payload is "<meeting id>:<seq>".
const Channel = "plenar_live"

// Options configure a Hub. Zero values take the defaults.
type Options struct {
	FloorLimit int           // K, how many may hold the floor at once, unless a session sets it; default 1
	Buffer     int           // messages buffered per subscriber before it is dropped; default 256
	MaxReplay  int           // most events replayed on resume before a snapshot is sent instead; default Buffer/2
	CatchUp    time.Duration // how often to re-read the log in case a notification was lost; default 5s
	Log        *slog.Logger  // default: discard
	Now        func() time.Time
	// Profiles are the Land voting profiles by code; default:
	// voting.Builtin(). A session uses its body's profile.
	Profiles map[string]voting.Profile
	// Announce is how long the hub gathers ballots before it announces
	// the running poll's count; default 100ms.
	Announce time.Duration
}

// Hub runs the commands of live sessions and fans their events out to this
// process's subscribers. Several hubs (processes) may share one database.
// Run must be running for subscribers to receive events.
type Hub struct {
	pool *pgxpool.Pool
	opts Options
	log  *slog.Logger
	cmds commands // the command table, built once

	mu        sync.Mutex
	feeds     map[council.ID]*feed
	pending   map[council.ID]bool
	wake      chan struct{}
	listening chan struct{}
	listenOK  bool
	stopped   bool
	// ballots: meetings whose running poll received ballots not yet
	// announced; tally wakes the announcer.
	ballots map[council.ID]bool
	tally   chan struct{}
	// announced: the ballot counts announced, by meeting (pollProgress).
	announced announced
	// polls: the polls that took a ballot here (own_ballot.go).
	polls knownPolls
}

// feed is one meeting's subscribers and the last seq delivered to them.
type feed struct {
	last int64
	subs map[*Subscription]struct{}
}

// NewHub returns a hub on pool.
func NewHub(pool *pgxpool.Pool, opts Options) *Hub {
	if opts.FloorLimit <= 0 {
		opts.FloorLimit = 1
	}
	if opts.Buffer < 8 {
		opts.Buffer = 256
	}
	if opts.MaxReplay <= 0 || opts.MaxReplay > opts.Buffer/2 {
		opts.MaxReplay = opts.Buffer / 2
	}
	if opts.CatchUp <= 0 {
		opts.CatchUp = 5 * time.Second
	}
	if opts.Profiles == nil {
		opts.Profiles = voting.Builtin()
	}
	if opts.Announce <= 0 {
		opts.Announce = 100 * time.Millisecond
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Hub{pool: pool, opts: opts, log: log, cmds: newCommands(), feeds: map[council.ID]*feed{}, pending: map[council.ID]bool{},
		ballots: map[council.ID]bool{}, tally: make(chan struct{}, 1), announced: announced{last: map[council.ID]progress{}},
		wake: make(chan struct{}, 1), listening: make(chan struct{})}
}

func (h *Hub) now() time.Time {
	t := time.Now()
	if h.opts.Now != nil {
		t = h.opts.Now()
	}
	return t.UTC().Truncate(time.Microsecond) // PostgreSQL's precision
}

// Listening is closed once the hub first listens for notifications.
func (h *Hub) Listening() <-chan struct{} { return h.listening }

// Run listens for notifications and delivers events until ctx ends, then
// ends every subscription with a resync marker. It returns nil after ctx
// ends; a lost connection is retried, never returned.
func (h *Hub) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Go(func() { h.listen(ctx) })
	wg.Go(func() { h.announcer(ctx) })
	h.dispatch(ctx)
	wg.Wait()
	h.mu.Lock()
	h.stopped = true
	feeds := h.feeds
	h.feeds = map[council.ID]*feed{}
	h.mu.Unlock()
	for _, f := range feeds {
		for s := range f.subs {
			s.end(true)
		}
	}
	return nil
}

// announce asks the announcer to announce meetingID's running poll.
func (h *Hub) announce(meetingID council.ID) {
	h.mu.Lock()
	h.ballots[meetingID] = true
	h.mu.Unlock()
	select {
	case h.tally <- struct{}{}:
	default:
	}
}

// announcer gives PollProgress for meetings with new ballots, at most once
// per Options.Announce, so a burst of ballots is one event (each ballot
// is acknowledged to its voter at once; the others learn the count).
func (h *Hub) announcer(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.tally:
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(h.opts.Announce):
		}
		h.mu.Lock()
		ids := make([]council.ID, 0, len(h.ballots))
		for id := range h.ballots {
			ids = append(ids, id)
		}
		clear(h.ballots)
		h.mu.Unlock()
		for _, id := range ids {
			if _, err := h.Do(ctx, id, SystemActor(), PollProgress{}); err != nil && ctx.Err() == nil {
				h.log.Warn("announcing a poll's ballots failed", "meeting_id", id, "err", err)
			}
		}
	}
}

// listen holds a dedicated connection that LISTENs on Channel, and
// reconnects with back-off when it fails.
func (h *Hub) listen(ctx context.Context) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := h.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		h.log.Warn("live listener lost its connection", "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (h *Hub) listenOnce(ctx context.Context) error {
	pc, err := h.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire: %w", err)
	}
	conn := pc.Hijack()
	defer conn.Close(context.Background())
	if err := listen(ctx, conn); err != nil {
		return err
	}
	h.mu.Lock()
	if !h.listenOK {
		h.listenOK = true
		close(h.listening)
	}
	h.mu.Unlock()
	h.pokeAll() // catch up on anything missed while not listening
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		meetingID, _, err := parseNotification(n.Payload)
		if err != nil {
			h.log.Warn("live notification with a bad payload", "payload", n.Payload)
			continue
		}
		h.poke(meetingID)
	}
}

// poke asks the dispatcher to read meetingID's new events, if this hub has
// subscribers for it.
func (h *Hub) poke(meetingID council.ID) {
	h.mu.Lock()
	if _, ok := h.feeds[meetingID]; ok {
		h.pending[meetingID] = true
	}
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

func (h *Hub) pokeAll() {
	h.mu.Lock()
	for id := range h.feeds {
		h.pending[id] = true
	}
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// dispatch reads new events of poked meetings from the log and delivers
// them, one meeting at a time, until ctx ends.
func (h *Hub) dispatch(ctx context.Context) {
	tick := time.NewTicker(h.opts.CatchUp)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			h.pokeAll()
		case <-h.wake:
		}
		h.mu.Lock()
		ids := make([]council.ID, 0, len(h.pending))
		for id := range h.pending {
			ids = append(ids, id)
		}
		clear(h.pending)
		h.mu.Unlock()
		for _, id := range ids {
			if err := h.deliver(ctx, id); err != nil && ctx.Err() == nil {
				h.log.Warn("live delivery failed; retrying at the next catch-up", "meeting_id", id, "err", err)
			}
		}
	}
}

// deliver reads meetingID's events after the feed's last seq and hands
// them to its subscribers.
func (h *Hub) deliver(ctx context.Context, meetingID council.ID) error {
	for {
		h.mu.Lock()
		f, ok := h.feeds[meetingID]
		var last int64
		if ok {
			last = f.last
		}
		h.mu.Unlock()
		if !ok {
			return nil
		}
		const batch = 500
		evs, err := store{h.pool}.events(ctx, meetingID, last, batch)
		if err != nil || len(evs) == 0 {
			return err
		}
		h.mu.Lock()
		if f.last == last { // the only writer is this goroutine; guard anyway
			f.last = evs[len(evs)-1].Seq
		}
		subs := make([]*Subscription, 0, len(f.subs))
		for s := range f.subs {
			subs = append(subs, s)
		}
		h.mu.Unlock()
		reopened := false
		for _, e := range evs {
			var p PartPayload
			if e.Kind == EvPartChanged && json.Unmarshal(e.Payload, &p) == nil && p.Part == PartPublic {
				reopened = true
			}
		}
		hasPublic := false
		for _, s := range subs {
			hasPublic = hasPublic || s.audience() == AudiencePublic
		}
		var public *Snapshot
		if reopened && hasPublic {
			// The public saw nothing of the non-public part: give it a fresh state.
			snap, err := h.Snapshot(ctx, meetingID, Actor{})
			if err != nil {
				return err
			}
			public = &snap
		}
		for _, s := range subs {
			s.push(evs, public)
		}
		if len(evs) < batch {
			return nil
		}
	}
}

// Subscribe returns a subscription to meeting meetingID for actor a. The
// first message is a snapshot, or — when since > 0 and the log still
// holds every event after since within Options.MaxReplay — the missing
// events. Events follow in seq order, filtered by a's audience. A
// subscriber that falls Options.Buffer messages behind gets a resync
// marker and its channel is closed; the hub never waits for it.
// Errors: ErrNotFound for an unknown meeting; ErrUnavailable when the hub
// has stopped.
func (h *Hub) Subscribe(ctx context.Context, meetingID council.ID, a Actor, since int64) (*Subscription, error) {
	current, exists, err := store{h.pool}.lastSeq(ctx, meetingID)
	if err != nil {
		return nil, fmt.Errorf("subscribe %s: %w", meetingID, err)
	}
	if !exists {
		return nil, fmt.Errorf("subscribe %s: %w", meetingID, council.ErrNotFound)
	}
	ch := make(chan Message, h.opts.Buffer+1) // one slot kept for the resync marker
	s := &Subscription{C: ch, ch: ch, hub: h, meeting: meetingID, actor: a}
	h.mu.Lock()
	if h.stopped {
		h.mu.Unlock()
		return nil, fmt.Errorf("subscribe %s: %w: hub stopped", meetingID, council.ErrUnavailable)
	}
	f, ok := h.feeds[meetingID]
	if !ok {
		f = &feed{last: current, subs: map[*Subscription]struct{}{}}
		h.feeds[meetingID] = f
	}
	f.subs[s] = struct{}{}
	h.mu.Unlock()

	first, last, aud, err := h.initial(ctx, meetingID, a, since)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("subscribe %s: %w", meetingID, err)
	}
	s.start(first, last, aud)
	h.poke(meetingID)
	return s, nil
}

// initial returns the first messages of a subscription, the seq they
// reach and the subscriber's audience, read in one consistent transaction.
func (h *Hub) initial(ctx context.Context, meetingID council.ID, a Actor, since int64) ([]Message, int64, Audience, error) {
	var out []Message
	var last int64
	var aud Audience
	err := pgx.BeginTxFunc(ctx, h.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		snap, err := snapshot(ctx, tx, meetingID, a, h.opts.Profiles, h.now())
		if err != nil {
			return err
		}
		aud, last = snap.Audience, snap.Seq
		if since > 0 && since <= snap.Seq && snap.Seq-since <= int64(h.opts.MaxReplay) {
			evs, err := store{tx}.events(ctx, meetingID, since, h.opts.MaxReplay)
			if err != nil {
				return err
			}
			if int64(len(evs)) == snap.Seq-since { // no gap
				for _, e := range evs {
					if m, ok := e.message(aud); ok {
						out = append(out, m)
					}
				}
				return nil
			}
		}
		out = []Message{{V: ProtocolVersion, Type: TypeSnapshot, Seq: snap.Seq, Snapshot: &snap}}
		return nil
	})
	return out, last, aud, err
}

func (h *Hub) unsubscribe(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if f, ok := h.feeds[s.meeting]; ok {
		delete(f.subs, s)
		if len(f.subs) == 0 {
			delete(h.feeds, s.meeting)
			delete(h.pending, s.meeting)
		}
	}
}

// Subscription is one subscriber's stream of messages. C is closed when
// the subscription ends: after Close, when the hub stops, or after a
// resync marker when the subscriber fell behind.
type Subscription struct {
	C <-chan Message

	ch      chan Message
	hub     *Hub
	meeting council.ID
	actor   Actor

	mu      sync.Mutex
	aud     Audience
	ready   bool
	last    int64
	pending []storedEvent
	public  *Snapshot
	closed  bool
}

func (s *Subscription) audience() Audience {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ready {
		return AudiencePublic // not known yet: assume the cheapest to get wrong
	}
	return s.aud
}

// Close ends the subscription. It is safe to call more than once.
func (s *Subscription) Close() {
	s.hub.unsubscribe(s)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.ch)
	}
}

// start sends the first messages and whatever arrived meanwhile.
func (s *Subscription) start(first []Message, last int64, aud Audience) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.aud, s.last, s.ready = aud, last, true
	for _, m := range first {
		if !s.send(m) {
			return
		}
	}
	pending, public := s.pending, s.public
	s.pending, s.public = nil, nil
	s.pushLocked(pending, public)
}

// push hands events (in seq order) to the subscriber; public is a fresh
// public snapshot to send public subscribers after them, or nil.
func (s *Subscription) push(evs []storedEvent, public *Snapshot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if !s.ready {
		if len(s.pending)+len(evs) > cap(s.ch) {
			s.endLocked(true)
			return
		}
		s.pending = append(s.pending, evs...)
		if public != nil {
			s.public = public
		}
		return
	}
	s.pushLocked(evs, public)
}

func (s *Subscription) pushLocked(evs []storedEvent, public *Snapshot) {
	for _, e := range evs {
		if e.Seq <= s.last {
			continue
		}
		s.last = e.Seq
		if m, ok := e.message(s.aud); ok && !s.send(m) {
			return
		}
	}
	if public != nil && s.aud == AudiencePublic && public.Seq > 0 {
		if public.Seq > s.last {
			s.last = public.Seq
		}
		s.send(Message{V: ProtocolVersion, Type: TypeSnapshot, Seq: public.Seq, Snapshot: public})
	}
}

// send queues m without blocking; a full buffer ends the subscription
// with a resync marker. The caller holds s.mu.
func (s *Subscription) send(m Message) bool {
	if len(s.ch) >= cap(s.ch)-1 {
		s.endLocked(true)
		return false
	}
	s.ch <- m
	return true
}

// end closes the subscription, with a resync marker when resync is set.
func (s *Subscription) end(resync bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endLocked(resync)
}

func (s *Subscription) endLocked(resync bool) {
	if s.closed {
		return
	}
	s.closed = true
	if resync {
		s.ch <- Message{V: ProtocolVersion, Type: TypeResync, Seq: s.last} // the reserved slot
	}
	close(s.ch)
	s.hub.unsubscribe(s) // lock order: s.mu, then h.mu; the hub never holds h.mu while taking s.mu
}

// parseNotification splits a notification payload "<meeting id>:<seq>".
func parseNotification(p string) (council.ID, int64, error) {
	id, seq, ok := strings.Cut(p, ":")
	if !ok {
		return council.NilID, 0, errors.New("no seq")
	}
	mid, err := council.ParseID(id)
	if err != nil {
		return council.NilID, 0, err
	}
	n, err := strconv.ParseInt(seq, 10, 64)
	return mid, n, err
}
