package voting

import (
	"fmt"
	"slices"
)

// Rules returns every majority rule Plenar knows (docs/VOTING.md,
// "Majority rules"). A fresh slice on each call: callers may modify it.
//
//   - simple: more yes than no; abstentions and invalid ballots do not
//     count; a tie rejects.
//   - absolute: more than half of the statutory members: 2·yes > statutory.
//   - two_thirds_*, three_quarters_*: yes·Den >= Num·base, with base cast
//     (yes + no), present (members eligible at opening) or statutory.
func Rules() []Rule {
	q := func(code string, num, den int, b Base) Rule {
		return Rule{Code: code, Num: num, Den: den, Base: b}
	}
	return []Rule{
		{Code: "simple", Simple: true},
		{Code: "absolute", Num: 1, Den: 2, Base: BaseStatutory, Strict: true},
		q("two_thirds_cast", 2, 3, BaseCast),
		q("two_thirds_present", 2, 3, BasePresent),
		q("two_thirds_statutory", 2, 3, BaseStatutory),
		q("three_quarters_cast", 3, 4, BaseCast),
		q("three_quarters_present", 3, 4, BasePresent),
		q("three_quarters_statutory", 3, 4, BaseStatutory),
	}
}

// RuleByCode returns the rule named code, or an error wrapping ErrRule.
func RuleByCode(code string) (Rule, error) {
	for _, r := range Rules() {
		if r.Code == code {
			return r, nil
		}
	}
	return Rule{}, fmt.Errorf("%w: unknown rule %q", ErrRule, code)
}

// Decide applies rule r to the tally t of a yes/no poll opened with in.
//
// Errors (wrapping ErrRule): negative numbers, abstentions where the
// profile forbids them, more ballots (yes+no+abstain+invalid) than
// in.Eligible, more eligible than present and not conflicted members, a
// rule the profile does not offer or that differs from its definition
// in Rules, a statutory base of 0.
//
// Result.Base is the size of the rule's base and Result.Needed the
// smallest number of yes votes that passes with the counted votes: for
// "simple" that is no+1, so it depends on the no votes; for a cast base
// it is computed from yes+no as counted. A tie (yes == no, at least one
// vote) rejects with Tie set, in every built-in profile; no votes at all,
// or only abstentions, reject. Qualified majorities also require more yes
// than no (implied by every built-in rule, checked anyway).
func (p Profile) Decide(r Rule, in Inputs, t Tally) (Result, error) {
	def, err := RuleByCode(r.Code)
	if err != nil {
		return Result{}, err
	}
	if r != def {
		return Result{}, fmt.Errorf("%w: rule %q differs from its definition", ErrRule, r.Code)
	}
	if !slices.Contains(p.Rules, r.Code) {
		return Result{}, fmt.Errorf("%w: profile %s does not offer rule %q", ErrRule, p.Code, r.Code)
	}
	if err := checkInputs(in); err != nil {
		return Result{}, err
	}
	if t.Yes < 0 || t.No < 0 || t.Abstain < 0 || t.Invalid < 0 {
		return Result{}, fmt.Errorf("%w: negative count in tally %+v", ErrRule, t)
	}
	if t.Abstain > 0 && !p.AbstainAllowed {
		return Result{}, fmt.Errorf("%w: profile %s forbids abstentions (%s)", ErrRule, p.Code, p.Sources["abstain"])
	}
	if n := t.Yes + t.No + t.Abstain + t.Invalid; n > in.Eligible {
		return Result{}, fmt.Errorf("%w: %d ballots but only %d eligible", ErrRule, n, in.Eligible)
	}

	cast := t.Yes + t.No
	var res Result
	if r.Simple {
		res.Base, res.Needed = cast, t.No+1
	} else {
		switch r.Base {
		case BaseCast:
			res.Base = cast
		case BasePresent:
			res.Base = in.Eligible
		case BaseStatutory:
			if in.Statutory <= 0 {
				return Result{}, fmt.Errorf("%w: rule %q needs the statutory members", ErrRule, r.Code)
			}
			res.Base = in.Statutory
		}
		res.Needed = needed(r, res.Base)
	}
	switch {
	case cast > 0 && t.Yes == t.No:
		res.Outcome, res.Tie = Rejected, true
	case t.Yes > 0 && t.Yes > t.No && t.Yes >= res.Needed:
		res.Outcome = Accepted
	default:
		res.Outcome = Rejected
	}
	return res, nil
}

// needed is the smallest yes count with yes·Den >= Num·base (Strict:
// yes·Den > Num·base), at least 1. Exact integer arithmetic.
func needed(r Rule, base int) int {
	n := r.Num * base
	var k int
	if r.Strict {
		k = n/r.Den + 1
	} else {
		k = (n + r.Den - 1) / r.Den
	}
	return max(k, 1)
}

// checkInputs rejects negative or inconsistent numbers fixed at opening.
func checkInputs(in Inputs) error {
	if in.Statutory < 0 || in.Present < 0 || in.Conflicted < 0 || in.Eligible < 0 {
		return fmt.Errorf("%w: negative number in inputs %+v", ErrRule, in)
	}
	if in.Conflicted > in.Present || in.Eligible > in.Present-in.Conflicted {
		return fmt.Errorf("%w: %d eligible of %d present with %d conflicted", ErrRule, in.Eligible, in.Present, in.Conflicted)
	}
	if in.Statutory > 0 && in.Present > in.Statutory {
		return fmt.Errorf("%w: %d present of %d statutory members", ErrRule, in.Present, in.Statutory)
	}
	return nil
}
