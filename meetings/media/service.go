package media

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/sfu"
)

// Deps are what a Service works with. SFU, Live and Pool are required.
type Deps struct {
	SFU  *sfu.SFU
	Live *live.Hub // running
	// Pool is the database: Run listens there for revoked media tokens.
	Pool *pgxpool.Pool
	// Tokens reports revoked media tokens (meetings.Store).
	Tokens RevokedTokens
	// Presence turns members' media connections into remote attendance;
	// nil: media does not change attendance.
	Presence *live.Presence
	// ICE are the STUN/TURN servers the browsers use to reach the SFU.
	ICE ICE
	// Limits are the ICE requests' per-address limit and the admission
	// budgets of new viewers; zero values take the defaults.
	Limits Limits
	// TokenCheck is how often each driver checks its peers' media tokens;
	// 0: DefaultTokenCheck.
	TokenCheck time.Duration
	// Recordings stores the segments of recorded sessions; nil: nothing
	// is recorded.
	Recordings Recordings
	Log        *slog.Logger // default: discard
	Now        func() time.Time
}

// RevokedTokens reports which media tokens are revoked or gone
// (meetings.Store.RevokedMediaTokens).
type RevokedTokens interface {
	RevokedMediaTokens(ctx context.Context, ids []council.ID) ([]council.ID, error)
}

// DefaultTokenCheck is how often a driver checks that the media tokens of
// its meeting's WHIP/WHEP peers are still valid. The node that revokes a
// token ends the peers it holds at once (Service.Revoked); the other
// nodes end theirs when the revocation's notification arrives
// (Service.Run), and at the latest within DefaultTokenCheck, when their
// driver sees it in the database (a lost notification).
const DefaultTokenCheck = 3 * time.Second

// Service is the live media of this process: the SFU rooms of the live
// sessions, their drivers, the members' and viewers' peers of the live
// websockets (Conn), the WHIP/WHEP resources and the ICE settings.
//
// It is the future home of the "one media node per meeting" lease
// (docs/ARCHITECTURE.md, "Live media"): a driver will run only while its
// Service holds the meeting's lease.
type Service struct {
	sfu        *sfu.SFU
	live       *live.Hub
	pool       *pgxpool.Pool
	presence   *live.Presence
	tokens     RevokedTokens
	recordings Recordings
	saving     sync.WaitGroup // segments being stored
	iceConf    ICE
	tokenCheck time.Duration
	log        *slog.Logger
	now        func() time.Time
	// actor subscribes the drivers as the system, which sees the floor
	// in the non-public part too.
	actor live.Actor

	ctx       context.Context // the drivers'; Close ends it
	cancel    context.CancelFunc
	drivers   sync.WaitGroup
	listening chan struct{}
	listened  sync.Once

	mu        sync.Mutex
	closed    bool
	rooms     map[council.ID]*driver
	owners    map[string]*Conn     // meeting/person → the connection whose member peer is the member's presence
	resources map[string]*resource // WHIP/WHEP resource id → peer
	ice       *addrLimiter         // ICE requests per client address
	admission *admission           // new viewers: WHEP players and viewer peers
}

// New returns a Service on d. Run it for revocations from other nodes;
// Close it after the HTTP server, before the SFU.
func New(d Deps) *Service {
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := d.Now
	if now == nil {
		now = time.Now
	}
	check := d.TokenCheck
	if check <= 0 {
		check = DefaultTokenCheck
	}
	lim := d.Limits.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	return &Service{sfu: d.SFU, live: d.Live, pool: d.Pool, presence: d.Presence, tokens: d.Tokens, recordings: d.Recordings, iceConf: d.ICE,
		tokenCheck: check, log: log, now: now, actor: live.SystemActor(), ctx: ctx, cancel: cancel,
		listening: make(chan struct{}),
		rooms:     map[council.ID]*driver{}, owners: map[string]*Conn{}, resources: map[string]*resource{},
		ice: newAddrLimiter(lim.ICE, lim.MaxAddrs), admission: newAdmission(lim.Viewers, lim.MaxAddrs)}
}

// Close ends every driver and closes the rooms they held (and so every
// peer), and waits for the drivers. A Service is not used after Close.
func (s *Service) Close() {
	s.mu.Lock()
	s.closed = true
	ids := make([]council.ID, 0, len(s.rooms))
	for id := range s.rooms {
		ids = append(ids, id)
	}
	s.rooms = map[council.ID]*driver{}
	s.mu.Unlock()
	s.cancel()
	for _, id := range ids {
		s.sfu.CloseRoom(id.String())
	}
	s.drivers.Wait()
	s.saving.Wait()
}

// Stats reports how many meetings' rooms this node drives and how many
// WHIP/WHEP peers it holds.
func (s *Service) Stats() (rooms, resources int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.rooms), len(s.resources)
}

// driver follows one meeting's session for its SFU room. users counts the
// peers that hold it; the last one to go stops it.
type driver struct {
	meeting council.ID
	users   int
	cancel  context.CancelFunc
	ready   chan struct{} // closed after the first state was applied (or the driver gave up)
	once    sync.Once
	// revoked are the media tokens revoked on this node while the driver
	// runs (guarded by Service.mu): a WHIP/WHEP peer still being set up
	// with one is refused.
	revoked map[council.ID]bool
}

func (d *driver) markReady() { d.once.Do(func() { close(d.ready) }) }

// driverReadyWait bounds the wait for a new driver's first state.
const driverReadyWait = 5 * time.Second

// acquire returns meeting's driver, starting it if need be, once it has
// applied the session's state to the room (so a new room never forwards
// anything the session's part does not allow). Release it with release.
// Errors: ErrUnavailable when the driver does not get ready in time or
// the Service is closed.
func (s *Service) acquire(ctx context.Context, meeting council.ID) (*driver, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, council.ErrUnavailable
	}
	d := s.rooms[meeting]
	if d == nil {
		dctx, cancel := context.WithCancel(s.ctx)
		d = &driver{meeting: meeting, cancel: cancel, ready: make(chan struct{}), revoked: map[council.ID]bool{}}
		s.rooms[meeting] = d
		s.drivers.Go(func() { s.drive(dctx, d) })
	}
	d.users++
	s.mu.Unlock()
	t := time.NewTimer(driverReadyWait)
	defer t.Stop()
	select {
	case <-d.ready:
		return d, nil
	case <-ctx.Done():
		s.release(d)
		return nil, ctx.Err()
	case <-t.C:
		s.release(d)
		return nil, council.ErrUnavailable
	}
}

// release gives d back. When its last user is gone the driver stops and
// the room is freed. (CloseRoom runs under s.mu, so a concurrent acquire
// either comes before, and keeps the room, or after, and gets a new one.
// Peer callbacks never take s.mu synchronously.)
func (s *Service) release(d *driver) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d.users--
	if d.users > 0 {
		return
	}
	d.cancel()
	if s.rooms[d.meeting] == d {
		delete(s.rooms, d.meeting)
		s.sfu.CloseRoom(d.meeting.String())
	}
}

// drive subscribes to the meeting's live session and applies its state to
// the room until ctx ends, the session closes or the hub stops. A resync
// (the driver fell behind, or a lost connection) subscribes again.
func (s *Service) drive(ctx context.Context, d *driver) {
	defer d.markReady()
	log := s.log.With("meeting_id", d.meeting)
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		sub, err := s.live.Subscribe(ctx, d.meeting, s.actor, 0)
		if err != nil {
			if errors.Is(err, council.ErrUnavailable) || errors.Is(err, council.ErrNotFound) || ctx.Err() != nil {
				return
			}
			log.Warn("media driver: subscribe", "err", err)
		} else {
			stop := s.follow(ctx, d, sub)
			sub.Close()
			if stop {
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// follow applies sub's messages to the room; it reports whether the
// driver is done (ctx ended or the session closed). live.MediaView folds
// the messages into what the room needs: the floor, the chair, whether
// viewers may receive, and in the non-public part which members are
// cleared (confirmed, or in the room) — the others get no media.
func (s *Service) follow(ctx context.Context, d *driver, sub *live.Subscription) bool {
	room := s.sfu.Room(d.meeting.String())
	var v live.MediaView
	check := time.NewTicker(s.tokenCheck)
	defer check.Stop()
	for {
		select {
		case <-ctx.Done():
			return true
		case <-check.C:
			s.checkTokens(ctx, d.meeting)
		case msg, ok := <-sub.C:
			if !ok || msg.Type == live.TypeResync {
				return false
			}
			if sessionClosed(msg) {
				s.closeSession(d)
				return true
			}
			// A snapshot is applied even when it changes nothing: the
			// first one readies the driver.
			if !v.Apply(msg) && msg.Type != live.TypeSnapshot {
				continue
			}
			applyMedia(room, &v)
			s.applyRecording(d.meeting, room, &v)
			d.markReady()
		}
	}
}

// applyMedia hands v to the room. The gates go first, so a switch to the
// non-public part stops viewers and uncleared members before anything else
// changes.
func applyMedia(room *sfu.Room, v *live.MediaView) {
	room.SetPublic(v.Public)
	room.SetRestricted(v.NonPublic, idStrings(v.Cleared))
	chair := ""
	if v.Chair != council.NilID {
		chair = v.Chair.String()
	}
	room.SetChair(chair)
	room.SetFloor(idStrings(v.Floor))
	guest, until := "", time.Time{}
	if v.Guest != council.NilID && v.Public {
		guest, until = GuestPeerID(v.Guest), v.GuestUntil
	}
	room.SetGuest(guest, until)
}

// GuestPeerID is the SFU peer id of the citizen who asked question q
// while they hold the floor: derived from the question, so the room can
// tell the current guest from an earlier one; never the person.
func GuestPeerID(q council.ID) string { return "q-" + q.String() }

func sessionClosed(msg live.Message) bool {
	switch msg.Type {
	case live.TypeEvent:
		return msg.Kind == live.EvSessionClosed
	case live.TypeSnapshot:
		return msg.Snapshot != nil && msg.Snapshot.State == "closed"
	}
	return false
}

// closeSession frees the room of a closed session: every peer is closed.
func (s *Service) closeSession(d *driver) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rooms[d.meeting] == d {
		delete(s.rooms, d.meeting)
	}
	s.sfu.CloseRoom(d.meeting.String())
	d.markReady()
}

func idStrings(ids []council.ID) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, id.String())
	}
	return out
}

// newSecret returns 32 random bytes, URL-safe base64: the ids of viewer
// peers and WHIP/WHEP resources are prefixes of one, not guessable.
func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}
