package live

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/voting"
)

// EvPoll carries a poll whenever it opens, pauses, resumes, receives
// ballots (announced shortly after), closes or is cancelled.
const EvPoll EventKind = "poll" // PollView

// PollView is a poll as an audience sees it. Open and named polls show
// each member's choice to everyone who may see the item (members and, for
// a public item, the public); a secret poll shows only how many ballots
// were cast (and, to members and staff, who has voted), and after it
// closes the list of receipts and choices in random order.
type PollView struct {
	ID         council.ID         `json:"id"`
	ItemID     council.ID         `json:"item_id"`
	Position   int                `json:"position"`
	Kind       voting.Kind        `json:"kind"`
	Question   string             `json:"question"`
	Rule       string             `json:"rule,omitempty"`
	Profile    string             `json:"profile"`
	Seats      int                `json:"seats,omitempty"`
	Round      int                `json:"round,omitempty"`
	Previous   council.ID         `json:"previous,omitzero"`
	State      meetings.PollState `json:"state"`
	Reason     string             `json:"reason,omitempty"`
	Remote     bool               `json:"remote"`           // remote members take part
	Change     bool               `json:"change,omitempty"` // a member may change an open or named ballot until the close (profile)
	Inputs     voting.Inputs      `json:"inputs"`
	Choices    []string           `json:"choices"` // what a ballot may say
	Candidates []voting.Candidate `json:"candidates,omitempty"`
	Eligible   []EligibleView     `json:"eligible"`
	Ballots    int                `json:"ballots"` // cast so far, or at close
	// Secret polls, members and staff: how many members the clerk ticked
	// off as voting on paper, and how many ballots the urn holds (paper
	// ballots are entered until it holds one per voter).
	Paper    int            `json:"paper,omitempty"`
	Urn      int            `json:"urn,omitempty"`
	Voted    []council.ID   `json:"voted,omitempty"` // who has voted (open and named: everyone; secret: members and staff)
	Votes    []VoteView     `json:"votes,omitempty"` // open and named: each member's choice
	Tally    *voting.Tally  `json:"tally,omitempty"` // closed yes/no polls
	Outcome  voting.Outcome `json:"outcome,omitempty"`
	Result   *voting.Result `json:"result,omitempty"`
	Election *ElectionView  `json:"election,omitempty"`
	Receipts []ReceiptView  `json:"receipts,omitempty"` // closed secret polls: the urn in random order
	Text     string         `json:"text,omitempty"`     // the result in words, as recorded on the item
	OpenedAt time.Time      `json:"opened_at"`
	ClosedAt *time.Time     `json:"closed_at,omitempty"`
}

// EligibleView is a member who may vote in a poll.
type EligibleView struct {
	PersonID council.ID `json:"person_id"`
	Name     string     `json:"name"`
	Mode     string     `json:"mode"` // room or remote when the poll opened
}

// VoteView is a member's choice in an open or named poll.
type VoteView struct {
	PersonID council.ID `json:"person_id"`
	Name     string     `json:"name"`
	Choice   []string   `json:"choice"`
	Via      string     `json:"via"`
}

// ReceiptView is one published secret ballot.
type ReceiptView struct {
	Receipt string   `json:"receipt"`
	Choice  []string `json:"choice"`
}

// ElectionView is an election round's votes per candidate and outcome.
type ElectionView struct {
	Votes   map[string]int         `json:"votes"`
	Abstain int                    `json:"abstain,omitempty"`
	No      int                    `json:"no,omitempty"`
	Result  *voting.ElectionResult `json:"result"`
	Seed    string                 `json:"seed"` // published when the round closes
}

// pollView builds the full view of poll p (for members and staff); public
// strips what the public may not see of a running secret poll.
func pollView(ctx context.Context, ms *meetings.Store, p meetings.Poll, prof voting.Profile) (PollView, error) {
	v := PollView{ID: p.ID, ItemID: p.ItemID, Position: p.Position, Kind: p.Kind, Question: p.Question, Rule: p.Rule,
		Profile: p.Profile, Seats: p.Seats, Round: p.Round, Previous: p.PreviousID, State: p.State, Reason: p.Reason,
		Remote: p.Remote, Change: prof.ChangeBallot && !p.Secret(), Inputs: p.Inputs, Candidates: p.Candidates, OpenedAt: p.OpenedAt, Outcome: p.Outcome}
	if p.Kind == voting.Election {
		for _, c := range p.Candidates {
			v.Choices = append(v.Choices, c.ID)
		}
		v.Choices = append(v.Choices, string(voting.No))
		if prof.AbstainAllowed {
			v.Choices = append(v.Choices, string(voting.Abstain))
		}
	} else {
		for _, c := range prof.Choices() {
			v.Choices = append(v.Choices, string(c))
		}
	}
	if !p.ClosedAt.IsZero() {
		t := p.ClosedAt
		v.ClosedAt = &t
	}
	el, voted, err := ms.PollEligible(ctx, p.ID)
	if err != nil {
		return v, err
	}
	v.Eligible = make([]EligibleView, 0, len(el))
	for _, e := range el {
		v.Eligible = append(v.Eligible, EligibleView{PersonID: e.PersonID, Name: e.Name, Mode: string(e.Mode)})
		if voted[e.PersonID] {
			v.Voted = append(v.Voted, e.PersonID)
		}
	}
	v.Ballots = len(voted)
	if p.Secret() && p.State.Running() {
		_, _, paper, err := ms.PollCounts(ctx, p)
		if err != nil {
			return v, err
		}
		if v.Urn, err = ms.UrnSize(ctx, p.ID); err != nil {
			return v, err
		}
		v.Paper = paper
	}
	if !p.Secret() {
		votes, err := ms.Votes(ctx, p.ID)
		if err != nil {
			return v, err
		}
		for _, x := range votes {
			v.Votes = append(v.Votes, VoteView{PersonID: x.PersonID, Name: x.Name, Choice: x.Choice, Via: string(x.Via)})
		}
	}
	if p.State != meetings.PollClosed {
		return v, nil
	}
	if p.Kind == voting.Election && p.Election != nil {
		counts, _, _, err := ms.PollCounts(ctx, p)
		if err != nil {
			return v, err
		}
		ev := &ElectionView{Votes: map[string]int{}, Abstain: counts[string(voting.Abstain)], No: counts[string(voting.No)],
			Result: p.Election, Seed: p.Seed}
		for _, c := range p.Candidates {
			ev.Votes[c.ID] = counts[c.ID]
		}
		v.Election = ev
	} else {
		t := p.Tally
		v.Tally, v.Result = &t, p.Result
	}
	v.Text = PollResult(p)
	if p.Secret() {
		bs, err := ms.SecretBallots(ctx, p.ID)
		if err != nil {
			return v, err
		}
		for _, b := range bs {
			v.Receipts = append(v.Receipts, ReceiptView{Receipt: b.Receipt, Choice: b.Choice})
		}
	}
	return v, nil
}

// public is what the public sees of v: a secret poll without who voted.
func (v PollView) public() PollView {
	if v.Kind == voting.Secret || v.Kind == voting.Election {
		v.Voted, v.Paper, v.Urn = nil, 0, 0
	}
	return v
}

// pollEvent announces poll p to those who may see the current item: the
// public for a public item in the public part (without who voted in a
// secret poll), members otherwise.
func (cc *cmdCtx) pollEvent(ctx context.Context, p meetings.Poll) (event, error) {
	prof, err := cc.profile()
	if err != nil {
		return event{}, err
	}
	v, err := pollView(ctx, meetings.NewStore(cc.st.db), p, prof)
	if err != nil {
		return event{}, err
	}
	aud, err := cc.contentAudience(ctx)
	if err != nil {
		return event{}, err
	}
	if aud == AudiencePublic && p.Secret() {
		return event{Kind: EvPoll, Audience: AudienceMembers, Payload: v, Redacted: v.public()}, nil
	}
	return event{Kind: EvPoll, Audience: aud, Payload: v}, nil
}

// itemPolls announces the polls of the current item after an
// item_changed (pages start the item's list afresh with it).
func (cc *cmdCtx) itemPolls(ctx context.Context) ([]event, error) {
	if cc.s.ItemID == council.NilID {
		return nil, nil
	}
	byItem, err := meetings.NewStore(cc.st.db).PollsOfItems(ctx, []council.ID{cc.s.ItemID})
	if err != nil {
		return nil, err
	}
	var evs []event
	for _, p := range byItem[cc.s.ItemID] {
		e, err := cc.pollEvent(ctx, p)
		if err != nil {
			return nil, err
		}
		evs = append(evs, e)
	}
	return evs, nil
}

// PollResult returns a closed or cancelled poll's result in words (German,
// the language of the record): "angenommen (12 Ja, 3 Nein, 1 Enthaltung)".
func PollResult(p meetings.Poll) string {
	switch {
	case p.State == meetings.PollCancelled:
		return "abgebrochen: " + p.Reason
	case p.State != meetings.PollClosed:
		return ""
	case p.Kind == voting.Election && p.Election != nil:
		name := map[string]string{}
		for _, c := range p.Candidates {
			name[c.ID] = c.Name
		}
		var names []string
		switch p.Election.Outcome {
		case voting.Elected:
			for _, id := range p.Election.Elected {
				names = append(names, name[id])
			}
			s := fmt.Sprintf("%d. Wahlgang: gewählt %s", p.Round, strings.Join(names, ", "))
			if p.Election.Lots != nil {
				s += " (durch Los)"
			}
			return s
		case voting.Runoff:
			for _, id := range p.Election.Runoff {
				names = append(names, name[id])
			}
			return fmt.Sprintf("%d. Wahlgang: keine erforderliche Mehrheit; Stichwahl zwischen %s", p.Round, strings.Join(names, " und "))
		}
		return fmt.Sprintf("%d. Wahlgang: ohne Ergebnis", p.Round)
	}
	word := map[voting.Outcome]string{voting.Accepted: "angenommen", voting.Rejected: "abgelehnt"}[p.Outcome]
	abst := "Enthaltungen"
	if p.Tally.Abstain == 1 {
		abst = "Enthaltung"
	}
	s := fmt.Sprintf("%s (%d Ja, %d Nein, %d %s", word, p.Tally.Yes, p.Tally.No, p.Tally.Abstain, abst)
	if p.Inputs.Conflicted > 0 {
		s += fmt.Sprintf(", %d befangen", p.Inputs.Conflicted)
	}
	s += ")"
	if p.Result != nil && p.Result.Tie {
		s += " bei Stimmengleichheit"
	}
	return s
}

// ItemResult returns the record of an item's polls in words: the one
// result, or one line per poll with its question.
func ItemResult(ps []meetings.Poll) string {
	var lines, results []string
	for _, p := range ps {
		if p.State != meetings.PollClosed {
			continue
		}
		results = append(results, PollResult(p))
		lines = append(lines, p.Question+": "+PollResult(p))
	}
	if len(lines) == 1 {
		return results[0]
	}
	return strings.Join(lines, "\n")
}
