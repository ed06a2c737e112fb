package oparl

import (
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/voting"
)

// poll is the vendor object plenar:poll of an agenda item: one closed or
// cancelled vote on it (docs/OPARL.md, "Polls"). Only public agenda items
// are in OParl, so only their polls are; running polls are live only.
type poll struct {
	Position   int    `json:"position"`
	Kind       string `json:"kind"` // open, named, secret, election
	Question   string `json:"question"`
	Rule       string `json:"rule,omitempty"` // meetings/voting rule code; "" for an election
	Profile    string `json:"profile"`        // Land profile (NW, ST, BY, BW, …)
	State      string `json:"state"`          // closed or cancelled
	Reason     string `json:"reason,omitempty"`
	Round      int    `json:"round"`
	Seats      int    `json:"seats,omitempty"` // elections
	Statutory  int    `json:"statutory"`
	Present    int    `json:"present"`
	Conflicted int    `json:"conflicted"`
	Eligible   int    `json:"eligible"`
	// Counts of a closed poll (absent for a cancelled one). Elections: no
	// and abstain count "nein" and empty ballots, yes is 0; the votes per
	// candidate are in Candidates.
	Yes     *int   `json:"yes,omitempty"`
	No      *int   `json:"no,omitempty"`
	Abstain *int   `json:"abstain,omitempty"`
	Invalid int    `json:"invalid,omitempty"`
	Voters  *int   `json:"voters,omitempty"`  // members who voted
	Outcome string `json:"outcome,omitempty"` // accepted, rejected, elected, runoff, none
	Base    int    `json:"base,omitempty"`    // size of the rule's base
	Needed  int    `json:"needed,omitempty"`  // yes votes (elections: votes) needed
	Tie     bool   `json:"tie,omitempty"`
	Opened  string `json:"opened"`
	Closed  string `json:"closed,omitempty"`
	// Ballots: open and named polls [{person, choice}], secret polls and
	// elections [{receipt, choice}] ordered by receipt; closed polls only
	// (a cancelled poll's ballots count for nothing and are not published).
	Ballots    []ballot     `json:"ballots,omitempty"`
	Candidates []candidate  `json:"candidates,omitempty"`
	Elected    []string     `json:"elected,omitempty"` // candidate ids
	Runoff     []string     `json:"runoff,omitempty"`  // candidate ids of the next round
	Seed       string       `json:"seed,omitempty"`    // the published seed of a draw of lots
	Lots       *voting.Draw `json:"lots,omitempty"`
}

// ballot is one published ballot. Choice is "yes", "no" or "abstain" in a
// yes/no poll; in an election a list of candidate ids, ["no"],
// ["abstain"] or [] (empty ballot).
type ballot struct {
	Person  string `json:"person,omitempty"`
	Receipt string `json:"receipt,omitempty"`
	Choice  any    `json:"choice"`
}

type candidate struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Votes int    `json:"votes"`
}

func (h *Handler) polls(ps []meetings.PublishedPoll) []*poll {
	var out []*poll
	for _, p := range ps {
		out = append(out, h.poll(p))
	}
	return out
}

func (h *Handler) poll(p meetings.PublishedPoll) *poll {
	r := &poll{Position: p.Position, Kind: string(p.Kind), Question: p.Question, Rule: p.Rule, Profile: p.Profile,
		State: string(p.State), Reason: p.Reason, Round: p.Round, Statutory: p.Inputs.Statutory, Present: p.Inputs.Present,
		Conflicted: p.Inputs.Conflicted, Eligible: p.Inputs.Eligible, Opened: h.dateTime(p.OpenedAt),
		Closed: h.dateTime(p.ClosedAt)}
	if p.Kind == voting.Election {
		r.Seats = p.Seats
		for _, c := range p.Candidates {
			r.Candidates = append(r.Candidates, candidate{ID: c.ID, Name: c.Name, Votes: p.Counts[c.ID]})
		}
	}
	if p.State != meetings.PollClosed {
		return r
	}
	yes, no, abstain, voters := p.Tally.Yes, p.Tally.No, p.Tally.Abstain, p.Ballots
	r.Yes, r.No, r.Abstain, r.Voters, r.Invalid, r.Outcome = &yes, &no, &abstain, &voters, p.Tally.Invalid, string(p.Outcome)
	if p.Result != nil {
		r.Base, r.Needed, r.Tie = p.Result.Base, p.Result.Needed, p.Result.Tie
	}
	if e := p.Election; e != nil {
		no, abstain = p.Counts[string(voting.No)], p.Counts[string(voting.Abstain)]
		r.Outcome, r.Needed, r.Elected, r.Runoff, r.Seed, r.Lots = string(e.Outcome), e.Needed, e.Elected, e.Runoff, p.Seed, e.Lots
	}
	for _, v := range p.Votes {
		r.Ballots = append(r.Ballots, ballot{Person: h.u.obj(pPerson, v.PersonID), Choice: choice(p.Kind, v.Choice)})
	}
	for _, b := range p.Receipts {
		r.Ballots = append(r.Ballots, ballot{Receipt: b.Receipt, Choice: choice(p.Kind, b.Choice)})
	}
	return r
}

// choice is a ballot's choice as published: one word in a yes/no poll,
// the list in an election.
func choice(k voting.Kind, c []string) any {
	if k == voting.Election {
		if c == nil {
			return []string{}
		}
		return c
	}
	if len(c) == 0 {
		return ""
	}
	return c[0]
}
