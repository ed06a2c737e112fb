package voting

import (
	"errors"
	"reflect"
	"testing"
)

// seed and its known order: printf '%s' "seed-2026:$id" | sha256sum gives
// bob c3d1ac40…, carol d5e63b89…, alice d8ce11e0….
const seed = "seed-2026"

func TestDrawLotsKnownVector(t *testing.T) {
	among := []string{"alice", "bob", "carol"}
	d := DrawLots(seed, among)
	want := Draw{Seed: seed, Among: []string{"alice", "bob", "carol"}, Order: []string{"bob", "carol", "alice"}}
	if !reflect.DeepEqual(d, want) {
		t.Fatalf("DrawLots = %+v, want %+v", d, want)
	}
	if !reflect.DeepEqual(among, []string{"alice", "bob", "carol"}) {
		t.Errorf("DrawLots modified among: %v", among)
	}
	d.Among[0] = "x"
	if among[0] != "alice" {
		t.Error("Draw.Among shares the caller's slice")
	}
	if again := DrawLots(seed, []string{"carol", "alice", "bob"}); !reflect.DeepEqual(again.Order, want.Order) {
		t.Errorf("order depends on input order: %v", again.Order)
	}
	if other := DrawLots("other-seed", among); reflect.DeepEqual(other.Order, want.Order) {
		t.Logf("another seed gave the same order %v (possible, 1 in 6)", other.Order)
	}
}

func cands(ids ...string) []Candidate {
	cs := make([]Candidate, len(ids))
	for i, id := range ids {
		cs[i] = Candidate{ID: id, Name: "Name " + id}
	}
	return cs
}

func TestDecideElection(t *testing.T) {
	b := Builtin()
	nw, by, bw := b["NW"], b["BY"], b["BW"]
	tie3 := &Draw{Seed: seed, Among: []string{"alice", "bob", "carol"}, Order: []string{"bob", "carol", "alice"}}
	tests := []struct {
		name  string
		p     Profile
		round int
		seats int
		cands []Candidate
		t     ElectionTally
		want  ElectionResult
	}{
		{"clear winner", nw, 1, 1, cands("alice", "bob", "carol"),
			ElectionTally{Votes: map[string]int{"alice": 6, "bob": 3, "carol": 1}, Ballots: 10},
			ElectionResult{Outcome: Elected, Elected: []string{"alice"}, Needed: 6}},
		{"exactly half is not enough", nw, 1, 1, cands("alice", "bob"),
			ElectionTally{Votes: map[string]int{"alice": 4, "bob": 4}, Ballots: 8},
			ElectionResult{Outcome: Runoff, Runoff: []string{"alice", "bob"}, Needed: 5}},
		{"runoff needed", nw, 1, 1, cands("alice", "bob", "carol"),
			ElectionTally{Votes: map[string]int{"alice": 4, "bob": 3, "carol": 2}, No: 1, Ballots: 10},
			ElectionResult{Outcome: Runoff, Runoff: []string{"alice", "bob"}, Needed: 6}},
		{"NRW counts no votes as valid", nw, 1, 1, cands("alice", "bob"),
			ElectionTally{Votes: map[string]int{"alice": 5, "bob": 3}, No: 2, Ballots: 10},
			ElectionResult{Outcome: Runoff, Runoff: []string{"alice", "bob"}, Needed: 6}},
		{"Bayern does not count no votes", by, 1, 1, cands("alice", "bob"),
			ElectionTally{Votes: map[string]int{"alice": 5, "bob": 3}, No: 2, Ballots: 10},
			ElectionResult{Outcome: Elected, Elected: []string{"alice"}, Needed: 5}},
		{"Bayern repeats when half the ballots are invalid", by, 1, 1, cands("alice", "bob"),
			ElectionTally{Votes: map[string]int{"alice": 2, "bob": 1}, Invalid: 3, Ballots: 6},
			ElectionResult{Outcome: NoResult}},
		{"BW counts the present members", bw, 1, 1, cands("alice", "bob"),
			ElectionTally{Votes: map[string]int{"alice": 5, "bob": 3}, Abstain: 1, Ballots: 9, Eligible: 11},
			ElectionResult{Outcome: Runoff, Runoff: []string{"alice", "bob"}, Needed: 6}},
		{"BW elected by the present members", bw, 1, 1, cands("alice", "bob"),
			ElectionTally{Votes: map[string]int{"alice": 5, "bob": 3}, Abstain: 1, Ballots: 9, Eligible: 9},
			ElectionResult{Outcome: Elected, Elected: []string{"alice"}, Needed: 5}},
		{"tie for second place by lot", nw, 1, 1, cands("dave", "alice", "bob", "carol"),
			ElectionTally{Votes: map[string]int{"dave": 5, "alice": 2, "bob": 2, "carol": 2}, Ballots: 11},
			ElectionResult{Outcome: Runoff, Runoff: []string{"dave", "bob"}, Needed: 6, Lots: tie3}},
		{"three tied for first by lot", nw, 1, 1, cands("alice", "bob", "carol"),
			ElectionTally{Votes: map[string]int{"alice": 3, "bob": 3, "carol": 3}, Ballots: 9},
			ElectionResult{Outcome: Runoff, Runoff: []string{"bob", "carol"}, Needed: 5, Lots: tie3}},
		{"runoff clear", nw, 2, 1, cands("alice", "bob"),
			ElectionTally{Votes: map[string]int{"alice": 3, "bob": 5}, No: 1, Ballots: 9},
			ElectionResult{Outcome: Elected, Elected: []string{"bob"}}},
		{"runoff tie by lot", nw, 2, 1, cands("alice", "carol"),
			ElectionTally{Votes: map[string]int{"alice": 4, "carol": 4}, Ballots: 8},
			ElectionResult{Outcome: Elected, Elected: []string{"carol"}, Lots: &Draw{Seed: seed, Among: []string{"alice", "carol"}, Order: []string{"carol", "alice"}}}},
		{"single candidate fails round 1", nw, 1, 1, cands("alice"),
			ElectionTally{Votes: map[string]int{"alice": 3}, No: 4, Ballots: 7},
			ElectionResult{Outcome: Runoff, Runoff: []string{"alice"}, Needed: 4}},
		{"single candidate fails round 2", nw, 2, 1, cands("alice"),
			ElectionTally{Votes: map[string]int{"alice": 3}, No: 4, Ballots: 7},
			ElectionResult{Outcome: NoResult, Needed: 4}},
		{"single candidate elected round 2", nw, 2, 1, cands("alice"),
			ElectionTally{Votes: map[string]int{"alice": 5}, No: 2, Ballots: 7},
			ElectionResult{Outcome: Elected, Elected: []string{"alice"}, Needed: 4}},
		{"no valid votes", nw, 1, 1, cands("alice", "bob"),
			ElectionTally{Votes: map[string]int{}, Invalid: 3, Ballots: 3},
			ElectionResult{Outcome: NoResult}},
		{"no ballots", nw, 2, 1, cands("alice", "bob"), ElectionTally{}, ElectionResult{Outcome: NoResult}},
		{"multi-seat clear", nw, 1, 2, cands("alice", "bob", "carol"),
			ElectionTally{Votes: map[string]int{"alice": 5, "bob": 4, "carol": 1}, Ballots: 5},
			ElectionResult{Outcome: Elected, Elected: []string{"alice", "bob"}}},
		{"multi-seat boundary tie by lot", nw, 1, 2, cands("dave", "alice", "bob", "carol", "erin"),
			ElectionTally{Votes: map[string]int{"dave": 5, "alice": 3, "bob": 3, "carol": 3}, Ballots: 7},
			ElectionResult{Outcome: Elected, Elected: []string{"dave", "bob"}, Lots: tie3}},
		{"multi-seat tie inside the seats needs no lot", nw, 1, 3, cands("alice", "bob", "carol", "dave"),
			ElectionTally{Votes: map[string]int{"alice": 4, "bob": 4, "carol": 2, "dave": 1}, Ballots: 4},
			ElectionResult{Outcome: Elected, Elected: []string{"alice", "bob", "carol"}}},
		{"multi-seat never elects without votes", nw, 1, 3, cands("alice", "bob", "carol"),
			ElectionTally{Votes: map[string]int{"alice": 2}, Ballots: 2},
			ElectionResult{Outcome: Elected, Elected: []string{"alice"}}},
		{"multi-seat no votes", nw, 1, 2, cands("alice", "bob", "carol"),
			ElectionTally{Votes: map[string]int{"alice": 0}, Invalid: 2, Ballots: 2},
			ElectionResult{Outcome: NoResult}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.p.DecideElection(tt.round, tt.seats, tt.cands, tt.t, seed)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DecideElection = %+v (lots %+v), want %+v (lots %+v)", got, got.Lots, tt.want, tt.want.Lots)
			}
			if got.Lots != nil {
				again, _ := tt.p.DecideElection(tt.round, tt.seats, tt.cands, tt.t, seed)
				if !reflect.DeepEqual(again, got) {
					t.Errorf("not reproducible: %+v then %+v", got, again)
				}
				if d := DrawLots(got.Lots.Seed, got.Lots.Among); !reflect.DeepEqual(d, *got.Lots) {
					t.Errorf("recorded draw %+v differs from DrawLots %+v", *got.Lots, d)
				}
			}
		})
	}
}

func TestDecideElectionErrors(t *testing.T) {
	b := Builtin()
	nw, by, bw := b["NW"], b["BY"], b["BW"]
	bad := nw
	bad.ElectionValid = "most"
	ok := ElectionTally{Votes: map[string]int{"alice": 2, "bob": 1}, Ballots: 3}
	tests := []struct {
		name         string
		p            Profile
		round, seats int
		cands        []Candidate
		t            ElectionTally
	}{
		{"round 0", nw, 0, 1, cands("alice", "bob"), ok},
		{"seats 0", nw, 1, 0, cands("alice", "bob"), ok},
		{"more seats than candidates", nw, 1, 3, cands("alice", "bob"), ok},
		{"duplicate candidate", nw, 1, 1, cands("alice", "bob", "alice"), ok},
		{"empty candidate id", nw, 1, 1, cands("alice", "bob", ""), ok},
		{"unknown candidate in tally", nw, 1, 1, cands("alice", "bob"), ElectionTally{Votes: map[string]int{"alice": 1, "zoe": 1}, Ballots: 2}},
		{"negative votes", nw, 1, 1, cands("alice", "bob"), ElectionTally{Votes: map[string]int{"alice": -1}, Ballots: 2}},
		{"negative invalid", nw, 1, 1, cands("alice", "bob"), ElectionTally{Votes: map[string]int{"alice": 1}, Invalid: -1, Ballots: 2}},
		{"more votes than ballots", nw, 1, 1, cands("alice", "bob"), ElectionTally{Votes: map[string]int{"alice": 2, "bob": 1}, No: 1, Ballots: 3}},
		{"multi-seat more votes than ballots allow", nw, 1, 2, cands("alice", "bob", "carol"), ElectionTally{Votes: map[string]int{"alice": 3, "bob": 3, "carol": 1}, Ballots: 3}},
		{"more ballots than eligible", bw, 1, 1, cands("alice", "bob"), ElectionTally{Votes: map[string]int{"alice": 2, "bob": 1}, Ballots: 3, Eligible: 2}},
		{"bayern abstention", by, 1, 1, cands("alice", "bob"), ElectionTally{Votes: map[string]int{"alice": 2}, Abstain: 1, Ballots: 3}},
		{"present majority without eligible", bw, 1, 1, cands("alice", "bob"), ok},
		{"unknown election_valid", bad, 1, 1, cands("alice", "bob"), ok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := tt.p.DecideElection(tt.round, tt.seats, tt.cands, tt.t, seed)
			if !errors.Is(err, ErrRule) {
				t.Fatalf("DecideElection = %+v, %v; want an error wrapping ErrRule", res, err)
			}
		})
	}
}
