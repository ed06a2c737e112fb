package media

import (
	"container/list"
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/plenar/plenar/council"
)

// Limits of the media endpoints, all token buckets
// (golang.org/x/time/rate; a Reservation gives the exact wait for
// Retry-After), kept in maps bounded by an LRU list so a flood of
// addresses or meetings cannot grow memory.
//
// The ICE endpoint hands out TURN credentials to anyone while a session
// runs in public, so it is limited per client address.
//
// New viewers — WHEP players and viewer peers on the live websocket alike —
// are admitted against budgets that scale with the node's viewer capacity:
// a global one (all meetings of this node), one per meeting, and, as a
// guard against one address monopolising a meeting, one per client
// address that is a fraction of the meeting's. A school class, a library
// or a restreaming server behind one NAT gets in; a flood from one address
// stops at the address guard, a flood from many at the global budget.

// Limit is a token bucket: Rate requests per second sustained, Burst at
// once.
type Limit struct {
	Rate  rate.Limit
	Burst int
}

// Limits are the limits of a Service. Zero values take the defaults.
type Limits struct {
	// ICE limits GET …/live/ice per client address. A page fetches once
	// per media join (a viewer too, for its TURN credentials), so an
	// address may fetch as often as it may admit viewers: default the
	// viewers' address budget (Admission.Address: 62 at once at the
	// default capacity, two school classes behind one NAT), at least one
	// every 2 s and 20 at once (a household, a council chamber, reconnects).
	ICE Limit
	// Viewers is the admission of new viewers (WHEP players and viewer
	// peers on the live websocket).
	Viewers Admission
	// MaxAddrs is how many addresses keep a bucket per limit; the least
	// recently used goes first. Default 10000.
	MaxAddrs int
}

// Admission are the budgets new viewers are admitted against; a viewer
// needs a token from each of the three. Zero values take the defaults,
// which derive from Capacity.
type Admission struct {
	// Capacity is how many viewers this node is sized to serve at once
	// (plenar serve: PLENAR_MEDIA_VIEWERS). Default 500.
	Capacity int
	// Global is this node's budget over all meetings. Default:
	// Capacity/2 at once, then Capacity/20 a second (a full node within
	// about 20 s).
	Global Limit
	// Meeting is each meeting's budget, so a wave (or a flood) on one
	// meeting leaves room for the others. Default: Capacity/4 at once
	// (125: a few school classes), then Capacity/40 a second.
	Meeting Limit
	// Address is each client address's budget (over all meetings): at
	// most a part of a meeting's, so one address cannot take a meeting's
	// whole budget. Default: half of Meeting's burst (62: two school
	// classes behind one NAT at once) and a quarter of its rate.
	Address Limit
	// MaxMeetings is how many meetings keep a bucket; the least recently
	// used goes first. Default 1000.
	MaxMeetings int
}

func (l Limits) withDefaults() Limits {
	if l.MaxAddrs <= 0 {
		l.MaxAddrs = 10000
	}
	l.Viewers = l.Viewers.withDefaults()
	if l.ICE.Rate <= 0 || l.ICE.Burst <= 0 {
		a := l.Viewers.Address
		l.ICE = Limit{max(0.5, a.Rate), max(20, a.Burst)}
	}
	return l
}

func (a Admission) withDefaults() Admission {
	if a.Capacity <= 0 {
		a.Capacity = 500
	}
	c := float64(a.Capacity)
	def := func(x *Limit, r float64, b int) {
		if x.Rate <= 0 || x.Burst <= 0 {
			*x = Limit{rate.Limit(r), max(1, b)}
		}
	}
	def(&a.Global, c/20, a.Capacity/2)
	def(&a.Meeting, c/40, a.Capacity/4)
	def(&a.Address, float64(a.Meeting.Rate)/4, a.Meeting.Burst/2)
	if a.MaxMeetings <= 0 {
		a.MaxMeetings = 1000
	}
	return a
}

// addrLimiter is a token bucket per key (a client address, a meeting)
// with LRU eviction.
type addrLimiter struct {
	limit rate.Limit
	burst int
	max   int

	mu   sync.Mutex
	byIP map[string]*list.Element // → *addrBucket
	lru  *list.List               // front: most recently used
}

type addrBucket struct {
	addr string
	lim  *rate.Limiter
}

func newAddrLimiter(l Limit, maxAddrs int) *addrLimiter {
	return &addrLimiter{limit: l.Rate, burst: l.Burst, max: max(maxAddrs, 1), byIP: map[string]*list.Element{}, lru: list.New()}
}

// bucket returns addr's bucket, creating it (and evicting the least
// recently used) if need be.
func (l *addrLimiter) bucket(addr string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, ok := l.byIP[addr]; ok {
		l.lru.MoveToFront(el)
		return el.Value.(*addrBucket).lim
	}
	if l.lru.Len() >= l.max {
		old := l.lru.Back()
		l.lru.Remove(old)
		delete(l.byIP, old.Value.(*addrBucket).addr)
	}
	b := &addrBucket{addr: addr, lim: rate.NewLimiter(l.limit, l.burst)}
	l.byIP[addr] = l.lru.PushFront(b)
	return b.lim
}

// allow takes a token for addr at now; when there is none it returns false
// and how long until there is.
func (l *addrLimiter) allow(addr string, now time.Time) (bool, time.Duration) {
	return take(now, l.bucket(addr))
}

// take takes one token from every limiter at now, or none: when one of
// them has no token, the reservations are cancelled (a refused request
// costs nothing) and take returns false and the longest wait.
func take(now time.Time, lims ...*rate.Limiter) (bool, time.Duration) {
	var wait time.Duration
	rs := make([]*rate.Reservation, 0, len(lims))
	for _, lim := range lims {
		r := lim.ReserveN(now, 1)
		if !r.OK() {
			wait = max(wait, time.Minute)
			continue
		}
		rs = append(rs, r)
		wait = max(wait, r.DelayFrom(now))
	}
	if wait == 0 {
		return true, 0
	}
	for i := len(rs) - 1; i >= 0; i-- {
		rs[i].CancelAt(now)
	}
	return false, wait
}

// size is how many keys have a bucket (tests).
func (l *addrLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lru.Len()
}

// admission admits new viewers against the global, the meeting's and the
// address's budget.
type admission struct {
	mu       sync.Mutex // one admission at a time: all three tokens or none
	global   *rate.Limiter
	meetings *addrLimiter
	addrs    *addrLimiter
}

func newAdmission(a Admission, maxAddrs int) *admission {
	return &admission{global: rate.NewLimiter(a.Global.Rate, a.Global.Burst),
		meetings: newAddrLimiter(a.Meeting, a.MaxMeetings), addrs: newAddrLimiter(a.Address, maxAddrs)}
}

// admit takes a viewer of meeting from addr at now. When a budget is used
// up it returns a *RefusedError naming the tightest one, with the exact
// wait until all three have room again.
func (a *admission) admit(meeting council.ID, addr string, now time.Time) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	address, meet := a.addrs.bucket(addr), a.meetings.bucket(meeting.String())
	ok, wait := take(now, address, meet, a.global)
	if ok {
		return nil
	}
	// Name the budget that refused: the address's first, it is the one a
	// client can do something about.
	scope := ScopeNode
	switch {
	case address.TokensAt(now) < 1:
		scope = ScopeAddress
	case meet.TokensAt(now) < 1:
		scope = ScopeMeeting
	}
	return &RefusedError{Scope: scope, Wait: wait}
}

// Admission scopes: which budget refused a viewer.
const (
	ScopeAddress = "address" // the client address's share
	ScopeMeeting = "meeting" // the meeting's budget
	ScopeNode    = "node"    // this node's budget over all meetings
)

// RefusedError is a new viewer refused by admission (Limits.Viewers).
// It wraps council.ErrUnavailable.
type RefusedError struct {
	// Scope is the budget that refused it: ScopeAddress, ScopeMeeting or
	// ScopeNode.
	Scope string
	// Wait is how long until the viewer would be admitted (for
	// Retry-After).
	Wait time.Duration
}

// Error says which budget refused the viewer and when to try again.
func (e *RefusedError) Error() string {
	what := map[string]string{ScopeAddress: "from this address", ScopeMeeting: "joining this meeting",
		ScopeNode: "joining this server"}[e.Scope]
	return fmt.Sprintf("%v: too many viewers %s; try again in %d s", council.ErrUnavailable, what, e.RetryAfter())
}

// Unwrap returns council.ErrUnavailable.
func (e *RefusedError) Unwrap() error { return council.ErrUnavailable }

// RetryAfter is Wait in whole seconds, at least 1.
func (e *RefusedError) RetryAfter() int { return max(1, int(math.Ceil(e.Wait.Seconds()))) }

// AllowICE takes a request to the ICE endpoint for client address addr;
// when the address has used up its requests it returns false and how long
// until the next one is allowed.
func (s *Service) AllowICE(addr string) (bool, time.Duration) { return s.ice.allow(addr, s.now()) }

// AdmitViewer takes a new viewer (a WHEP player or a viewer peer) of
// meeting from client address addr against the node's, the meeting's and
// the address's budget (Limits.Viewers). Errors: a *RefusedError when one
// is used up.
func (s *Service) AdmitViewer(meeting council.ID, addr string) error {
	return s.admission.admit(meeting, addr, s.now())
}
