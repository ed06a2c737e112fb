package live_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/live"
)

func TestCommandReachesSubscribers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	pub := e.subscribe(t, e.hub, live.Actor{}, 0)
	if m := next(t, pub); m.Type != live.TypeSnapshot || m.Snapshot.State != "invited" || m.Seq != 0 {
		t.Fatalf("first message before the start = %+v, want an invited snapshot at seq 0", m)
	}
	seq := e.start(t, 0)
	if got, want := kinds(t, pub, 3), []string{"session_started", "item_changed", "quorum"}; !slices.Equal(got, want) {
		t.Errorf("public after start: %v, want %v", got, want)
	}
	if seq != 3 {
		t.Errorf("start returned seq %d, want 3", seq)
	}
	e.do(t, e.clerk, live.CheckIn{Person: e.members[1].PersonID})
	m, _ := until(t, pub, live.EvAttendance)
	if a := decode[live.AttendeeView](t, m); a.PersonID != e.members[1].PersonID || a.Mode != "room" || m.Seq != 4 {
		t.Errorf("attendance event seq %d %+v, want member 1 in the room at seq 4", m.Seq, a)
	}
	snap, err := e.hub.Snapshot(e.ctx, e.meeting.ID, e.members[2])
	if err != nil {
		t.Fatal(err)
	}
	if snap.State != "running" || snap.Role != live.RoleMember || snap.Seq != 5 || len(snap.Roster) != 6 || snap.Quorum.Present != 1 ||
		snap.Item == nil || snap.Item.Title != "Haushalt 2027" {
		t.Errorf("member snapshot = %+v", snap)
	}
	chair, _ := e.hub.Snapshot(e.ctx, e.meeting.ID, e.members[0])
	if chair.Role != live.RoleChair || chair.Audience != live.AudienceStaff {
		t.Errorf("the Vorsitzende's snapshot role %s audience %s, want chair/staff", chair.Role, chair.Audience)
	}
}

func TestAudiences(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	e.start(t, 0)
	pub, mem, staff := e.subscribe(t, e.hub, live.Actor{}, 0), e.subscribe(t, e.hub, e.members[3], 0), e.subscribe(t, e.hub, e.clerk, 0)
	for _, s := range []*live.Subscription{pub, mem, staff} {
		next(t, s) // snapshot
	}
	e.do(t, live.SystemActor(), live.JoinRemote{Person: e.members[2].PersonID})
	e.do(t, e.members[2], live.Complain{Text: "Ton fällt aus"})
	if _, seen := until(t, staff, live.EvComplaint); len(seen) != 2 {
		t.Errorf("staff saw %d messages before the complaint, want 2 (attendance, quorum)", len(seen))
	}
	// A public event after the complaint marks where the others must be.
	e.do(t, e.clerk, live.NextItem{}) // to the non-public item, in the public part
	for name, s := range map[string]*live.Subscription{"public": pub, "member": mem} {
		m, seen := until(t, s, live.EvItemChanged)
		for _, x := range seen {
			if x.Kind == live.EvComplaint {
				t.Errorf("%s received a staff-only complaint", name)
			}
		}
		it := decode[live.ItemView](t, m)
		if name == "public" && (it.Title != "agenda.nonpublic_title" || containsSecret(t, append(seen, m)...)) {
			t.Errorf("public sees the non-public item as %+v", it)
		}
		if name == "member" && it.Title != secretTitle {
			t.Errorf("member sees the non-public item as %+v", it)
		}
	}
	if snap, _ := e.hub.Snapshot(e.ctx, e.meeting.ID, live.Actor{}); containsSecret(t, live.Message{Snapshot: &snap}) || snap.Speakers != nil {
		t.Errorf("public snapshot on a non-public item shows its title or speakers: %+v", snap)
	}

	// The non-public part: the public sees the part switch and nothing else.
	e.do(t, e.clerk, live.SetPart{Part: live.PartNonPublic})
	e.do(t, e.clerk, live.CheckIn{Person: e.members[4].PersonID})
	e.do(t, e.members[2], live.RaiseHand{})
	e.do(t, e.members[2], live.ConfirmNonPublic{})
	m, _ := until(t, pub, live.EvPartChanged)
	if p := decode[live.PartPayload](t, m); p.Part != live.PartNonPublic {
		t.Errorf("public part event %+v", p)
	}
	_, seen := until(t, staff, live.EvNonPublicConfirm)
	if got := len(seen); got < 5 {
		t.Errorf("staff saw only %d events in the non-public part", got)
	}
	quiet(t, pub, 200*time.Millisecond)
	if snap, _ := e.hub.Snapshot(e.ctx, e.meeting.ID, live.Actor{}); snap.Part != live.PartNonPublic || snap.Item != nil ||
		snap.Roster != nil || snap.Quorum != nil || containsSecret(t, live.Message{Snapshot: &snap}) {
		t.Errorf("public snapshot in the non-public part = %+v", snap)
	}
	staffSnap, _ := e.hub.Snapshot(e.ctx, e.meeting.ID, e.clerk)
	if len(staffSnap.Confirmed) != 1 || len(staffSnap.Complaints) != 1 || staffSnap.Item.Title != secretTitle {
		t.Errorf("staff snapshot confirmations %v complaints %v item %+v", staffSnap.Confirmed, staffSnap.Complaints, staffSnap.Item)
	}

	// Back to public: the public gets the switch and a fresh snapshot.
	e.do(t, e.clerk, live.NextItem{})
	e.do(t, e.clerk, live.SetPart{Part: live.PartPublic})
	until(t, pub, live.EvPartChanged)
	var snap live.Message
	for snap.Type != live.TypeSnapshot {
		snap = next(t, pub)
		if containsSecret(t, snap) {
			t.Errorf("public received %+v", snap)
		}
	}
	if snap.Snapshot.Part != live.PartPublic || snap.Snapshot.Item.Title != "Radwege" || snap.Snapshot.Quorum.Present != 2 {
		t.Errorf("public snapshot after the non-public part = %+v", snap.Snapshot)
	}
}

func quorumOf(t *testing.T, s *live.Subscription) live.QuorumView {
	t.Helper()
	m, _ := until(t, s, live.EvQuorum)
	return decode[live.QuorumView](t, m)
}

func TestQuorumRecomputed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	s := e.running(t, 0, e.clerk)
	type q struct {
		present, conflicted int
		quorate             bool
	}
	steps := []struct {
		name string
		a    live.Actor
		c    live.Command
		want q
	}{
		{"check in 0", e.clerk, live.CheckIn{Person: e.members[0].PersonID}, q{1, 0, false}},
		{"non-voting joins", live.SystemActor(), live.JoinRemote{Person: e.members[5].PersonID}, q{1, 0, false}},
		{"check in 1", e.clerk, live.CheckIn{Person: e.members[1].PersonID}, q{2, 0, false}},
		{"2 joins remotely", live.SystemActor(), live.JoinRemote{Person: e.members[2].PersonID}, q{3, 0, true}},
		{"1 declares a conflict", e.members[1], live.DeclareConflict{}, q{3, 1, false}},
		{"3 joins remotely", live.SystemActor(), live.JoinRemote{Person: e.members[3].PersonID}, q{4, 1, true}},
		{"next item clears the conflict", e.clerk, live.NextItem{}, q{4, 0, true}},
		{"3 leaves", live.SystemActor(), live.LeaveRemote{Person: e.members[3].PersonID}, q{3, 0, true}},
		{"check out 0", e.clerk, live.CheckOut{Person: e.members[0].PersonID}, q{2, 0, false}},
	}
	for _, st := range steps {
		e.do(t, st.a, st.c)
		v := quorumOf(t, s)
		if got := (q{v.Present, v.Conflicted, v.Quorate}); got != st.want || v.Seats != 5 || v.Needed != 3 {
			t.Errorf("%s: quorum %+v, want %+v of 5 seats, 3 needed", st.name, v, st.want)
		}
	}
	e.do(t, e.members[0], live.FindQuorum{})
	m, _ := until(t, s, live.EvQuorumFound)
	if v := decode[live.QuorumView](t, m); v.Quorate || v.Present != 2 {
		t.Errorf("finding %+v, want not quorate with 2 present", v)
	}
	var n int
	if err := e.pool.QueryRow(e.ctx, `SELECT count(*) FROM live_attendance WHERE meeting_id = $1`, e.meeting.ID).Scan(&n); err != nil || n != 7 {
		t.Errorf("attendance log has %d rows (%v), want 7", n, err)
	}
}

func TestSpeakers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	s := e.running(t, 2, e.clerk) // K = 2
	names := func(vs []live.SpeakerView) []council.ID {
		out := []council.ID{}
		for _, v := range vs {
			out = append(out, v.PersonID)
		}
		return out
	}
	view := func() live.SpeakersView {
		m, _ := until(t, s, live.EvSpeakers)
		return decode[live.SpeakersView](t, m)
	}
	p := func(i int) council.ID { return e.members[i].PersonID }
	e.do(t, e.members[1], live.RaiseHand{})
	view()
	e.do(t, e.clerk, live.RaiseHand{Person: p(2)}) // from the room
	view()
	_, err := e.hub.Do(e.ctx, e.meeting.ID, e.members[1], live.RaiseHand{})
	wantErr(t, "second open request", err, council.ErrConflict)
	e.do(t, e.members[3], live.RaiseHand{PointOfOrder: true})
	if v := view(); !cmp.Equal(names(v.Queue), []council.ID{p(3), p(1), p(2)}) {
		t.Errorf("queue %v, want point of order (3), then 1, 2", names(v.Queue))
	}
	for range 2 {
		e.do(t, e.members[0], live.GrantFloor{Limit: 3 * time.Minute})
		view()
	}
	_, err = e.hub.Do(e.ctx, e.meeting.ID, e.members[0], live.GrantFloor{})
	wantErr(t, "grant beyond K", err, council.ErrConflict)
	_, err = e.hub.Do(e.ctx, e.meeting.ID, e.members[0], live.EndFloor{})
	wantErr(t, "end floor without naming one of two", err, council.ErrInvalid)
	v, _ := e.hub.Snapshot(e.ctx, e.meeting.ID, e.clerk)
	if !cmp.Equal(names(v.Speakers.Floor), []council.ID{p(3), p(1)}) || v.Speakers.Floor[0].Seconds != 180 {
		t.Fatalf("floor %+v, want 3 then 1 with 180 s", v.Speakers.Floor)
	}
	e.do(t, e.members[0], live.EndFloor{Request: v.Speakers.Floor[1].ID}) // 1 is done
	view()
	// 1 asks again: a second contribution, after 4's later first one.
	e.do(t, e.members[1], live.RaiseHand{})
	view()
	e.do(t, e.members[4], live.RaiseHand{})
	if v := view(); !cmp.Equal(names(v.Queue), []council.ID{p(2), p(4), p(1)}) || v.Queue[2].Kind != "second" {
		t.Errorf("queue %+v, want 2, 4, then 1 (second)", v.Queue)
	}
	e.do(t, e.members[2], live.WithdrawHand{})
	if v := view(); !cmp.Equal(names(v.Queue), []council.ID{p(4), p(1)}) {
		t.Errorf("queue after 2 withdrew %v", names(v.Queue))
	}
	_, err = e.hub.Do(e.ctx, e.meeting.ID, e.members[4], live.GrantFloor{})
	wantErr(t, "member grants the floor", err, council.ErrForbidden)
}

func TestBadCommands(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	_, err := e.hub.Do(e.ctx, e.meeting.ID, e.clerk, live.NextItem{})
	wantErr(t, "command before the start", err, council.ErrConflict)
	_, err = e.hub.Do(e.ctx, e.meeting.ID, e.members[2], live.Start{})
	wantErr(t, "member starts", err, council.ErrForbidden)
	e.start(t, 0)
	count := func() (n int) {
		if err := e.pool.QueryRow(e.ctx, `SELECT count(*) FROM live_events WHERE meeting_id = $1`, e.meeting.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	for _, tc := range []struct {
		name    string
		meeting council.ID
		a       live.Actor
		c       live.Command
		want    error
	}{
		{"start twice", e.meeting.ID, e.clerk, live.Start{}, council.ErrConflict},
		{"member moves the agenda", e.meeting.ID, e.members[2], live.NextItem{}, council.ErrForbidden},
		{"public raises a hand", e.meeting.ID, live.Actor{}, live.RaiseHand{}, council.ErrForbidden},
		{"member checks in another", e.meeting.ID, e.members[2], live.CheckIn{Person: e.members[3].PersonID}, council.ErrForbidden},
		{"member speaks for another", e.meeting.ID, e.members[2], live.RaiseHand{Person: e.members[3].PersonID}, council.ErrForbidden},
		{"clerk finds the quorum", e.meeting.ID, e.clerk, live.FindQuorum{}, council.ErrForbidden},
		{"unknown member", e.meeting.ID, e.clerk, live.CheckIn{Person: council.NewID()}, council.ErrInvalid},
		{"clerk without a member", e.meeting.ID, e.clerk, live.CheckIn{}, council.ErrInvalid},
		{"unknown command", e.meeting.ID, e.clerk, dropTables{}, council.ErrInvalid},
		{"a known name on foreign arguments", e.meeting.ID, e.clerk, fakeNext{}, council.ErrInvalid},
		{"no command", e.meeting.ID, e.clerk, nil, council.ErrInvalid},
		{"unknown meeting", council.NewID(), e.clerk, live.NextItem{}, council.ErrNotFound},
		{"check out an absent member", e.meeting.ID, e.clerk, live.CheckOut{Person: e.members[1].PersonID}, council.ErrConflict},
		{"previous before the first item", e.meeting.ID, e.clerk, live.PreviousItem{}, council.ErrConflict},
		{"grant with nobody waiting", e.meeting.ID, e.members[0], live.GrantFloor{}, council.ErrConflict},
		{"confirm in the public part", e.meeting.ID, e.members[2], live.ConfirmNonPublic{}, council.ErrConflict},
		{"bad part", e.meeting.ID, e.clerk, live.SetPart{Part: "secret"}, council.ErrInvalid},
	} {
		_, err := e.hub.Do(e.ctx, tc.meeting, tc.a, tc.c)
		wantErr(t, tc.name, err, tc.want)
	}
	if after := count(); after != before {
		t.Errorf("bad commands wrote %d events", after-before)
	}
	e.do(t, e.members[1], live.DeclareConflict{})
	_, err = e.hub.Do(e.ctx, e.meeting.ID, e.members[1], live.DeclareConflict{})
	wantErr(t, "conflict declared twice", err, council.ErrConflict)
	e.do(t, e.members[0], live.Close{})
	_, err = e.hub.Do(e.ctx, e.meeting.ID, e.clerk, live.CheckIn{Person: e.members[1].PersonID})
	wantErr(t, "command after close", err, council.ErrConflict)
	if snap, _ := e.hub.Snapshot(e.ctx, e.meeting.ID, live.Actor{}); snap.State != "closed" {
		t.Errorf("state after close %q", snap.State)
	}
}

// TestTwoHubs: a command through hub A reaches a subscriber of hub B, a
// second process on the same database, through LISTEN/NOTIFY alone.
func TestTwoHubs(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{CatchUp: time.Hour})
	b := runHub(t, openPool(t, e.url), live.Options{CatchUp: time.Hour})
	sb := e.subscribe(t, b, e.members[4], 0)
	next(t, sb)
	start := time.Now()
	e.start(t, 0)
	e.do(t, live.SystemActor(), live.JoinRemote{Person: e.members[4].PersonID})
	m, _ := until(t, sb, live.EvAttendance)
	if a := decode[live.AttendeeView](t, m); a.PersonID != e.members[4].PersonID || a.Mode != "remote" {
		t.Errorf("hub B delivered %+v", a)
	}
	t.Logf("delivered across hubs in %v", time.Since(start))
}

// TestRestart: a new hub on the same database resumes subscribers from the
// log — replaying what they missed, or a snapshot when too much is missing.
func TestRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	e.start(t, 0)
	e.do(t, e.clerk, live.CheckIn{Person: e.members[1].PersonID})
	ctx, cancel := context.WithCancel(context.Background())
	first := live.NewHub(openPool(t, e.url), live.Options{})
	done := make(chan error, 1)
	go func() { done <- first.Run(ctx) }()
	s, err := first.Subscribe(e.ctx, e.meeting.ID, e.members[2], 0)
	if err != nil {
		t.Fatal(err)
	}
	last := next(t, s).Seq
	cancel() // the process "stops"
	<-done
	var end live.Message
	for m := range s.C {
		end = m
	}
	if end.Type != live.TypeResync {
		t.Errorf("last message of a stopped hub %+v, want resync", end)
	}
	// Meanwhile, another node goes on.
	e.do(t, live.SystemActor(), live.JoinRemote{Person: e.members[2].PersonID})
	e.do(t, e.members[2], live.RaiseHand{})

	second := runHub(t, openPool(t, e.url), live.Options{MaxReplay: 3})
	r := e.subscribe(t, second, e.members[2], last)
	if got, want := kinds(t, r, 3), []string{"attendance", "quorum", "speakers"}; !slices.Equal(got, want) {
		t.Errorf("resume from %d: %v, want %v", last, got, want)
	}
	old := e.subscribe(t, second, e.members[2], 1) // 6 behind, more than MaxReplay
	m := next(t, old)
	if m.Type != live.TypeSnapshot || m.Snapshot.Quorum.Present != 2 || len(m.Snapshot.Speakers.Queue) != 1 || m.Seq != last+3 {
		t.Errorf("resume from 1 got %+v, want a snapshot with 2 present, 1 waiting, seq %d", m, last+3)
	}
	future := e.subscribe(t, second, e.members[2], 1000)
	if m := next(t, future); m.Type != live.TypeSnapshot {
		t.Errorf("resume from the future got %s, want a snapshot", m.Type)
	}
}

// dropTables is a command the hub does not know; fakeNext claims a known
// name with arguments of its own.
type (
	dropTables struct{}
	fakeNext   struct{}
)

func (dropTables) Name() live.CommandName { return "drop_tables" }
func (fakeNext) Name() live.CommandName   { return live.CmdNextItem }

func TestConcurrentCommandsGetGapFreeSeqs(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{Buffer: 1024})
	start := e.start(t, 0)
	s := e.subscribe(t, e.hub, e.clerk, start)
	const rounds = 6
	var wg sync.WaitGroup
	errs := make(chan error, 5*rounds*2)
	for i := range 5 {
		wg.Go(func() {
			for range rounds {
				p := e.members[i].PersonID
				for _, c := range []live.Command{live.JoinRemote{Person: p}, live.LeaveRemote{Person: p}} {
					if _, err := e.hub.Do(e.ctx, e.meeting.ID, live.SystemActor(), c); err != nil {
						errs <- err
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent command: %v", err)
	}
	want := start + 5*rounds*2*2 // attendance + quorum per command
	var seqs []int64
	for int64(len(seqs)) < want-start {
		seqs = append(seqs, next(t, s).Seq)
	}
	for i, q := range seqs {
		if q != start+int64(i)+1 {
			t.Fatalf("delivered seq %d at %d, want %d (gap-free, in order)", q, i, start+int64(i)+1)
		}
	}
	var n, maxSeq int64
	if err := e.pool.QueryRow(e.ctx, `SELECT count(*), max(seq) FROM live_events WHERE meeting_id = $1`, e.meeting.ID).Scan(&n, &maxSeq); err != nil {
		t.Fatal(err)
	}
	if n != want || maxSeq != want {
		t.Errorf("log has %d events up to %d, want %d", n, maxSeq, want)
	}
}

func TestSlowSubscriberIsDropped(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{Buffer: 8})
	e.start(t, 0)
	slow := e.subscribe(t, e.hub, e.clerk, 0)
	fast := e.subscribe(t, e.hub, e.clerk, 0)
	next(t, fast)
	for range 6 {
		e.do(t, e.clerk, live.CheckIn{Person: e.members[1].PersonID})
		until(t, fast, live.EvQuorum)
		e.do(t, e.clerk, live.CheckOut{Person: e.members[1].PersonID})
		until(t, fast, live.EvQuorum)
	}
	var got []live.Message
	for m := range slow.C {
		got = append(got, m)
	}
	if len(got) == 0 || got[len(got)-1].Type != live.TypeResync || len(got) > 9 {
		t.Errorf("slow subscriber got %d messages ending with %+v, want at most 9 ending in resync", len(got), got[len(got)-1])
	}
}

// TestListenerReconnects: when the listening connection dies, the hub
// reconnects and catches up on what it missed, without the periodic catch-up.
func TestListenerReconnects(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{CatchUp: time.Hour})
	s := e.running(t, 0, e.clerk)
	var n int
	if err := e.pool.QueryRow(e.ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query ILIKE 'LISTEN%'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("terminated %d listeners (%v), want 1", n, err)
	}
	e.do(t, e.clerk, live.CheckIn{Person: e.members[1].PersonID})
	m, _ := until(t, s, live.EvAttendance)
	if a := decode[live.AttendeeView](t, m); a.PersonID != e.members[1].PersonID {
		t.Errorf("after reconnect: %+v", a)
	}
}

// TestEventsEncodedOnce: subscribers of one audience get an event's JSON
// encoded once (the same bytes), and it decodes to the event.
func TestEventsEncodedOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	e.start(t, 0)
	a, b := e.subscribe(t, e.hub, live.Actor{}, 0), e.subscribe(t, e.hub, live.Actor{}, 0)
	next(t, a)
	next(t, b)
	e.do(t, e.clerk, live.CheckIn{Person: e.members[1].PersonID})
	ma, mb := first(t, a, live.EvAttendance), first(t, b, live.EvAttendance)
	ja, err := ma.JSON()
	if err != nil {
		t.Fatal(err)
	}
	jb, _ := mb.JSON()
	if len(ja) == 0 || &ja[0] != &jb[0] {
		t.Fatal("two public subscribers got separately encoded copies of one event")
	}
	var back live.Message
	var got, want map[string]any
	if err := json.Unmarshal(ja, &back); err != nil || back.Seq != ma.Seq || back.Kind != live.EvAttendance ||
		json.Unmarshal(back.Data, &got) != nil || json.Unmarshal(ma.Data, &want) != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("encoded %s, want the event seq %d", ja, ma.Seq)
	}
}

// TestCheckInMany: the clerk's roll call checks in several members with
// one command: an attendance event each, the quorum once; members in the
// room already stay; a bad list records nothing.
func TestCheckInMany(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	s := e.running(t, 1, e.clerk)
	e.do(t, e.clerk, live.CheckIn{Person: e.members[1].PersonID})
	until(t, s, live.EvQuorum)
	bad := []struct {
		name string
		a    live.Actor
		c    live.CheckInMany
		kind error
	}{
		{"no one", e.clerk, live.CheckInMany{}, council.ErrInvalid},
		{"twice", e.clerk, live.CheckInMany{Persons: []council.ID{e.members[2].PersonID, e.members[2].PersonID}}, council.ErrInvalid},
		{"not on the roster", e.clerk, live.CheckInMany{Persons: []council.ID{e.members[2].PersonID, council.NewID()}}, council.ErrInvalid},
		{"a member", e.members[3], live.CheckInMany{Persons: []council.ID{e.members[2].PersonID}}, council.ErrForbidden},
		{"all in the room already", e.clerk, live.CheckInMany{Persons: []council.ID{e.members[1].PersonID}}, council.ErrConflict},
	}
	for _, tc := range bad {
		_, err := e.hub.Do(e.ctx, e.meeting.ID, tc.a, tc.c)
		wantErr(t, tc.name, err, tc.kind)
	}
	quiet(t, s, 200*time.Millisecond) // nothing recorded, nothing announced
	roll := []council.ID{e.members[1].PersonID, e.members[2].PersonID, e.members[3].PersonID, e.members[5].PersonID}
	e.do(t, e.clerk, live.CheckInMany{Persons: roll})
	if got := kinds(t, s, 4); !slices.Equal(got, []string{"attendance", "attendance", "attendance", "quorum"}) {
		t.Fatalf("events %v, want three attendances (the one in the room already stays) and one quorum", got)
	}
	snap, err := e.hub.Snapshot(e.ctx, e.meeting.ID, e.clerk)
	if err != nil {
		t.Fatal(err)
	}
	inRoom := 0
	for _, a := range snap.Roster {
		if a.Mode == "room" {
			inRoom++
		}
	}
	if inRoom != 4 || snap.Quorum.Present != 3 {
		t.Errorf("after the roll: %d in the room, quorum counts %d present with a vote; want 4 and 3", inRoom, snap.Quorum.Present)
	}
}

// TestMoveRequest: the chair reorders the speakers' list; the order holds
// for everyone, later requests follow it, points of order stay first; bad
// moves change nothing.
func TestMoveRequest(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	e.start(t, 1)
	for _, i := range []int{1, 2, 3} {
		e.do(t, e.clerk, live.CheckIn{Person: e.members[i].PersonID})
		e.do(t, e.members[i], live.RaiseHand{})
	}
	e.do(t, e.clerk, live.CheckIn{Person: e.members[4].PersonID})
	e.do(t, e.members[4], live.RaiseHand{PointOfOrder: true})
	queue := func(a live.Actor) []council.ID {
		t.Helper()
		snap, err := e.hub.Snapshot(e.ctx, e.meeting.ID, a)
		if err != nil {
			t.Fatal(err)
		}
		var out []council.ID
		for _, s := range snap.Speakers.Queue {
			out = append(out, s.PersonID)
		}
		return out
	}
	requestOf := func(person council.ID) council.ID {
		t.Helper()
		snap, err := e.hub.Snapshot(e.ctx, e.meeting.ID, e.clerk)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range snap.Speakers.Queue {
			if s.PersonID == person {
				return s.ID
			}
		}
		t.Fatalf("%s not on the list", person)
		return council.NilID
	}
	m := func(i int) council.ID { return e.members[i].PersonID }
	if got, want := queue(e.clerk), []council.ID{m(4), m(1), m(2), m(3)}; !slices.Equal(got, want) {
		t.Fatalf("list %v, want %v", got, want)
	}
	e.do(t, e.members[0], live.MoveRequest{Request: requestOf(m(3)), Position: 0}) // the chair
	want := []council.ID{m(4), m(3), m(1), m(2)}
	if got := queue(e.members[2]); !slices.Equal(got, want) {
		t.Fatalf("after the move, a member sees %v, want %v", got, want)
	}
	for _, tc := range []struct {
		name string
		a    live.Actor
		c    live.MoveRequest
		kind error
	}{
		{"a member", e.members[1], live.MoveRequest{Request: requestOf(m(1)), Position: 0}, council.ErrForbidden},
		{"a point of order", e.clerk, live.MoveRequest{Request: requestOf(m(4)), Position: 2}, council.ErrConflict},
		{"an unknown request", e.clerk, live.MoveRequest{Request: council.NewID(), Position: 0}, council.ErrConflict},
		{"no request", e.clerk, live.MoveRequest{Position: 0}, council.ErrInvalid},
		{"a negative place", e.clerk, live.MoveRequest{Request: requestOf(m(1)), Position: -1}, council.ErrInvalid},
	} {
		_, err := e.hub.Do(e.ctx, e.meeting.ID, tc.a, tc.c)
		wantErr(t, tc.name, err, tc.kind)
	}
	if got := queue(e.clerk); !slices.Equal(got, want) {
		t.Fatalf("bad moves changed the list to %v", got)
	}
	// A later request follows the chair's order; granting takes the head.
	e.do(t, e.members[5], live.RaiseHand{}) // no vote, may still speak
	if got, want := queue(e.clerk), []council.ID{m(4), m(3), m(1), m(2), m(5)}; !slices.Equal(got, want) {
		t.Fatalf("with a later request %v, want %v", got, want)
	}
	e.do(t, e.clerk, live.GrantFloor{Request: requestOf(m(4))})
	e.do(t, e.clerk, live.EndFloor{})
	e.do(t, e.clerk, live.GrantFloor{})
	snap, err := e.hub.Snapshot(e.ctx, e.meeting.ID, e.clerk)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Speakers.Floor) != 1 || snap.Speakers.Floor[0].PersonID != m(3) {
		t.Fatalf("the head of the chair's list did not get the floor: %+v", snap.Speakers.Floor)
	}
}
