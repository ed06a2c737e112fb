package web

import (
	"container/list"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// The ICE endpoint hands out TURN credentials to anyone while a session
// runs in public, so it is rate limited per client address: a token bucket
// per address (golang.org/x/time/rate, already a dependency of the module;
// its Reservation gives the exact wait for Retry-After), kept in a map
// bounded by an LRU list so a flood of addresses cannot grow memory.
// A page fetches once per media join, so the burst covers a household or
// a council chamber behind one NAT joining at once, and reconnects.
const (
	iceRate     rate.Limit = 0.5 // sustained: one request every 2 s per address
	iceBurst               = 20
	iceMaxAddrs            = 10000 // buckets kept; the least recently used goes first
)

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

func newAddrLimiter(limit rate.Limit, burst, maxAddrs int) *addrLimiter {
	return &addrLimiter{limit: limit, burst: burst, max: max(maxAddrs, 1), byIP: map[string]*list.Element{}, lru: list.New()}
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

// WHEP hands any visitor a peer connection on the SFU while a session runs
// in public; a player opens one per view, so a small burst per address is
// plenty and a flood from one address cannot fill the media server.
const (
	whepRate  rate.Limit = 0.2 // sustained: one new player every 5 s per address
	whepBurst            = 10
)

// Viewer peers on the public live page: a school class or a town hall
// behind one address may open a few dozen at once; beyond that one more
// every 2 s, so one address cannot fill the SFU with peers.
const (
	viewerRate  rate.Limit = 0.5
	viewerBurst            = 30
)

// limitWHEP is limitICE for POST …/whep.
func (s *Server) limitWHEP(w http.ResponseWriter, r *http.Request) bool {
	ok, wait := s.mediaHub.whep.allow(s.clientAddr(r), s.opt.Now())
	if ok {
		return true
	}
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
	http.Error(w, "too many WHEP sessions from this address; try again later", http.StatusTooManyRequests)
	return false
}

// limitICE answers 429 with Retry-After (whole seconds, at least 1) when
// the client address has used up its requests to the ICE endpoint; it
// reports whether the request may go on.
func (s *Server) limitICE(w http.ResponseWriter, r *http.Request) bool {
	ok, wait := s.mediaHub.ice.allow(s.clientAddr(r), s.opt.Now())
	if ok {
		return true
	}
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, "too many requests for ICE servers; try again later", http.StatusTooManyRequests)
	return false
}
