package voting

import (
	"cmp"
	"fmt"
	"slices"
)

// Values of Profile.ElectionValid: which votes the majority of a
// single-seat election's first round ("more than half") is counted from.
const (
	// ValidCandidates: only votes for a candidate; "nein", blank and
	// invalid ballots and abstentions do not count (Bayern, Art. 51 Abs. 3
	// GO: "Neinstimmen und leere Stimmzettel sind ungültig").
	ValidCandidates = "candidates"
	// ValidWithNo: votes for a candidate and "nein" votes (NRW, § 50
	// Abs. 2 GO NRW: "Nein-Stimmen gelten als gültige Stimmen").
	ValidWithNo = "candidates_and_no"
	// ValidBallots: every ballot cast except invalid ones, abstentions
	// included.
	ValidBallots = "ballots"
	// ValidPresent: the members eligible when the round opened
	// (Baden-Württemberg, § 37 Abs. 7 GemO: "mehr als die Hälfte der
	// Stimmen der anwesenden Stimmberechtigten"); needs
	// ElectionTally.Eligible.
	ValidPresent = "present"
)

// electionValids lists the values of Profile.ElectionValid.
func electionValids() []string {
	return []string{ValidCandidates, ValidWithNo, ValidBallots, ValidPresent}
}

// DecideElection decides one round of an election for seats seats among
// cands from tally t; seed seeds the lots if a tie must be decided.
//
// One seat, round 1: a candidate with more than half of the valid votes
// (Profile.ElectionValid) is elected; otherwise the Outcome is Runoff with
// the two strongest. A tie for second place, or among three or more for
// first place, is decided by DrawLots (recorded in Lots). Run-off rounds
// (round >= 2): most votes wins, a tie by lot. With a single candidate
// every round needs the round-1 majority: failing it in round 1 gives a
// second round with that candidate (Runoff), in a later round NoResult.
//
// Several seats (Plenar's rule for multi-seat elections by relative
// majority, not the proportional methods of committee seats): each ballot
// names up to seats candidates; the seats candidates with most votes are
// elected, a tie at the boundary decided by lot. Candidates without a vote
// are never elected, so fewer than seats may be elected. There is no
// run-off and round is not used beyond its check.
//
// NoResult when there are no valid votes, or (RepeatIfHalfInvalid) when
// at least half of the ballots are not votes for a candidate. Errors
// (wrapping ErrRule): round < 1, seats < 1, seats > len(cands), empty or
// duplicate candidate ids, unknown candidate ids or negative counts in the
// tally, abstentions the profile forbids, more votes than ballots allow.
func (p Profile) DecideElection(round, seats int, cands []Candidate, t ElectionTally, seed string) (ElectionResult, error) {
	if err := p.checkElection(round, seats, cands, t); err != nil {
		return ElectionResult{}, err
	}
	sum := 0
	for _, v := range t.Votes {
		sum += v
	}
	if sum == 0 {
		return ElectionResult{Outcome: NoResult}, nil
	}
	ranked := rank(cands, t.Votes)
	if seats > 1 {
		return multiSeat(ranked, seats, seed), nil
	}
	if p.RepeatIfHalfInvalid && 2*(t.Ballots-sum) >= t.Ballots {
		return ElectionResult{Outcome: NoResult}, nil
	}
	if round == 1 || len(cands) == 1 {
		valid, err := p.validVotes(t, sum)
		if err != nil {
			return ElectionResult{}, err
		}
		need := valid/2 + 1
		if 2*ranked[0].votes > valid {
			return ElectionResult{Outcome: Elected, Elected: []string{ranked[0].id}, Needed: need}, nil
		}
		if len(cands) == 1 {
			if round == 1 {
				return ElectionResult{Outcome: Runoff, Runoff: []string{ranked[0].id}, Needed: need}, nil
			}
			return ElectionResult{Outcome: NoResult, Needed: need}, nil
		}
		res := ElectionResult{Outcome: Runoff, Needed: need}
		res.Runoff, res.Lots = top(ranked, 2, seed)
		return res, nil
	}
	res := ElectionResult{Outcome: Elected}
	res.Elected, res.Lots = top(ranked, 1, seed)
	return res, nil
}

// checkElection validates the arguments of DecideElection.
func (p Profile) checkElection(round, seats int, cands []Candidate, t ElectionTally) error {
	if round < 1 {
		return fmt.Errorf("%w: election round %d", ErrRule, round)
	}
	if seats < 1 || seats > len(cands) {
		return fmt.Errorf("%w: %d seats for %d candidates", ErrRule, seats, len(cands))
	}
	ids := make(map[string]bool, len(cands))
	for _, c := range cands {
		if c.ID == "" {
			return fmt.Errorf("%w: candidate without id", ErrRule)
		}
		if ids[c.ID] {
			return fmt.Errorf("%w: duplicate candidate id %q", ErrRule, c.ID)
		}
		ids[c.ID] = true
	}
	sum := 0
	for id, v := range t.Votes {
		if !ids[id] {
			return fmt.Errorf("%w: votes for unknown candidate %q", ErrRule, id)
		}
		if v < 0 {
			return fmt.Errorf("%w: negative votes for candidate %q", ErrRule, id)
		}
		sum += v
	}
	if t.Abstain < 0 || t.Invalid < 0 || t.Ballots < 0 || t.No < 0 || t.Eligible < 0 {
		return fmt.Errorf("%w: negative count in election tally", ErrRule)
	}
	if t.Abstain > 0 && !p.AbstainAllowed {
		return fmt.Errorf("%w: profile %s forbids abstentions (%s); count blank ballots as invalid", ErrRule, p.Code, p.Sources["abstain"])
	}
	if seats == 1 && sum+t.No+t.Abstain+t.Invalid > t.Ballots {
		return fmt.Errorf("%w: %d votes, %d no, %d abstentions and %d invalid but %d ballots", ErrRule, sum, t.No, t.Abstain, t.Invalid, t.Ballots)
	}
	if seats > 1 && sum > seats*t.Ballots {
		return fmt.Errorf("%w: %d votes but %d ballots of at most %d votes each", ErrRule, sum, t.Ballots, seats)
	}
	if t.Eligible > 0 && t.Ballots > t.Eligible {
		return fmt.Errorf("%w: %d ballots but %d eligible", ErrRule, t.Ballots, t.Eligible)
	}
	return nil
}

// validVotes is the number of valid votes the round-1 majority is
// counted from, per Profile.ElectionValid; sum is the votes for
// candidates.
func (p Profile) validVotes(t ElectionTally, sum int) (int, error) {
	switch p.ElectionValid {
	case ValidCandidates:
		return sum, nil
	case ValidWithNo:
		return sum + t.No, nil
	case ValidBallots:
		return t.Ballots - t.Invalid, nil
	case ValidPresent:
		if t.Eligible <= 0 {
			return 0, fmt.Errorf("%w: profile %s counts the majority from the eligible members, but the tally has none", ErrRule, p.Code)
		}
		return t.Eligible, nil
	}
	return 0, fmt.Errorf("%w: profile %s: unknown election_valid %q", ErrRule, p.Code, p.ElectionValid)
}

// ranked is a candidate id with its votes.
type ranked struct {
	id    string
	votes int
}

// rank orders the candidates by votes, descending, then by id.
func rank(cands []Candidate, votes map[string]int) []ranked {
	rs := make([]ranked, len(cands))
	for i, c := range cands {
		rs[i] = ranked{c.ID, votes[c.ID]}
	}
	slices.SortFunc(rs, func(a, b ranked) int {
		if c := cmp.Compare(b.votes, a.votes); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	return rs
}

// top picks the n strongest of rs (ranked by rank): everyone with more
// votes than the n-th, and, if the n-th's votes are shared by more than
// fit, the first of them in a draw with seed (returned).
func top(rs []ranked, n int, seed string) ([]string, *Draw) {
	if n >= len(rs) {
		n = len(rs)
	}
	if n == 0 {
		return nil, nil
	}
	edge := rs[n-1].votes
	var sure, tied []string
	for _, r := range rs {
		switch {
		case r.votes > edge:
			sure = append(sure, r.id)
		case r.votes == edge:
			tied = append(tied, r.id)
		}
	}
	if len(sure)+len(tied) == n {
		return append(sure, tied...), nil
	}
	d := DrawLots(seed, tied)
	return append(sure, d.Order[:n-len(sure)]...), &d
}

// multiSeat elects the seats candidates with most votes among those
// with at least one vote.
func multiSeat(rs []ranked, seats int, seed string) ElectionResult {
	i := slices.IndexFunc(rs, func(r ranked) bool { return r.votes == 0 })
	if i >= 0 {
		rs = rs[:i]
	}
	res := ElectionResult{Outcome: Elected}
	res.Elected, res.Lots = top(rs, seats, seed)
	return res
}
