package meetings_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

func TestQuorumNeeded(t *testing.T) {
	for _, tc := range []struct{ seats, want int }{
		{0, 1}, {1, 1}, {2, 2}, {3, 2}, {4, 3}, {7, 4}, {50, 26}, {51, 26}, {52, 27},
	} {
		if got := meetings.QuorumNeeded(tc.seats); got != tc.want {
			t.Errorf("QuorumNeeded(%d) = %d, want %d", tc.seats, got, tc.want)
		}
	}
}

// roster builds n voting members, the first room in the room and the next
// remote remote; the rest are absent.
func roster(n, room, remote int) []meetings.Attendee {
	out := make([]meetings.Attendee, n)
	for i := range out {
		out[i] = meetings.Attendee{PersonID: council.NewID(), Voting: true, Mode: meetings.Absent}
		switch {
		case i < room:
			out[i].Mode = meetings.InRoom
		case i < room+remote:
			out[i].Mode = meetings.Remote
		}
	}
	return out
}

func TestComputeQuorum(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		seats, n, room, remote int
		conflicted             int // the first k present members
		nonVoting              int // extra present members without a vote
		want                   meetings.Quorum
	}{
		{name: "even exactly half", seats: 50, n: 50, room: 25,
			want: meetings.Quorum{Seats: 50, Present: 25, Counted: 25, Needed: 26}},
		{name: "even one more than half", seats: 50, n: 50, room: 20, remote: 6,
			want: meetings.Quorum{Seats: 50, Present: 26, Counted: 26, Needed: 26, Quorate: true}},
		{name: "odd 25 of 51", seats: 51, n: 51, room: 25,
			want: meetings.Quorum{Seats: 51, Present: 25, Counted: 25, Needed: 26}},
		{name: "odd 26 of 51", seats: 51, n: 51, remote: 26,
			want: meetings.Quorum{Seats: 51, Present: 26, Counted: 26, Needed: 26, Quorate: true}},
		{name: "conflicted reduce the count, not the base", seats: 50, n: 50, room: 27, conflicted: 2,
			want: meetings.Quorum{Seats: 50, Present: 27, Conflicted: 2, Counted: 25, Needed: 26}},
		{name: "conflicted but still quorate", seats: 7, n: 7, room: 5, conflicted: 1,
			want: meetings.Quorum{Seats: 7, Present: 5, Conflicted: 1, Counted: 4, Needed: 4, Quorate: true}},
		{name: "non-voting members do not count", seats: 7, n: 7, room: 3, nonVoting: 3,
			want: meetings.Quorum{Seats: 7, Present: 3, Counted: 3, Needed: 4}},
		{name: "vacant seats keep the base", seats: 9, n: 6, room: 5,
			want: meetings.Quorum{Seats: 9, Present: 5, Counted: 5, Needed: 5, Quorate: true}},
		{name: "nobody there", seats: 0, n: 0,
			want: meetings.Quorum{Seats: 0, Needed: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := roster(tc.n, tc.room, tc.remote)
			conf := map[council.ID]bool{}
			for i := 0; i < tc.conflicted; i++ {
				conf[r[i].PersonID] = true
			}
			for i := 0; i < tc.nonVoting; i++ {
				r = append(r, meetings.Attendee{PersonID: council.NewID(), Mode: meetings.InRoom})
			}
			got := meetings.ComputeQuorum(tc.seats, r, conf)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ComputeQuorum(seats %d, room %d, remote %d, conflicted %d) (-want +got):\n%s",
					tc.seats, tc.room, tc.remote, tc.conflicted, diff)
			}
		})
	}
}

// TestQuorumMatchesDefinition checks the integer rule against its wording
// for every small case: quorate iff counted > seats/2 as a rational.
func TestQuorumMatchesDefinition(t *testing.T) {
	for seats := 0; seats <= 61; seats++ {
		for counted := 0; counted <= seats; counted++ {
			q := meetings.ComputeQuorum(seats, roster(seats, counted, 0), nil)
			want := float64(counted) > float64(seats)/2
			if q.Quorate != want || (counted >= q.Needed) != want {
				t.Fatalf("%s: quorate %t, needed %d, want quorate %t", fmt.Sprint(counted, " of ", seats), q.Quorate, q.Needed, want)
			}
		}
	}
}
