package live_test

import (
	"testing"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
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
