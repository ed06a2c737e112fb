package meetings_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

func TestQueue(t *testing.T) {
	t0 := time.Date(2026, 11, 3, 18, 0, 0, 0, time.UTC)
	req := func(name string, kind meetings.SpeakerKind, sec int) meetings.SpeakerRequest {
		return meetings.SpeakerRequest{ID: council.NewID(), Kind: kind, RequestedAt: t0.Add(time.Duration(sec) * time.Second),
			PersonID: uuid.NewSHA1(uuid.Nil, []byte(name))}
	}
	names := map[council.ID]string{}
	mk := func(name string, kind meetings.SpeakerKind, sec int) meetings.SpeakerRequest {
		r := req(name, kind, sec)
		names[r.PersonID] = name
		return r
	}
	speaking := mk("speaking", meetings.FirstTurn, 0)
	speaking.GrantedAt = t0.Add(time.Minute)
	done := mk("done", meetings.FirstTurn, 1)
	done.GrantedAt, done.EndedAt = t0.Add(time.Minute), t0.Add(2*time.Minute)
	withdrawn := mk("withdrawn", meetings.PointOfOrder, 1)
	withdrawn.EndedAt, withdrawn.Withdrawn = t0.Add(time.Minute), true

	for _, tc := range []struct {
		name string
		in   []meetings.SpeakerRequest
		want []string
	}{
		{"by request time", []meetings.SpeakerRequest{mk("b", meetings.FirstTurn, 20), mk("a", meetings.FirstTurn, 10)}, []string{"a", "b"}},
		{"point of order first", []meetings.SpeakerRequest{mk("first", meetings.FirstTurn, 1), mk("second", meetings.SecondTurn, 2), mk("order", meetings.PointOfOrder, 30)},
			[]string{"order", "first", "second"}},
		{"first before second despite later request", []meetings.SpeakerRequest{mk("again", meetings.SecondTurn, 1), mk("new", meetings.FirstTurn, 50)},
			[]string{"new", "again"}},
		{"only waiting ones", []meetings.SpeakerRequest{speaking, done, withdrawn, mk("wait", meetings.SecondTurn, 9)}, []string{"wait"}},
		{"the chair's order, later requests after it, points of order first", func() []meetings.SpeakerRequest {
			x, y, z := mk("x", meetings.FirstTurn, 1), mk("y", meetings.SecondTurn, 2), mk("z", meetings.FirstTurn, 3)
			x.Place, y.Place, z.Place = 3, 1, 2
			return []meetings.SpeakerRequest{x, y, z, mk("late", meetings.FirstTurn, 60), mk("po", meetings.PointOfOrder, 90)}
		}(), []string{"po", "y", "z", "x", "late"}},
		{"empty", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, r := range meetings.Queue(tc.in) {
				got = append(got, names[r.PersonID])
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Queue order (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTurnKind(t *testing.T) {
	for _, tc := range []struct {
		order, before bool
		want          meetings.SpeakerKind
	}{
		{false, false, meetings.FirstTurn},
		{false, true, meetings.SecondTurn},
		{true, false, meetings.PointOfOrder},
		{true, true, meetings.PointOfOrder},
	} {
		if got := meetings.TurnKind(tc.order, tc.before); got != tc.want {
			t.Errorf("TurnKind(pointOfOrder %t, spokeBefore %t) = %s, want %s", tc.order, tc.before, got, tc.want)
		}
	}
}

func TestSpeakingTime(t *testing.T) {
	t0 := time.Date(2026, 11, 3, 18, 0, 0, 0, time.UTC)
	r := meetings.SpeakerRequest{RequestedAt: t0, GrantedAt: t0.Add(time.Minute)}
	if got := r.SpeakingTime(t0.Add(3 * time.Minute)); got != 2*time.Minute {
		t.Errorf("open floor: SpeakingTime = %v, want 2m", got)
	}
	r.EndedAt = t0.Add(90 * time.Second)
	if got := r.SpeakingTime(t0.Add(time.Hour)); got != 30*time.Second {
		t.Errorf("ended floor: SpeakingTime = %v, want 30s", got)
	}
}

func TestMove(t *testing.T) {
	t0 := time.Date(2026, 11, 3, 18, 0, 0, 0, time.UTC)
	var rs []meetings.SpeakerRequest
	ids := map[string]council.ID{}
	for i, n := range []string{"po", "a", "b", "c"} {
		kind := meetings.FirstTurn
		if n == "po" {
			kind = meetings.PointOfOrder
		}
		r := meetings.SpeakerRequest{ID: council.NewID(), Kind: kind, RequestedAt: t0.Add(time.Duration(i) * time.Second)}
		ids[n] = r.ID
		rs = append(rs, r)
	}
	speaking := meetings.SpeakerRequest{ID: council.NewID(), Kind: meetings.FirstTurn, RequestedAt: t0, GrantedAt: t0.Add(time.Minute)}
	rs = append(rs, speaking)
	names := func(order []council.ID) []string {
		var out []string
		for _, id := range order {
			for n, x := range ids {
				if x == id {
					out = append(out, n)
				}
			}
		}
		return out
	}
	for _, tc := range []struct {
		name string
		id   council.ID
		to   int
		want []string
		ok   bool
	}{
		{"last to first", ids["c"], 0, []string{"c", "a", "b"}, true},
		{"first down one", ids["a"], 1, []string{"b", "a", "c"}, true},
		{"past the end: last", ids["a"], 99, []string{"b", "c", "a"}, true},
		{"where it is", ids["b"], 1, []string{"a", "b", "c"}, true},
		{"a point of order stays first", ids["po"], 2, nil, false},
		{"the one speaking is not waiting", speaking.ID, 0, nil, false},
		{"unknown", council.NewID(), 0, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			order, ok := meetings.Move(rs, tc.id, tc.to)
			if ok != tc.ok {
				t.Fatalf("ok %t, want %t", ok, tc.ok)
			}
			if diff := cmp.Diff(tc.want, names(order)); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
		})
	}
}
