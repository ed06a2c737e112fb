package live_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/live"
)

func TestComplaintResolution(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	e.start(t, 0)
	m2 := e.members[2]
	e.do(t, live.SystemActor(), live.JoinRemote{Person: m2.PersonID})
	pub, mem, staff := e.subscribe(t, e.hub, live.Actor{}, 0), e.subscribe(t, e.hub, e.members[3], 0), e.subscribe(t, e.hub, e.clerk, 0)
	for _, s := range []*live.Subscription{pub, mem, staff} {
		next(t, s)
	}
	e.do(t, m2, live.Complain{Text: "Bild eingefroren"})
	raised := decode[live.ComplaintView](t, first(t, staff, live.EvComplaint))
	snap, _ := e.hub.Snapshot(e.ctx, e.meeting.ID, e.members[0])
	if len(snap.Complaints) != 1 || snap.Complaints[0].ID != raised.ID {
		t.Fatalf("chair snapshot complaints %+v, want the open one", snap.Complaints)
	}

	for _, tc := range []struct {
		name string
		a    live.Actor
		c    live.Command
		kind error
	}{
		{"a member resolves", e.members[3], live.ResolveComplaint{Complaint: raised.ID, Resolution: live.ResolutionContinue}, council.ErrForbidden},
		{"no classification", e.members[0], live.ResolveComplaint{Complaint: raised.ID}, council.ErrInvalid},
		{"no complaint named", e.members[0], live.ResolveComplaint{Resolution: live.ResolutionRepeat}, council.ErrInvalid},
		{"unknown complaint", e.members[0], live.ResolveComplaint{Complaint: council.NewID(), Resolution: live.ResolutionRepeat}, council.ErrNotFound},
	} {
		_, err := e.hub.Do(e.ctx, e.meeting.ID, tc.a, tc.c)
		wantErr(t, tc.name, err, tc.kind)
	}

	e.do(t, e.members[0], live.ResolveComplaint{Complaint: raised.ID, Resolution: live.ResolutionRepeat,
		Note: "Abstimmung zu TOP Ö 1 wird wiederholt"})
	for name, s := range map[string]*live.Subscription{"member": mem, "staff": staff} {
		v := decode[live.ComplaintView](t, first(t, s, live.EvComplaintResolved))
		if v.ID != raised.ID || v.Resolution != live.ResolutionRepeat || v.Note == "" || v.ResolvedAt == nil ||
			v.PersonID != m2.PersonID || v.Text != "Bild eingefroren" {
			t.Errorf("%s sees the resolution as %+v", name, v)
		}
	}
	// The public sees nothing of complaints: a public event marks how far to look.
	e.do(t, e.clerk, live.NextItem{})
	_, seen := until(t, pub, live.EvItemChanged)
	for _, m := range seen {
		if m.Kind == live.EvComplaint || m.Kind == live.EvComplaintResolved {
			t.Errorf("the public received %s", m.Kind)
		}
	}
	if ps, _ := e.hub.Snapshot(e.ctx, e.meeting.ID, live.Actor{}); ps.Complaints != nil {
		t.Errorf("public snapshot has complaints %+v", ps.Complaints)
	}
	if snap, _ := e.hub.Snapshot(e.ctx, e.meeting.ID, e.clerk); len(snap.Complaints) != 1 || snap.Complaints[0].ResolvedAt == nil ||
		snap.Complaints[0].Resolution != live.ResolutionRepeat {
		t.Errorf("staff snapshot after the resolution: %+v, want the complaint resolved", snap.Complaints)
	}
	var class, note string
	var resolved *time.Time
	if err := e.pool.QueryRow(e.ctx, `SELECT classification, note, resolved_at FROM live_complaints WHERE id = $1`, raised.ID).
		Scan(&class, &note, &resolved); err != nil || class != "repeat" || note == "" || resolved == nil {
		t.Errorf("stored complaint %q %q %v (%v)", class, note, resolved, err)
	}
	_, err := e.hub.Do(e.ctx, e.meeting.ID, e.clerk, live.ResolveComplaint{Complaint: raised.ID, Resolution: live.ResolutionContinue})
	wantErr(t, "resolve twice", err, council.ErrConflict)
}

// first reads s until an event of kind and returns it.
func first(t *testing.T, s *live.Subscription, kind live.EventKind) live.Message {
	t.Helper()
	m, _ := until(t, s, kind)
	return m
}

// The chair sees which remote members have not confirmed the non-public
// part yet; members do not.
func TestNonPublicUnconfirmed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	e.start(t, 0)
	m2, m3 := e.members[2].PersonID, e.members[3].PersonID
	e.do(t, e.clerk, live.CheckIn{Person: e.members[1].PersonID})
	for _, p := range []council.ID{m2, m3} {
		e.do(t, live.SystemActor(), live.JoinRemote{Person: p})
	}
	if snap, _ := e.hub.Snapshot(e.ctx, e.meeting.ID, e.members[0]); snap.Unconfirmed != nil {
		t.Errorf("unconfirmed in the public part: %v", snap.Unconfirmed)
	}
	e.do(t, e.members[0], live.SetPart{Part: live.PartNonPublic})
	snap, _ := e.hub.Snapshot(e.ctx, e.meeting.ID, e.members[0])
	if !slices.Equal(snap.Unconfirmed, []council.ID{m2, m3}) {
		t.Errorf("unconfirmed %v, want members 2 and 3", snap.Unconfirmed)
	}
	e.do(t, e.members[2], live.ConfirmNonPublic{})
	snap, _ = e.hub.Snapshot(e.ctx, e.meeting.ID, e.members[0])
	if !slices.Equal(snap.Unconfirmed, []council.ID{m3}) || !slices.Equal(snap.Confirmed, []council.ID{m2}) {
		t.Errorf("after 2 confirmed: unconfirmed %v confirmed %v", snap.Unconfirmed, snap.Confirmed)
	}
	if ms, _ := e.hub.Snapshot(e.ctx, e.meeting.ID, e.members[4]); ms.Unconfirmed != nil || ms.Confirmed != nil {
		t.Errorf("a member sees confirmations: %v %v", ms.Unconfirmed, ms.Confirmed)
	}
	// A new non-public part needs new confirmations.
	e.do(t, e.members[0], live.SetPart{Part: live.PartPublic})
	e.do(t, e.members[0], live.SetPart{Part: live.PartNonPublic})
	snap, _ = e.hub.Snapshot(e.ctx, e.meeting.ID, e.members[0])
	if !slices.Equal(snap.Unconfirmed, []council.ID{m2, m3}) {
		t.Errorf("second non-public part: unconfirmed %v, want both again", snap.Unconfirmed)
	}
}

func TestMediaView(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	s := e.subscribe(t, e.hub, live.SystemActor(), 0)
	var v live.MediaView
	if m := next(t, s); v.Apply(m) || v.Public {
		t.Errorf("before the start: %+v", v)
	}
	e.start(t, 2)
	step := func(what string, want live.MediaView) {
		t.Helper()
		for !(slices.Equal(v.Floor, want.Floor) && v.Chair == want.Chair && v.Public == want.Public) {
			v.Apply(next(t, s)) // wait for the events that bring the change; a wrong state times out
		}
	}
	chair := e.members[0].PersonID
	step("started", live.MediaView{Chair: chair, Public: true})
	m2, m3 := e.members[2].PersonID, e.members[3].PersonID
	e.do(t, e.members[2], live.RaiseHand{})
	e.do(t, e.members[3], live.RaiseHand{})
	e.do(t, e.clerk, live.GrantFloor{})
	e.do(t, e.clerk, live.GrantFloor{})
	step("two on the floor", live.MediaView{Floor: []council.ID{m2, m3}, Chair: chair, Public: true})
	e.do(t, e.clerk, live.NextItem{}) // the non-public item ends the floor
	step("non-public item", live.MediaView{Chair: chair})
	e.do(t, e.clerk, live.NextItem{})
	step("public item", live.MediaView{Chair: chair, Public: true})
	e.do(t, e.clerk, live.SetPart{Part: live.PartNonPublic})
	step("non-public part", live.MediaView{Chair: chair})
	e.do(t, e.clerk, live.SetPart{Part: live.PartPublic})
	step("public again", live.MediaView{Chair: chair, Public: true})

	snap, err := e.hub.Snapshot(e.ctx, e.meeting.ID, live.SystemActor())
	if err != nil {
		t.Fatal(err)
	}
	if floor, c, public := live.MediaState(snap); len(floor) != 0 || c != chair || !public {
		t.Errorf("MediaState = %v, %s, %t", floor, c, public)
	}
	e.do(t, e.clerk, live.Close{})
	step("closed", live.MediaView{Chair: chair})
}

// In the non-public part MediaView clears the members who may take part in
// the media: those in the room and the remote members who confirmed the
// current part; the others are unconfirmed until they confirm.
func TestMediaViewNonPublicClearance(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	e.start(t, 0)
	s := e.subscribe(t, e.hub, live.SystemActor(), 0)
	var v live.MediaView
	v.Apply(next(t, s))
	m1, m2, m3 := e.members[1].PersonID, e.members[2].PersonID, e.members[3].PersonID
	sorted := func(ids ...council.ID) []council.ID {
		slices.SortFunc(ids, func(a, b council.ID) int { return strings.Compare(a.String(), b.String()) })
		return ids
	}
	step := func(what string, nonPublic bool, cleared, unconfirmed []council.ID) {
		t.Helper()
		for !(v.NonPublic == nonPublic && slices.Equal(v.Cleared, cleared) && slices.Equal(v.Unconfirmed, unconfirmed)) {
			v.Apply(next(t, s)) // a wrong state times out
		}
		// A snapshot taken now gives the same view.
		snap, err := e.hub.Snapshot(e.ctx, e.meeting.ID, live.SystemActor())
		if err != nil {
			t.Fatal(err)
		}
		var w live.MediaView
		w.Apply(live.Message{Type: live.TypeSnapshot, Snapshot: &snap})
		if w.NonPublic != nonPublic || !slices.Equal(w.Cleared, cleared) || !slices.Equal(w.Unconfirmed, unconfirmed) {
			t.Errorf("%s: from a snapshot: non-public %t cleared %v unconfirmed %v; want %t %v %v", what,
				w.NonPublic, w.Cleared, w.Unconfirmed, nonPublic, cleared, unconfirmed)
		}
	}
	e.do(t, e.clerk, live.CheckIn{Person: m1})
	for _, p := range []council.ID{m2, m3} {
		e.do(t, live.SystemActor(), live.JoinRemote{Person: p})
	}
	step("public part", false, nil, nil)
	e.do(t, e.clerk, live.SetPart{Part: live.PartNonPublic})
	step("non-public part", true, []council.ID{m1}, sorted(m2, m3))
	e.do(t, e.members[2], live.ConfirmNonPublic{})
	step("2 confirmed", true, sorted(m1, m2), []council.ID{m3})
	e.do(t, live.SystemActor(), live.LeaveRemote{Person: m3})
	step("3 left", true, sorted(m1, m2), nil)
	e.do(t, live.SystemActor(), live.JoinRemote{Person: m3})
	step("3 back", true, sorted(m1, m2), []council.ID{m3})

	// The member's own snapshot says whether they confirmed.
	for _, tc := range []struct {
		a    live.Actor
		want bool
	}{{e.members[2], true}, {e.members[3], false}} {
		ms, err := e.hub.Snapshot(e.ctx, e.meeting.ID, tc.a)
		if err != nil {
			t.Fatal(err)
		}
		if ms.Self != tc.a.PersonID || ms.SelfConfirmed != tc.want || ms.PartSeq == 0 {
			t.Errorf("member snapshot: self %s confirmed %t part seq %d; want %s %t", ms.Self, ms.SelfConfirmed, ms.PartSeq, tc.a.PersonID, tc.want)
		}
	}
	if ps, _ := e.hub.Snapshot(e.ctx, e.meeting.ID, live.Actor{}); ps.Self != council.NilID || ps.SelfConfirmed || ps.PartSeq != 0 {
		t.Errorf("public snapshot: self %s confirmed %t part seq %d", ps.Self, ps.SelfConfirmed, ps.PartSeq)
	}

	// Leaving ends a confirmation: back in the same part, 2 confirms again
	// (the place may have changed), and can.
	e.do(t, live.SystemActor(), live.LeaveRemote{Person: m2})
	step("2 left", true, []council.ID{m1}, []council.ID{m3})
	e.do(t, live.SystemActor(), live.JoinRemote{Person: m2})
	step("2 back", true, []council.ID{m1}, sorted(m2, m3))
	if ms, err := e.hub.Snapshot(e.ctx, e.meeting.ID, e.members[2]); err != nil || ms.SelfConfirmed {
		t.Errorf("2 back: self confirmed %t (%v), want false", ms.SelfConfirmed, err)
	}
	e.do(t, e.members[2], live.ConfirmNonPublic{})
	step("2 confirmed again", true, sorted(m1, m2), []council.ID{m3})

	e.do(t, e.clerk, live.SetPart{Part: live.PartPublic})
	step("public again", false, nil, nil)
	e.do(t, e.clerk, live.SetPart{Part: live.PartNonPublic})
	step("a new non-public part", true, []council.ID{m1}, sorted(m2, m3))
}

// Resolved complaints survive a reload: the snapshot carries them with
// their resolution for staff and members; a member sees their own open
// ones but not others'; the public sees none.
func TestComplaintsInSnapshot(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	e.start(t, 0)
	m2, m3 := e.members[2], e.members[3]
	for _, m := range []live.Actor{m2, m3} {
		e.do(t, live.SystemActor(), live.JoinRemote{Person: m.PersonID})
	}
	e.do(t, m2, live.Complain{Text: "Bild eingefroren"})
	e.do(t, m3, live.Complain{Text: "Ton weg"})
	snap, _ := e.hub.Snapshot(e.ctx, e.meeting.ID, e.clerk)
	if len(snap.Complaints) != 2 {
		t.Fatalf("staff snapshot complaints %+v, want 2", snap.Complaints)
	}
	first := snap.Complaints[0]
	e.do(t, e.members[0], live.ResolveComplaint{Complaint: first.ID, Resolution: live.ResolutionContinue, Note: "weiter"})

	snap, _ = e.hub.Snapshot(e.ctx, e.meeting.ID, e.clerk)
	if len(snap.Complaints) != 2 || snap.Complaints[0].Resolution != live.ResolutionContinue || snap.Complaints[0].Note != "weiter" ||
		snap.Complaints[0].ResolvedAt == nil || snap.Complaints[1].Resolution != "" || snap.Complaints[1].ResolvedAt != nil {
		t.Errorf("staff snapshot complaints %+v, want the resolved one and the open one", snap.Complaints)
	}
	texts := func(cs []live.ComplaintView) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Text+"/"+string(c.Resolution))
		}
		return out
	}
	for _, tc := range []struct {
		name string
		a    live.Actor
		want []string
	}{
		{"member 2 (resolved own)", m2, []string{"Bild eingefroren/continue"}},
		{"member 3 (open own)", m3, []string{"Bild eingefroren/continue", "Ton weg/"}},
		{"member 4", e.members[4], []string{"Bild eingefroren/continue"}},
		{"public", live.Actor{}, nil},
	} {
		s, err := e.hub.Snapshot(e.ctx, e.meeting.ID, tc.a)
		if err != nil {
			t.Fatal(err)
		}
		if got := texts(s.Complaints); !slices.Equal(got, tc.want) {
			t.Errorf("%s: complaints %v, want %v", tc.name, got, tc.want)
		}
	}
}
