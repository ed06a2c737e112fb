package media

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
)

// The limiter refills at its rate, refuses without spending, and keeps at
// most max addresses (the least recently used goes first).
func TestAddrLimiter(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	l := newAddrLimiter(Limit{Rate: 0.5, Burst: 2}, 3)
	for i := range 2 {
		if ok, _ := l.allow("a", t0); !ok {
			t.Fatalf("burst request %d refused", i+1)
		}
	}
	ok, wait := l.allow("a", t0)
	if ok || wait != 2*time.Second {
		t.Errorf("past the burst: %t, wait %v; want refused, 2s", ok, wait)
	}
	if ok, wait := l.allow("a", t0.Add(time.Second)); ok || wait != time.Second {
		t.Errorf("after 1 s: %t, wait %v; want refused, 1s (a refusal spends nothing)", ok, wait)
	}
	if ok, _ := l.allow("a", t0.Add(2*time.Second)); !ok {
		t.Error("after 2 s: refused, want one token refilled")
	}
	for _, addr := range []string{"b", "c", "d"} {
		l.allow(addr, t0)
	}
	if n := l.size(); n != 3 {
		t.Errorf("%d buckets, want at most 3", n)
	}
	// "a" was the least recently used and was evicted: it starts afresh.
	if ok, _ := l.allow("a", t0.Add(2*time.Second)); !ok {
		t.Error("an evicted address starts with a full bucket")
	}
}

// TestLimitsDefaults: zero limits take the documented defaults, which
// scale with the viewer capacity; set ones are kept, and the address's
// share follows the meeting's budget.
func TestLimitsDefaults(t *testing.T) {
	t.Parallel()
	got := Limits{ICE: Limit{Rate: 0.001, Burst: 2}}.withDefaults()
	want := Limits{ICE: Limit{0.001, 2}, MaxAddrs: 10000, Viewers: Admission{Capacity: 500,
		Global: Limit{25, 250}, Meeting: Limit{12.5, 125}, Address: Limit{3.125, 62}, MaxMeetings: 1000}}
	if got != want {
		t.Errorf("withDefaults = %+v, want %+v", got, want)
	}
	got = Limits{Viewers: Admission{Capacity: 2000, Meeting: Limit{Rate: 10, Burst: 40}}}.withDefaults()
	want.ICE = Limit{2.5, 20} // follows the viewers' address budget
	want.Viewers = Admission{Capacity: 2000, Global: Limit{100, 1000}, Meeting: Limit{10, 40}, Address: Limit{2.5, 20}, MaxMeetings: 1000}
	if got != want {
		t.Errorf("withDefaults = %+v, want %+v", got, want)
	}
	// By default an address may fetch ICE servers as often as it may
	// admit viewers: a school class behind one NAT gets its TURN
	// credentials too.
	if got := (Limits{}).withDefaults().ICE; got != (Limit{3.125, 62}) {
		t.Errorf("default ICE limit %+v, want the viewers' address budget {3.125 62}", got)
	}
}

// join is one step of an admission test: n viewers of meeting m (an
// index) join at offset at, from addr(i) for the i-th of them; admitted
// of them must get in, and the first refusal must name scope and wait
// exactly wait.
type join struct {
	m        int
	addr     func(i int) string
	n        int
	at, step time.Duration // the i-th joins at at + i·step
	admitted int
	scope    string
	wait     time.Duration
}

func oneAddr(a string) func(int) string { return func(int) string { return a } }
func manyAddrs(prefix string) func(int) string {
	return func(i int) string { return fmt.Sprintf("%s.%d.%d", prefix, i/250, i%250) }
}

// TestAdmission: viewers are admitted against the node's, the meeting's
// and the address's budget, all taken or none, with the exact wait of the
// tightest one.
func TestAdmission(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		adm   Admission
		steps []join
	}{{
		// A school class, a library or a restreaming server behind one
		// NAT: 60 viewers from one address within a few seconds.
		name: "60 viewers from one address",
		steps: []join{
			{m: 0, addr: oneAddr("198.51.100.7"), n: 60, step: 50 * time.Millisecond, admitted: 60},
		},
	}, {
		name: "60 viewers from one address at once",
		steps: []join{
			{m: 0, addr: oneAddr("198.51.100.7"), n: 60, admitted: 60},
		},
	}, {
		// A flood from one address stops at its share: 62 at once, then
		// one every 320 ms (a quarter of the meeting's 12.5/s).
		name: "a flood from one address is bounded",
		steps: []join{
			{m: 0, addr: oneAddr("198.51.100.7"), n: 5000, admitted: 62, scope: ScopeAddress, wait: 320 * time.Millisecond},
			{m: 0, addr: oneAddr("198.51.100.7"), n: 5000, at: time.Second, admitted: 3, scope: ScopeAddress, wait: 280 * time.Millisecond},
		},
	}, {
		// One address takes its share; the meeting's budget has room for
		// the others.
		name: "one address cannot exhaust a meeting's budget",
		steps: []join{
			{m: 0, addr: oneAddr("198.51.100.7"), n: 1000, admitted: 62, scope: ScopeAddress, wait: 320 * time.Millisecond},
			{m: 0, addr: manyAddrs("203.0.113"), n: 63, admitted: 63},
			{m: 0, addr: manyAddrs("192.0.2"), n: 10, admitted: 0, scope: ScopeMeeting, wait: 80 * time.Millisecond},
		},
	}, {
		// The meeting's budget bounds a flood from many addresses; the
		// other meeting's budget is its own.
		name: "per-meeting budgets are independent",
		steps: []join{
			{m: 0, addr: manyAddrs("203.0.113"), n: 1000, admitted: 125, scope: ScopeMeeting, wait: 80 * time.Millisecond},
			{m: 1, addr: manyAddrs("192.0.2"), n: 125, admitted: 125},
			{m: 0, addr: manyAddrs("198.51.100"), n: 1, admitted: 0, scope: ScopeMeeting, wait: 80 * time.Millisecond},
			{m: 0, addr: manyAddrs("198.51.100"), n: 100, at: time.Second, admitted: 12, scope: ScopeMeeting, wait: 40 * time.Millisecond},
		},
	}, {
		// A flood from many addresses over many meetings stops at the
		// node's budget: 250 at once, then 25 a second.
		name: "many addresses beyond the node's budget",
		steps: []join{
			{m: 0, addr: manyAddrs("203.0.113"), n: 100, admitted: 100},
			{m: 1, addr: manyAddrs("192.0.2"), n: 100, admitted: 100},
			{m: 2, addr: manyAddrs("198.51.100"), n: 100, admitted: 50, scope: ScopeNode, wait: 40 * time.Millisecond},
			{m: 3, addr: manyAddrs("100.64.0"), n: 100, at: 2 * time.Second, admitted: 50, scope: ScopeNode, wait: 40 * time.Millisecond},
		},
	}, {
		// A small node: the budgets scale down with its capacity.
		name: "a small capacity",
		adm:  Admission{Capacity: 40},
		steps: []join{
			{m: 0, addr: oneAddr("198.51.100.7"), n: 10, admitted: 5, scope: ScopeAddress, wait: 4 * time.Second},
			{m: 0, addr: manyAddrs("203.0.113"), n: 10, admitted: 5, scope: ScopeMeeting, wait: time.Second},
			{m: 1, addr: manyAddrs("192.0.2"), n: 5, admitted: 5},
			{m: 2, addr: manyAddrs("100.64.0"), n: 20, admitted: 5, scope: ScopeNode, wait: 500 * time.Millisecond},
		},
	}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
			a := newAdmission(c.adm.withDefaults(), 100000)
			meetings := []council.ID{council.NewID(), council.NewID(), council.NewID(), council.NewID()}
			for si, s := range c.steps {
				admitted := 0
				var first *RefusedError
				for i := range s.n {
					err := a.admit(meetings[s.m], s.addr(i), t0.Add(s.at+time.Duration(i)*s.step))
					var r *RefusedError
					switch {
					case err == nil:
						admitted++
					case !errors.As(err, &r) || !errors.Is(err, council.ErrUnavailable):
						t.Fatalf("step %d: %v, want a *RefusedError wrapping ErrUnavailable", si+1, err)
					case first == nil:
						first = r
					}
				}
				if admitted != s.admitted {
					t.Errorf("step %d: %d of %d admitted, want %d", si+1, admitted, s.n, s.admitted)
				}
				switch {
				case s.scope == "" && first != nil:
					t.Errorf("step %d: refused %+v, want none", si+1, first)
				case s.scope != "" && (first == nil || first.Scope != s.scope || first.Wait != s.wait):
					t.Errorf("step %d: first refusal %+v, want %s, wait %v", si+1, first, s.scope, s.wait)
				}
			}
		})
	}
}

// TestRefusedError: the message names the budget and a whole-second
// Retry-After of at least 1.
func TestRefusedError(t *testing.T) {
	t.Parallel()
	e := &RefusedError{Scope: ScopeAddress, Wait: 320 * time.Millisecond}
	if got, want := e.Error(), "unavailable: too many viewers from this address; try again in 1 s"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if n := (&RefusedError{Scope: ScopeNode, Wait: 2100 * time.Millisecond}).RetryAfter(); n != 3 {
		t.Errorf("RetryAfter of 2.1 s = %d, want 3", n)
	}
}
