package live_test

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/live"
)

// fakeClock hands out grace timers that fire only when the test says so.
type fakeClock struct {
	mu     sync.Mutex
	timers []*fakeTimer
}

type fakeTimer struct {
	mu      sync.Mutex
	f       func()
	stopped bool
}

func (t *fakeTimer) Stop() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	was := !t.stopped
	t.stopped = true
	return was
}

func (t *fakeTimer) isStopped() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stopped
}

// fire runs the timer's function as the runtime would — even after Stop,
// the race a real timer has when it fires while being stopped.
func (t *fakeTimer) fire() { t.f() }

func (c *fakeClock) after(_ time.Duration, f func()) live.Stopper {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{f: f}
	c.timers = append(c.timers, t)
	return t
}

func (c *fakeClock) last(t *testing.T) *fakeTimer {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		t.Fatal("no grace timer started")
	}
	return c.timers[len(c.timers)-1]
}

func newPresence(t *testing.T, h *live.Hub, grace time.Duration, clock *fakeClock) *live.Presence {
	t.Helper()
	p := live.NewPresence(h, grace, nil)
	if clock != nil {
		live.SetPresenceClock(p, clock.after)
	}
	t.Cleanup(p.Close)
	return p
}

// attendanceOf reads until the attendance event of person and returns it.
func attendanceOf(t *testing.T, s *live.Subscription, person council.ID) (live.AttendeeView, []live.Message) {
	t.Helper()
	var seen []live.Message
	for {
		m, before := until(t, s, live.EvAttendance)
		seen = append(seen, before...)
		if a := decode[live.AttendeeView](t, m); a.PersonID == person {
			return a, seen
		}
		seen = append(seen, m)
	}
}

// marker gives a public command and reads s up to its event, returning
// what came before: anything Presence should not have caused shows here.
func (e *env) marker(t *testing.T, s *live.Subscription, who live.Actor) []live.Message {
	t.Helper()
	e.do(t, who, live.RaiseHand{})
	_, seen := until(t, s, live.EvSpeakers)
	e.do(t, who, live.WithdrawHand{})
	until(t, s, live.EvSpeakers)
	return seen
}

func attendanceEvents(t *testing.T, msgs []live.Message) []live.AttendeeView {
	t.Helper()
	var out []live.AttendeeView
	for _, m := range msgs {
		if m.Type == live.TypeEvent && m.Kind == live.EvAttendance {
			out = append(out, decode[live.AttendeeView](t, m))
		}
	}
	return out
}

func TestPresenceJoinsAndLeavesAfterGrace(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	s := e.running(t, 0, live.Actor{})
	p := newPresence(t, e.hub, 5*time.Millisecond, nil) // real timers, a tiny grace
	m2 := e.members[2].PersonID

	p.Connected(e.ctx, e.meeting.ID, m2)
	if a, _ := attendanceOf(t, s, m2); a.Mode != "remote" || !a.Connected {
		t.Errorf("after Connected: %+v, want remote and connected", a)
	}
	if q := quorumOf(t, s); q.Present != 1 {
		t.Errorf("quorum after Connected: %+v, want 1 present", q)
	}
	p.Connected(e.ctx, e.meeting.ID, m2) // idempotent: a second connection changes nothing
	p.Disconnected(e.meeting.ID, m2)
	a, seen := attendanceOf(t, s, m2) // waits for the leave after the grace period
	if a.Mode != "absent" || a.Connected {
		t.Errorf("after the grace period: %+v, want absent and not connected", a)
	}
	if len(attendanceEvents(t, seen)) != 0 {
		t.Errorf("attendance events between join and leave: %+v", attendanceEvents(t, seen))
	}
	var via []string
	rows, err := e.pool.Query(e.ctx, `SELECT mode || '/' || via FROM live_attendance WHERE meeting_id = $1 AND person_id = $2 ORDER BY id`, e.meeting.ID, m2)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		via = append(via, v)
	}
	rows.Close()
	if want := []string{"remote/system", "absent/system"}; !slices.Equal(via, want) {
		t.Errorf("attendance log %v, want %v", via, want)
	}
	if n := live.PresencePending(p); n != 0 {
		t.Errorf("%d grace periods still running after the leave", n)
	}
}

func TestPresenceReconnectWithinGraceKeepsAttendance(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	s := e.running(t, 0, e.clerk)
	clock := &fakeClock{}
	p := newPresence(t, e.hub, time.Hour, clock)
	m2 := e.members[2].PersonID

	p.Connected(e.ctx, e.meeting.ID, m2)
	attendanceOf(t, s, m2)
	p.Disconnected(e.meeting.ID, m2)
	drop := clock.last(t)
	if live.PresencePending(p) != 1 {
		t.Fatalf("pending grace periods %d, want 1", live.PresencePending(p))
	}
	p.Connected(e.ctx, e.meeting.ID, m2) // back within the grace period
	if !drop.isStopped() || live.PresencePending(p) != 0 {
		t.Errorf("reconnect did not cancel the grace period (stopped %t, pending %d)", drop.isStopped(), live.PresencePending(p))
	}
	drop.fire() // a timer that fired while being stopped must not leave either
	if got := attendanceEvents(t, e.marker(t, s, e.members[3])); len(got) != 0 {
		t.Errorf("reconnect within grace caused attendance events %+v", got)
	}
	snap, err := e.hub.Snapshot(e.ctx, e.meeting.ID, e.members[3])
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range snap.Roster {
		if a.PersonID == m2 && (a.Mode != "remote" || !a.Connected) {
			t.Errorf("roster after a reconnect: %+v, want remote and connected", a)
		}
	}
}

// A member checked in to the room who also connects stays "room"; the
// roster shows the connection.
func TestPresenceDoesNotOverrideRoom(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	s := e.running(t, 0, live.Actor{})
	clock := &fakeClock{}
	p := newPresence(t, e.hub, time.Hour, clock)
	m1 := e.members[1].PersonID
	e.do(t, e.clerk, live.CheckIn{Person: m1})
	attendanceOf(t, s, m1)

	p.Connected(e.ctx, e.meeting.ID, m1)
	if a, _ := attendanceOf(t, s, m1); a.Mode != "room" || !a.Connected {
		t.Errorf("a member in the room connects: %+v, want room and connected", a)
	}
	p.Disconnected(e.meeting.ID, m1)
	clock.last(t).fire()
	if a, _ := attendanceOf(t, s, m1); a.Mode != "room" || a.Connected {
		t.Errorf("their connection ends: %+v, want room, not connected", a)
	}
	// Checked out while connected: still present, remotely.
	p.Connected(e.ctx, e.meeting.ID, m1)
	attendanceOf(t, s, m1)
	e.do(t, e.clerk, live.CheckOut{Person: m1})
	if a, _ := attendanceOf(t, s, m1); a.Mode != "remote" || !a.Connected {
		t.Errorf("checked out while connected: %+v, want remote", a)
	}
	// A remote member who walks into the room is checked in.
	e.do(t, e.clerk, live.CheckIn{Person: m1})
	if a, _ := attendanceOf(t, s, m1); a.Mode != "room" {
		t.Errorf("remote member checked in: %+v, want room", a)
	}
}

// Two nodes: the member drops on node A and reconnects through node B; A's
// late leave (for the older connection) must not make them absent.
func TestPresenceTwoNodes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	e.start(t, 0)
	hubB := runHub(t, openPool(t, e.url), live.Options{})
	s := e.subscribe(t, e.hub, e.clerk, 0)
	next(t, s)
	clockA := &fakeClock{}
	a := newPresence(t, e.hub, time.Hour, clockA)
	b := newPresence(t, hubB, 5*time.Millisecond, nil)
	m4 := e.members[4].PersonID

	a.Connected(e.ctx, e.meeting.ID, m4)
	attendanceOf(t, s, m4)
	a.Disconnected(e.meeting.ID, m4)
	b.Connected(e.ctx, e.meeting.ID, m4)
	clockA.last(t).fire() // A's grace period ends after the reconnect on B
	if got := attendanceEvents(t, e.marker(t, s, e.members[3])); len(got) != 0 {
		t.Errorf("a stale leave from node A changed attendance: %+v", got)
	}
	b.Disconnected(e.meeting.ID, m4)
	if v, _ := attendanceOf(t, s, m4); v.Mode != "absent" {
		t.Errorf("after B's grace period: %+v, want absent", v)
	}
}

// Close stops every grace period: no leave is issued and no timer is left.
func TestPresenceCloseStopsTimers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	s := e.running(t, 0, e.clerk)
	clock := &fakeClock{}
	p := live.NewPresence(e.hub, time.Hour, nil)
	live.SetPresenceClock(p, clock.after)
	for _, m := range e.members[1:4] {
		p.Connected(e.ctx, e.meeting.ID, m.PersonID)
		attendanceOf(t, s, m.PersonID)
		p.Disconnected(e.meeting.ID, m.PersonID)
	}
	if n := live.PresencePending(p); n != 3 {
		t.Fatalf("pending %d, want 3", n)
	}
	p.Close()
	p.Close() // twice is fine
	if n := live.PresencePending(p); n != 0 {
		t.Errorf("pending after Close %d, want 0", n)
	}
	for i, tm := range clock.timers {
		if !tm.isStopped() {
			t.Errorf("timer %d not stopped by Close", i)
		}
		tm.fire() // and firing anyway does nothing
	}
	p.Connected(e.ctx, e.meeting.ID, e.members[4].PersonID) // ignored after Close
	p.Disconnected(e.meeting.ID, e.members[4].PersonID)
	if got := attendanceEvents(t, e.marker(t, s, e.members[0])); len(got) != 0 {
		t.Errorf("attendance changed after Close: %+v", got)
	}

	// Real timers: Close stops them before they fire.
	real := live.NewPresence(e.hub, time.Hour, nil)
	real.Disconnected(e.meeting.ID, e.members[1].PersonID)
	real.Close()
	if n := live.PresencePending(real); n != 0 {
		t.Errorf("real timers pending after Close: %d", n)
	}
}

func TestClientsCannotClaimRemotePresence(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	e.start(t, 0)
	for _, tc := range []struct {
		name string
		a    live.Actor
		c    live.Command
	}{
		{"member joins", e.members[2], live.JoinRemote{}},
		{"member leaves", e.members[2], live.LeaveRemote{}},
		{"clerk joins a member", e.clerk, live.JoinRemote{Person: e.members[2].PersonID}},
		{"chair joins", e.members[0], live.JoinRemote{}},
		{"public", live.Actor{}, live.JoinRemote{Person: e.members[2].PersonID}},
	} {
		_, err := e.hub.Do(e.ctx, e.meeting.ID, tc.a, tc.c)
		wantErr(t, tc.name, err, council.ErrForbidden)
		if err != nil && !strings.Contains(err.Error(), "audio/video connection") {
			t.Errorf("%s: error %q does not say why", tc.name, err)
		}
	}
	snap, _ := e.hub.Snapshot(e.ctx, e.meeting.ID, e.clerk)
	if snap.Quorum.Present != 0 {
		t.Errorf("present %d after refused joins, want 0", snap.Quorum.Present)
	}
}

// A node that stops with members connected (one of them in a grace
// period) leaves them recorded as connected. A new Presence recovers: each
// gets the grace period and leaves after it, unless they reconnect.
func TestPresenceRecoverAfterRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	e.start(t, 0)
	m2, m3, m4 := e.members[2].PersonID, e.members[3].PersonID, e.members[4].PersonID
	old := live.NewPresence(e.hub, time.Hour, nil)
	live.SetPresenceClock(old, (&fakeClock{}).after)
	for _, m := range []council.ID{m2, m3, m4} {
		old.Connected(e.ctx, e.meeting.ID, m)
	}
	old.Disconnected(e.meeting.ID, m4) // the node stops during m4's grace period
	old.Close()

	s := e.subscribe(t, e.hub, e.clerk, 0)
	next(t, s)
	clock := &fakeClock{}
	p := newPresence(t, e.hub, time.Hour, clock)
	n, err := p.Recover(e.ctx)
	if err != nil || n != 3 || live.PresencePending(p) != 3 {
		t.Fatalf("Recover = %d, %v; pending %d; want 3 grace periods", n, err, live.PresencePending(p))
	}
	p.Connected(e.ctx, e.meeting.ID, m3) // m3 reconnects within the grace period
	if live.PresencePending(p) != 2 {
		t.Errorf("pending after m3's reconnect: %d, want 2", live.PresencePending(p))
	}
	clock.mu.Lock()
	timers := slices.Clone(clock.timers)
	clock.mu.Unlock()
	for _, tm := range timers {
		tm.fire() // the grace periods end (m3's, stopped, must not leave); fire gives the leave before it returns
	}
	var gone []council.ID
	for len(gone) < 2 {
		m, _ := until(t, s, live.EvAttendance)
		if a := decode[live.AttendeeView](t, m); a.Mode == "absent" && !a.Connected {
			gone = append(gone, a.PersonID)
		}
	}
	if !slices.Contains(gone, m2) || !slices.Contains(gone, m4) {
		t.Errorf("left after the grace periods: %v, want members 2 and 4", gone)
	}
	snap, err := e.hub.Snapshot(e.ctx, e.meeting.ID, e.clerk)
	if err != nil {
		t.Fatal(err)
	}
	want := map[council.ID]string{m2: "absent", m3: "remote", m4: "absent"}
	for _, a := range snap.Roster {
		if w, ok := want[a.PersonID]; ok && (a.Mode != w || a.Connected != (w == "remote")) {
			t.Errorf("after recovery: %s is %s (connected %t), want %s", a.Name, a.Mode, a.Connected, w)
		}
	}
	// Nothing is left over: a second recovery finds nobody to wait for.
	if n, err := p.Recover(e.ctx); err != nil || n != 0 {
		t.Errorf("second Recover = %d, %v; want 0", n, err)
	}
}
