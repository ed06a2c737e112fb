package web

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/sfu"
)

// mediaHub wires the SFU (package meetings/sfu) to the live sessions of
// this process: one driver per meeting whose room is in use follows the
// hub's events and sets the room's floor, chair and public switch; it
// also remembers the WHIP/WHEP resources and which connection's member
// peer counts for a member's presence.
type mediaHub struct {
	sfu      *sfu.SFU
	live     *live.Hub
	presence *live.Presence // nil: media does not change attendance
	tokens   revokedTokens  // the media tokens store, for checkTokens
	// tokenCheck is how often each driver checks its peers' tokens
	// (mediaTokenCheck; tests change it).
	tokenCheck time.Duration
	log        *slog.Logger
	// actor subscribes the drivers as the system, which sees the floor
	// in the non-public part too.
	actor live.Actor

	mu        sync.Mutex
	drivers   map[council.ID]*mediaDriver
	owners    map[string]*liveConn      // meeting/person → the connection whose member peer is the member's presence
	resources map[string]*mediaResource // WHIP/WHEP resource id → peer
	ice       *addrLimiter              // GET …/live/ice per client address
	whep      *addrLimiter              // POST …/whep per client address
	viewers   *addrLimiter              // viewer peers joined on the live websocket per client address
}

// revokedTokens reports which media tokens are revoked
// (meetings.Store.RevokedMediaTokens).
type revokedTokens interface {
	RevokedMediaTokens(ctx context.Context, ids []council.ID) ([]council.ID, error)
}

func newMediaHub(s *sfu.SFU, h *live.Hub, p *live.Presence, tokens revokedTokens, log *slog.Logger) *mediaHub {
	return &mediaHub{sfu: s, live: h, presence: p, tokens: tokens, tokenCheck: mediaTokenCheck, log: log,
		actor:   live.SystemActor(),
		drivers: map[council.ID]*mediaDriver{}, owners: map[string]*liveConn{}, resources: map[string]*mediaResource{},
		ice: newAddrLimiter(iceRate, iceBurst, iceMaxAddrs), whep: newAddrLimiter(whepRate, whepBurst, iceMaxAddrs),
		viewers: newAddrLimiter(viewerRate, viewerBurst, iceMaxAddrs)}
}

// mediaDriver follows one meeting's session for its SFU room. users
// counts the peers that hold it; the last one to go stops it.
type mediaDriver struct {
	meeting council.ID
	users   int
	cancel  context.CancelFunc
	ready   chan struct{} // closed after the first state was applied (or the driver gave up)
	done    chan struct{}
	once    sync.Once
	// revoked are the media tokens revoked on this node while the driver
	// runs (guarded by mediaHub.mu): a WHIP/WHEP peer still being set up
	// with one is refused.
	revoked map[council.ID]bool
}

// mediaTokenCheck is how often a driver checks that the media tokens of
// its meeting's WHIP/WHEP peers are still valid. The node that revokes a
// token ends the peers it holds at once (dropToken); the other nodes end
// theirs when the revocation's notification arrives (Server.Watch), and
// at the latest within mediaTokenCheck, when their driver sees it in the
// database (a lost notification, a node without Watch).
const mediaTokenCheck = 3 * time.Second

func (d *mediaDriver) markReady() { d.once.Do(func() { close(d.ready) }) }

// driverReadyWait bounds the wait for a new driver's first state.
const driverReadyWait = 5 * time.Second

// acquire returns meeting's driver, starting it if need be, once it has
// applied the session's state to the room (so a new room never forwards
// anything the session's part does not allow). Release it with release.
func (m *mediaHub) acquire(ctx context.Context, meeting council.ID) (*mediaDriver, error) {
	m.mu.Lock()
	d := m.drivers[meeting]
	if d == nil {
		dctx, cancel := context.WithCancel(context.Background())
		d = &mediaDriver{meeting: meeting, cancel: cancel, ready: make(chan struct{}), done: make(chan struct{}),
			revoked: map[council.ID]bool{}}
		m.drivers[meeting] = d
		go m.drive(dctx, d)
	}
	d.users++
	m.mu.Unlock()
	t := time.NewTimer(driverReadyWait)
	defer t.Stop()
	select {
	case <-d.ready:
		return d, nil
	case <-ctx.Done():
		m.release(d)
		return nil, ctx.Err()
	case <-t.C:
		m.release(d)
		return nil, council.ErrUnavailable
	}
}

// release gives d back. When its last user is gone the driver stops and
// the room is freed. (CloseRoom runs under m.mu, so a concurrent acquire
// either comes before, and keeps the room, or after, and gets a new one.
// Peer callbacks never take m.mu synchronously.)
func (m *mediaHub) release(d *mediaDriver) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d.users--
	if d.users > 0 {
		return
	}
	d.cancel()
	if m.drivers[d.meeting] == d {
		delete(m.drivers, d.meeting)
		m.sfu.CloseRoom(d.meeting.String())
	}
}

// drive subscribes to the meeting's live session and applies its state to
// the room until ctx ends, the session closes or the hub stops. A resync
// (the driver fell behind, or a lost connection) subscribes again.
func (m *mediaHub) drive(ctx context.Context, d *mediaDriver) {
	defer close(d.done)
	defer d.markReady()
	log := m.log.With("meeting_id", d.meeting)
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		sub, err := m.live.Subscribe(ctx, d.meeting, m.actor, 0)
		if err != nil {
			if errors.Is(err, council.ErrUnavailable) || errors.Is(err, council.ErrNotFound) || ctx.Err() != nil {
				return
			}
			log.Warn("media driver: subscribe", "err", err)
		} else {
			stop := m.follow(ctx, d, sub)
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
func (m *mediaHub) follow(ctx context.Context, d *mediaDriver, sub *live.Subscription) bool {
	room := m.sfu.Room(d.meeting.String())
	var v live.MediaView
	check := time.NewTicker(m.tokenCheck)
	defer check.Stop()
	for {
		select {
		case <-ctx.Done():
			return true
		case <-check.C:
			m.checkTokens(ctx, d.meeting)
		case msg, ok := <-sub.C:
			if !ok || msg.Type == live.TypeResync {
				return false
			}
			if sessionClosed(msg) {
				m.closeSession(d)
				return true
			}
			// A snapshot is applied even when it changes nothing: the
			// first one readies the driver.
			if !v.Apply(msg) && msg.Type != live.TypeSnapshot {
				continue
			}
			applyMedia(room, &v)
			d.markReady()
		}
	}
}

// checkAllTokens runs checkTokens for every meeting of this node.
func (m *mediaHub) checkAllTokens(ctx context.Context) {
	m.mu.Lock()
	ids := make([]council.ID, 0, len(m.drivers))
	for id := range m.drivers {
		ids = append(ids, id)
	}
	m.mu.Unlock()
	for _, id := range ids {
		m.checkTokens(ctx, id)
	}
}

// checkTokens ends meeting's WHIP/WHEP peers whose media token was
// revoked (on any node) or deleted.
func (m *mediaHub) checkTokens(ctx context.Context, meeting council.ID) {
	m.mu.Lock()
	var ids []council.ID
	seen := map[council.ID]bool{}
	for _, res := range m.resources {
		if res.meeting == meeting && !seen[res.token] {
			seen[res.token] = true
			ids = append(ids, res.token)
		}
	}
	m.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	cctx, cancel := context.WithTimeout(ctx, mediaTokenCheck)
	defer cancel()
	revoked, err := m.tokens.RevokedMediaTokens(cctx, ids)
	if err != nil {
		if ctx.Err() == nil {
			m.log.Warn("media token check", "meeting_id", meeting, "err", err)
		}
		return
	}
	for _, id := range revoked {
		m.dropToken(meeting, id)
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
}

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
func (m *mediaHub) closeSession(d *mediaDriver) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.drivers[d.meeting] == d {
		delete(m.drivers, d.meeting)
	}
	m.sfu.CloseRoom(d.meeting.String())
	d.markReady()
}

func idStrings(ids []council.ID) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, id.String())
	}
	return out
}

// Presence: a member's media connection is their remote attendance. A
// member who joins again (another tab, a reload) replaces the earlier
// peer; only the newest connection reports for the member, so the old
// peer's late "closed" does not end the new one's attendance.

func ownerKey(meeting, person council.ID) string { return meeting.String() + "/" + person.String() }

func (m *mediaHub) memberConnected(ctx context.Context, lc *liveConn, person council.ID) {
	m.mu.Lock()
	m.owners[ownerKey(lc.meeting, person)] = lc
	m.mu.Unlock()
	if m.presence != nil {
		m.presence.Connected(ctx, lc.meeting, person)
	}
}

func (m *mediaHub) memberDisconnected(lc *liveConn, person council.ID) {
	k := ownerKey(lc.meeting, person)
	m.mu.Lock()
	mine := m.owners[k] == lc
	if mine {
		delete(m.owners, k)
	}
	m.mu.Unlock()
	if mine && m.presence != nil {
		m.presence.Disconnected(lc.meeting, person)
	}
}
