package live_test

import (
	"fmt"
	"testing"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/voting"
)

func TestAttendanceByItem(t *testing.T) {
	t.Parallel()
	e := newEnv(t, live.Options{})
	e.start(t, 0)
	m1, m2, m3 := e.members[1].PersonID, e.members[2].PersonID, e.members[3].PersonID
	e.do(t, e.clerk, live.CheckIn{Person: m1})
	e.do(t, live.SystemActor(), live.JoinRemote{Person: m2})
	e.do(t, e.clerk, live.NextItem{})
	e.do(t, live.SystemActor(), live.LeaveRemote{Person: m2})
	e.do(t, e.clerk, live.NextItem{})
	e.do(t, e.clerk, live.CheckIn{Person: m3})

	got, err := e.hub.AttendanceByItem(e.ctx, e.meeting.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d item periods, want 3", len(got))
	}
	present := func(p live.ItemAttendance) map[council.ID]bool {
		out := map[council.ID]bool{}
		for id, ok := range p.Present {
			if ok {
				out[id] = true
			}
		}
		return out
	}
	for i, want := range []struct {
		start   map[council.ID]meetings.Mode
		changes int
		present []council.ID
	}{
		{map[council.ID]meetings.Mode{m1: meetings.Absent, m2: meetings.Absent}, 2, []council.ID{m1, m2}},
		{map[council.ID]meetings.Mode{m1: meetings.InRoom, m2: meetings.Remote}, 1, []council.ID{m1, m2}},
		{map[council.ID]meetings.Mode{m1: meetings.InRoom, m2: meetings.Absent, m3: meetings.Absent}, 1, []council.ID{m1, m3}},
	} {
		p := got[i]
		if p.ItemID != e.items[i].ID || len(p.AtStart) != 6 {
			t.Errorf("period %d: item %s with %d at start, want item %d and the roster of 6", i, p.ItemID, len(p.AtStart), i)
		}
		for id, m := range want.start {
			if p.AtStart[id] != m {
				t.Errorf("period %d: %s at start %s, want %s", i, id, p.AtStart[id], m)
			}
		}
		if len(p.Changes) != want.changes {
			t.Errorf("period %d: changes %+v, want %d", i, p.Changes, want.changes)
		}
		pr := present(p)
		if len(pr) != len(want.present) {
			t.Errorf("period %d: present %v, want %v", i, pr, want.present)
		}
		for _, id := range want.present {
			if !pr[id] {
				t.Errorf("period %d: %s not present", i, id)
			}
		}
		if (i < 2) == p.To.IsZero() {
			t.Errorf("period %d ends at %v", i, p.To)
		}
	}
	if c := got[1].Changes[0]; c.PersonID != m2 || c.Mode != meetings.Absent || c.Via != "system" {
		t.Errorf("the leave during N 1 is logged as %+v", c)
	}
}

// TestDraftMinutes: a session with attendance changes, a conflict, two
// speeches (one heard, one withdrawn), a named poll, a Rüge and a part
// switch; its draft minutes hold each at the item it happened under, in
// order, and the items never called are left out.
func TestDraftMinutes(t *testing.T) {
	t.Parallel()
	e := voteEnv(t, "")
	e.do(t, e.members[0], live.FindQuorum{}) // the chair
	e.do(t, e.members[4], live.DeclareConflict{})
	e.do(t, e.members[1], live.RaiseHand{})
	e.do(t, e.members[2], live.RaiseHand{})
	e.do(t, e.clerk, live.GrantFloor{})
	e.do(t, e.clerk, live.EndFloor{})
	e.do(t, e.members[2], live.WithdrawHand{})
	p := e.open(t, live.OpenPoll{Kind: voting.Named, Question: "Haushaltssatzung 2027 beschließen"})
	for _, i := range []int{0, 1, 2, 3} {
		e.cast(t, e.members[i], p.ID, fmt.Sprintf("minutes-%d-ballot", i), "yes")
	}
	e.do(t, e.members[3], live.Complain{Text: "Ton weg"})
	snap, err := e.hub.Snapshot(e.ctx, e.meeting.ID, e.clerk)
	if err != nil {
		t.Fatal(err)
	}
	e.do(t, e.members[0], live.ResolveComplaint{Complaint: snap.Complaints[0].ID, Resolution: live.ResolutionContinue})
	e.do(t, e.clerk, live.ClosePoll{Poll: p.ID})
	e.do(t, e.clerk, live.CheckOut{Person: e.members[2].PersonID})
	e.do(t, e.members[0], live.NextItem{}) // N 1
	e.do(t, e.members[0], live.SetPart{Part: live.PartNonPublic})

	m, err := e.hub.DraftMinutes(e.ctx, e.meeting.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Items) != 2 || m.Items[0].ItemID != e.items[0].ID || m.Items[1].ItemID != e.items[1].ID {
		t.Fatalf("minutes items %+v, want Ö 1 and N 1 (Ö 2 was never called)", m.Items)
	}
	first := m.Items[0]
	if len(first.Quorum) != 1 || !first.Quorum[0].Quorate || first.Quorum[0].Seats != 5 || first.Quorum[0].Present != 5 {
		t.Errorf("quorum findings %+v, want the chair's finding: 5 of 5 present, quorate", first.Quorum)
	}
	if len(first.Conflicts) != 1 || first.Conflicts[0].PersonID != e.members[4].PersonID || first.Conflicts[0].Name == "" {
		t.Errorf("conflicts %+v, want member 4 by name", first.Conflicts)
	}
	if len(first.Speeches) != 2 || first.Speeches[0].PersonID != e.members[1].PersonID || first.Speeches[0].From.IsZero() ||
		first.Speeches[0].To.IsZero() || !first.Speeches[1].Withdrawn || first.Speeches[1].PersonID != e.members[2].PersonID {
		t.Errorf("speeches %+v, want member 1 heard, member 2 withdrawn", first.Speeches)
	}
	if len(first.Polls) != 1 || first.Polls[0].State != meetings.PollClosed || len(first.Polls[0].Votes) != 4 ||
		first.Polls[0].Tally.Yes != 4 {
		t.Errorf("polls %+v, want the named poll closed with 4 yes and each member's vote", first.Polls)
	}
	if len(first.Complaints) != 1 || first.Complaints[0].Resolution != live.ResolutionContinue {
		t.Errorf("complaints %+v, want the Rüge, resolved: continue", first.Complaints)
	}
	if len(first.Attendance) != 1 || len(first.Attendance[0].Changes) == 0 {
		t.Fatalf("attendance of Ö 1 %+v", first.Attendance)
	}
	last := first.Attendance[0].Changes[len(first.Attendance[0].Changes)-1]
	if last.PersonID != e.members[2].PersonID || last.Mode != meetings.Absent {
		t.Errorf("the last attendance change on Ö 1 %+v, want member 2 leaving", last)
	}
	second := m.Items[1]
	if second.Public || len(second.Speeches) != 0 || len(second.Polls) != 0 || len(second.Complaints) != 0 {
		t.Errorf("N 1 %+v, want a non-public item with nothing else", second)
	}
	if len(m.Parts) != 1 || m.Parts[0].Part != live.PartNonPublic {
		t.Errorf("part switches %+v, want the switch to the non-public part", m.Parts)
	}
}
