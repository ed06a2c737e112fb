package portal

import (
	"slices"
	"strings"

	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/voting"
)

// pollView is a closed or cancelled poll on the meeting page
// (docs/VOTING.md, section Publication): its inputs, counts and outcome, each
// member's choice in an open or named poll, the receipt list of a secret
// one, an election round's votes per candidate and its draw of lots.
// The template turns the codes (kind, rule, outcome, choices) into words.
type pollView struct {
	Anchor     string // the id of its section ("poll-<id>")
	Position   int
	Kind       string
	Question   string
	Rule       string
	Round      int
	Seats      int
	Cancelled  bool
	Reason     string
	Inputs     voting.Inputs
	Tally      voting.Tally
	Voters     int
	Outcome    string
	Needed     int
	Base       int
	Tie        bool
	Votes      []voteRow
	Receipts   []receiptRow
	Found      *receiptRow // the receipt the visitor looked up, when in this poll
	Candidates []candidateRow
	Elected    []string // names
	Runoff     []string // names
	Seed       string
	Lots       *lotsView
}

// voteRow is a member's choice in an open or named poll.
type voteRow struct {
	Name   string
	Choice string // yes, no, abstain
}

// receiptRow is one published secret ballot: Choice is "yes", "no",
// "abstain" (a yes/no poll) or empty, and Names the candidates of an
// election ballot (empty: the choice word, or an empty ballot).
type receiptRow struct {
	Receipt string
	Choice  string
	Names   string
	Found   bool
}

type candidateRow struct {
	ID      string
	Name    string
	Votes   int
	Elected bool
	Runoff  bool
}

// lotsView is a draw of lots and the shell command that checks it.
type lotsView struct {
	Seed    string
	Order   []string // names, the first wins
	Command string
}

// pollViews builds the meeting page's view of an item's polls; receipt is
// a receipt code the visitor looks up ("" none).
func pollViews(ps []meetings.PublishedPoll, receipt string) []pollView {
	var out []pollView
	for _, p := range ps {
		out = append(out, newPollView(p, receipt))
	}
	return out
}

func newPollView(p meetings.PublishedPoll, receipt string) pollView {
	v := pollView{Anchor: "poll-" + p.ID.String(), Position: p.Position, Kind: string(p.Kind), Question: p.Question,
		Rule: p.Rule, Round: p.Round, Seats: p.Seats, Cancelled: p.State == meetings.PollCancelled, Reason: p.Reason,
		Inputs: p.Inputs, Tally: p.Tally, Voters: p.Ballots, Outcome: string(p.Outcome)}
	if p.Result != nil {
		v.Needed, v.Base, v.Tie = p.Result.Needed, p.Result.Base, p.Result.Tie
	}
	for _, x := range p.Votes {
		v.Votes = append(v.Votes, voteRow{Name: x.Name, Choice: first(x.Choice)})
	}
	election := p.Kind == voting.Election
	for _, b := range p.Receipts {
		r := receiptRow{Receipt: b.Receipt, Found: b.Receipt == receipt}
		if election && len(b.Choice) > 0 && b.Choice[0] != string(voting.No) && b.Choice[0] != string(voting.Abstain) {
			var names []string
			for _, id := range b.Choice {
				names = append(names, p.CandidateName(id))
			}
			r.Names = strings.Join(names, ", ")
		} else {
			r.Choice = first(b.Choice)
		}
		v.Receipts = append(v.Receipts, r)
		if r.Found {
			found := r
			v.Found = &found
		}
	}
	e := p.Election
	if !election || e == nil {
		return v
	}
	v.Outcome, v.Needed, v.Seed = string(e.Outcome), e.Needed, p.Seed
	for _, c := range p.Candidates {
		v.Candidates = append(v.Candidates, candidateRow{ID: c.ID, Name: c.Name, Votes: p.Counts[c.ID],
			Elected: slices.Contains(e.Elected, c.ID), Runoff: slices.Contains(e.Runoff, c.ID)})
	}
	v.Tally = voting.Tally{No: p.Counts[string(voting.No)], Abstain: p.Counts[string(voting.Abstain)]}
	for _, id := range e.Elected {
		v.Elected = append(v.Elected, p.CandidateName(id))
	}
	for _, id := range e.Runoff {
		v.Runoff = append(v.Runoff, p.CandidateName(id))
	}
	if d := e.Lots; d != nil {
		lv := &lotsView{Seed: d.Seed, Command: lotsCommand(d)}
		for _, id := range d.Order {
			lv.Order = append(lv.Order, p.CandidateName(id)+" ("+id+")")
		}
		v.Lots = lv
	}
	return v
}

// lotsCommand is the shell command of docs/VOTING.md, section Drawing lots,
// that recomputes draw d: the smallest hash wins.
func lotsCommand(d *voting.Draw) string {
	return "seed='" + strings.ReplaceAll(d.Seed, "'", `'\''`) + "'\nfor id in " + strings.Join(d.Among, " ") +
		"; do\n  printf '%s %s\\n' \"$(printf '%s' \"$seed:$id\" | sha256sum | cut -d' ' -f1)\" \"$id\"\ndone | sort"
}

func first(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}
