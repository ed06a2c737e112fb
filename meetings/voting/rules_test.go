package voting

import (
	"errors"
	"fmt"
	"testing"
)

func mustRule(t *testing.T, code string) Rule {
	t.Helper()
	r, err := RuleByCode(code)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRulesCodes(t *testing.T) {
	want := []string{"simple", "absolute", "two_thirds_cast", "two_thirds_present", "two_thirds_statutory",
		"three_quarters_cast", "three_quarters_present", "three_quarters_statutory"}
	rs := Rules()
	if len(rs) != len(want) {
		t.Fatalf("Rules() has %d rules, want %d", len(rs), len(want))
	}
	for i, r := range rs {
		if r.Code != want[i] {
			t.Errorf("Rules()[%d].Code = %q, want %q", i, r.Code, want[i])
		}
	}
	rs[0].Code = "changed"
	if Rules()[0].Code != "simple" {
		t.Error("Rules() shares its slice between calls")
	}
	if _, err := RuleByCode("majority"); !errors.Is(err, ErrRule) {
		t.Errorf("RuleByCode(majority) err = %v, want ErrRule", err)
	}
}

// TestThresholds checks Needed for every rule with a member base at odd
// and even sizes, and that exactly Needed yes votes pass and one fewer
// does not.
func TestThresholds(t *testing.T) {
	nw := Builtin()["NW"]
	tests := []struct {
		code   string
		n      int // statutory (statutory rules) or eligible (present rules)
		needed int
	}{
		// absolute: 2·yes > n, i.e. n/2+1 (not OpenSlides' ceil(n/2)+1 for odd n)
		{"absolute", 7, 4}, {"absolute", 8, 5}, {"absolute", 50, 26}, {"absolute", 51, 26},
		{"two_thirds_statutory", 7, 5}, {"two_thirds_statutory", 8, 6}, {"two_thirds_statutory", 50, 34}, {"two_thirds_statutory", 51, 34},
		{"three_quarters_statutory", 7, 6}, {"three_quarters_statutory", 8, 6}, {"three_quarters_statutory", 50, 38}, {"three_quarters_statutory", 51, 39},
		{"two_thirds_present", 7, 5}, {"two_thirds_present", 8, 6}, {"two_thirds_present", 50, 34}, {"two_thirds_present", 51, 34},
		{"three_quarters_present", 7, 6}, {"three_quarters_present", 8, 6}, {"three_quarters_present", 50, 38}, {"three_quarters_present", 51, 39},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.code, tt.n), func(t *testing.T) {
			r := mustRule(t, tt.code)
			in := Inputs{Statutory: tt.n, Present: tt.n, Eligible: tt.n}
			if r.Base == BasePresent {
				in = Inputs{Statutory: 60, Present: tt.n + 2, Conflicted: 2, Eligible: tt.n}
			}
			at, err := nw.Decide(r, in, Tally{Yes: tt.needed, No: tt.n - tt.needed})
			if err != nil {
				t.Fatal(err)
			}
			if at.Outcome != Accepted || at.Needed != tt.needed || at.Base != tt.n || at.Tie {
				t.Errorf("at threshold: %+v, want accepted, needed %d, base %d", at, tt.needed, tt.n)
			}
			below, err := nw.Decide(r, in, Tally{Yes: tt.needed - 1, Abstain: tt.n - tt.needed + 1})
			if err != nil {
				t.Fatal(err)
			}
			if below.Outcome != Rejected || below.Needed != tt.needed || below.Tie {
				t.Errorf("one below: %+v, want rejected, needed %d", below, tt.needed)
			}
		})
	}
}

// TestOpenSlidesBugAbsent: with 7 and 51 statutory members 4 and 26 yes
// votes are an absolute majority; ceil(n/2)+1 would demand 5 and 27.
func TestOpenSlidesBugAbsent(t *testing.T) {
	nw := Builtin()["NW"]
	for _, tt := range []struct{ n, yes int }{{7, 4}, {51, 26}} {
		res, err := nw.Decide(mustRule(t, "absolute"), Inputs{Statutory: tt.n, Present: tt.n, Eligible: tt.n}, Tally{Yes: tt.yes, No: 1, Abstain: tt.n - tt.yes - 1})
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != Accepted || res.Needed != tt.yes {
			t.Errorf("n=%d yes=%d: %+v, want accepted with needed %d", tt.n, tt.yes, res, tt.yes)
		}
	}
}

func TestDecideEdges(t *testing.T) {
	nw := Builtin()["NW"]
	in := func(n int) Inputs { return Inputs{Statutory: n, Present: n, Eligible: n} }
	tests := []struct {
		name string
		rule string
		in   Inputs
		t    Tally
		want Result
	}{
		{"simple clear", "simple", in(7), Tally{Yes: 4, No: 3}, Result{Outcome: Accepted, Base: 7, Needed: 4}},
		{"simple one vote", "simple", in(8), Tally{Yes: 1, Abstain: 7}, Result{Outcome: Accepted, Base: 1, Needed: 1}},
		{"simple tie odd", "simple", in(7), Tally{Yes: 3, No: 3, Abstain: 1}, Result{Outcome: Rejected, Base: 6, Needed: 4, Tie: true}},
		{"simple tie even", "simple", in(8), Tally{Yes: 4, No: 4}, Result{Outcome: Rejected, Base: 8, Needed: 5, Tie: true}},
		{"simple one below", "simple", in(8), Tally{Yes: 3, No: 4, Abstain: 1}, Result{Outcome: Rejected, Base: 7, Needed: 5}},
		{"simple zero votes", "simple", in(8), Tally{}, Result{Outcome: Rejected, Base: 0, Needed: 1}},
		{"simple all abstain", "simple", in(7), Tally{Abstain: 7}, Result{Outcome: Rejected, Base: 0, Needed: 1}},
		{"simple invalid do not count", "simple", in(50), Tally{Yes: 10, No: 9, Invalid: 20, Abstain: 11}, Result{Outcome: Accepted, Base: 19, Needed: 10}},
		{"absolute tie", "absolute", in(8), Tally{Yes: 4, No: 4}, Result{Outcome: Rejected, Base: 8, Needed: 5, Tie: true}},
		{"absolute zero votes", "absolute", in(51), Tally{}, Result{Outcome: Rejected, Base: 51, Needed: 26}},
		{"absolute all abstain", "absolute", in(50), Tally{Abstain: 50}, Result{Outcome: Rejected, Base: 50, Needed: 26}},
		{"two thirds cast at odd", "two_thirds_cast", in(7), Tally{Yes: 2, No: 1, Abstain: 4}, Result{Outcome: Accepted, Base: 3, Needed: 2}},
		{"two thirds cast at even", "two_thirds_cast", in(8), Tally{Yes: 4, No: 2, Abstain: 2}, Result{Outcome: Accepted, Base: 6, Needed: 4}},
		{"two thirds cast below", "two_thirds_cast", in(8), Tally{Yes: 5, No: 3}, Result{Outcome: Rejected, Base: 8, Needed: 6}},
		{"two thirds cast 51", "two_thirds_cast", in(51), Tally{Yes: 34, No: 17}, Result{Outcome: Accepted, Base: 51, Needed: 34}},
		{"two thirds cast 51 below", "two_thirds_cast", in(51), Tally{Yes: 33, No: 18}, Result{Outcome: Rejected, Base: 51, Needed: 34}},
		{"two thirds cast zero", "two_thirds_cast", in(7), Tally{}, Result{Outcome: Rejected, Base: 0, Needed: 1}},
		{"two thirds cast all abstain", "two_thirds_cast", in(7), Tally{Abstain: 7}, Result{Outcome: Rejected, Base: 0, Needed: 1}},
		{"two thirds cast tie", "two_thirds_cast", in(8), Tally{Yes: 4, No: 4}, Result{Outcome: Rejected, Base: 8, Needed: 6, Tie: true}},
		{"three quarters cast at", "three_quarters_cast", in(8), Tally{Yes: 6, No: 2}, Result{Outcome: Accepted, Base: 8, Needed: 6}},
		{"three quarters cast below odd", "three_quarters_cast", in(7), Tally{Yes: 5, No: 2}, Result{Outcome: Rejected, Base: 7, Needed: 6}},
		{"three quarters cast at 50", "three_quarters_cast", in(50), Tally{Yes: 30, No: 10, Abstain: 10}, Result{Outcome: Accepted, Base: 40, Needed: 30}},
		{"three quarters cast below 50", "three_quarters_cast", in(50), Tally{Yes: 29, No: 10, Abstain: 11}, Result{Outcome: Rejected, Base: 39, Needed: 30}},
		{"three quarters statutory tie", "three_quarters_statutory", in(8), Tally{Yes: 4, No: 4}, Result{Outcome: Rejected, Base: 8, Needed: 6, Tie: true}},
		{"two thirds present counts eligible, not statutory", "two_thirds_present", Inputs{Statutory: 51, Present: 40, Conflicted: 1, Eligible: 39}, Tally{Yes: 26, No: 13}, Result{Outcome: Accepted, Base: 39, Needed: 26}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := nw.Decide(mustRule(t, tt.rule), tt.in, tt.t)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Decide = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDecideErrors(t *testing.T) {
	b := Builtin()
	nw, by := b["NW"], b["BY"]
	only := nw
	only.Rules = []string{"simple"}
	in := Inputs{Statutory: 8, Present: 8, Eligible: 8}
	simple := Rule{Code: "simple", Simple: true}
	tests := []struct {
		name string
		p    Profile
		r    Rule
		in   Inputs
		t    Tally
	}{
		{"negative yes", nw, simple, in, Tally{Yes: -1}},
		{"negative invalid", nw, simple, in, Tally{Invalid: -1}},
		{"negative inputs", nw, simple, Inputs{Statutory: 8, Present: -1}, Tally{}},
		{"bayern abstention", by, simple, in, Tally{Yes: 3, No: 2, Abstain: 1}},
		{"more ballots than eligible", nw, simple, in, Tally{Yes: 4, No: 3, Abstain: 1, Invalid: 1}},
		{"eligible above present minus conflicted", nw, simple, Inputs{Statutory: 8, Present: 8, Conflicted: 1, Eligible: 8}, Tally{}},
		{"present above statutory", nw, simple, Inputs{Statutory: 7, Present: 8, Eligible: 8}, Tally{}},
		{"rule not offered", only, mustRule(t, "absolute"), in, Tally{Yes: 5}},
		{"unknown rule", nw, Rule{Code: "majority", Simple: true}, in, Tally{Yes: 5}},
		{"rule differs from definition", nw, Rule{Code: "absolute", Num: 1, Den: 3, Base: BaseStatutory}, in, Tally{Yes: 5}},
		{"statutory base without statutory", nw, mustRule(t, "absolute"), Inputs{Present: 8, Eligible: 8}, Tally{Yes: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := tt.p.Decide(tt.r, tt.in, tt.t)
			if !errors.Is(err, ErrRule) {
				t.Fatalf("Decide = %+v, %v; want an error wrapping ErrRule", res, err)
			}
		})
	}
}

// TestBayernWithoutAbstention: Bayern decides without abstentions.
func TestBayernWithoutAbstention(t *testing.T) {
	by := Builtin()["BY"]
	res, err := by.Decide(mustRule(t, "simple"), Inputs{Statutory: 15, Present: 13, Eligible: 13}, Tally{Yes: 7, No: 6})
	if err != nil {
		t.Fatal(err)
	}
	if res != (Result{Outcome: Accepted, Base: 13, Needed: 7}) {
		t.Errorf("Decide = %+v", res)
	}
}
