package media

import (
	"container/list"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// The ICE endpoint hands out TURN credentials to anyone while a session
// runs in public, so it is rate limited per client address: a token bucket
// per address (golang.org/x/time/rate; its Reservation gives the exact
// wait for Retry-After), kept in a map bounded by an LRU list so a flood
// of addresses cannot grow memory.

// Limit is a token bucket per client address: Rate requests per second
// sustained, Burst at once.
type Limit struct {
	Rate  rate.Limit
	Burst int
}

// Limits are the per-address limits of a Service. Zero values take the
// defaults.
type Limits struct {
	// ICE limits GET …/live/ice. A page fetches once per media join, so
	// the burst covers a household or a council chamber behind one NAT
	// joining at once, and reconnects. Default: one every 2 s, 20 at once.
	ICE Limit
	// WHEP limits new WHEP players: a player opens one per view, so a
	// small burst is plenty and a flood from one address cannot fill the
	// media server. Default: one every 5 s, 10 at once.
	WHEP Limit
	// Viewers limits viewer peers joined on the live websocket: a school
	// class or a town hall behind one address may open a few dozen at
	// once, beyond that one more every 2 s. Default: 0.5/s, 30 at once.
	Viewers Limit
	// MaxAddrs is how many addresses keep a bucket per limit; the least
	// recently used goes first. Default 10000.
	MaxAddrs int
}

func (l Limits) withDefaults() Limits {
	def := func(x *Limit, r rate.Limit, b int) {
		if x.Rate <= 0 || x.Burst <= 0 {
			*x = Limit{r, b}
		}
	}
	def(&l.ICE, 0.5, 20)
	def(&l.WHEP, 0.2, 10)
	def(&l.Viewers, 0.5, 30)
	if l.MaxAddrs <= 0 {
		l.MaxAddrs = 10000
	}
	return l
}

// addrLimiter is a token bucket per client address with LRU eviction.
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

// allow takes a token for addr at now; when there is none it returns false
// and how long until there is.
func (l *addrLimiter) allow(addr string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b *addrBucket
	if el, ok := l.byIP[addr]; ok {
		l.lru.MoveToFront(el)
		b = el.Value.(*addrBucket)
	} else {
		if l.lru.Len() >= l.max {
			old := l.lru.Back()
			l.lru.Remove(old)
			delete(l.byIP, old.Value.(*addrBucket).addr)
		}
		b = &addrBucket{addr: addr, lim: rate.NewLimiter(l.limit, l.burst)}
		l.byIP[addr] = l.lru.PushFront(b)
	}
	r := b.lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Minute
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now) // a refused request costs no token
		return false, d
	}
	return true, 0
}

// size is how many addresses have a bucket (tests).
func (l *addrLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lru.Len()
}

// AllowICE takes a request to the ICE endpoint for client address addr;
// when the address has used up its requests it returns false and how long
// until the next one is allowed.
func (s *Service) AllowICE(addr string) (bool, time.Duration) { return s.ice.allow(addr, s.now()) }

// AllowWHEP is AllowICE for a new WHEP player.
func (s *Service) AllowWHEP(addr string) (bool, time.Duration) { return s.whep.allow(addr, s.now()) }
