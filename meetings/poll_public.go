package meetings

import (
	"context"
	"fmt"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/voting"
)

// What of a poll is published after the session (docs/VOTING.md,
// section Publication): the portal's meeting page and OParl's plenar:poll read
// it here, through the store's readers, without SQL of their own.

// Published reports whether p is published with its agenda item: closed
// (counted) or cancelled. A running poll is shown only in the live
// session.
func (p Poll) Published() bool { return p.State == PollClosed || p.State == PollCancelled }

// PublishedPoll is a closed or cancelled poll with what is published of
// it. A cancelled poll carries its inputs and reason only: its ballots
// count for nothing and are not published.
type PublishedPoll struct {
	Poll
	// Votes are the members' choices of a closed open or named poll, in
	// roster order (public by law).
	Votes []Vote
	// Receipts are the ballots of a closed secret poll or election
	// ordered by receipt code (random with respect to the voters), so
	// each voter can find theirs and anyone can recount.
	Receipts []SecretBallot
	// Counts are a closed election round's votes per candidate id and
	// its "no" and "abstain" ballots.
	Counts map[string]int
}

// CandidateName returns the name of the election candidate id ("" when
// there is none).
func (p PublishedPoll) CandidateName(id string) string {
	for _, c := range p.Candidates {
		if c.ID == id {
			return c.Name
		}
	}
	return ""
}

// PublishedPolls returns the closed and cancelled polls of the given
// agenda items, by item in order of position (amendments first, election
// rounds in order), with their published ballots. It does not check
// visibility: callers pass only items the viewer may see
// (AgendaItem.ForViewer, agenda_item_published), as they do for the
// items' files.
func (s *Store) PublishedPolls(ctx context.Context, items []council.ID) (map[council.ID][]PublishedPoll, error) {
	all, err := s.PollsOfItems(ctx, items)
	if err != nil {
		return nil, fmt.Errorf("published polls: %w", err)
	}
	out := make(map[council.ID][]PublishedPoll, len(all))
	for item, ps := range all {
		for _, p := range ps {
			if !p.Published() {
				continue
			}
			pp, err := s.publishedPoll(ctx, p)
			if err != nil {
				return nil, fmt.Errorf("published poll %s: %w", p.ID, err)
			}
			out[item] = append(out[item], pp)
		}
	}
	return out, nil
}

func (s *Store) publishedPoll(ctx context.Context, p Poll) (PublishedPoll, error) {
	pp := PublishedPoll{Poll: p}
	if p.State != PollClosed {
		return pp, nil
	}
	var err error
	if !p.Secret() {
		pp.Votes, err = s.Votes(ctx, p.ID)
		return pp, err
	}
	if pp.Receipts, err = s.SecretBallots(ctx, p.ID); err != nil {
		return pp, err
	}
	if p.Kind == voting.Election {
		counts, _, _, err := s.PollCounts(ctx, p)
		if err != nil {
			return pp, err
		}
		pp.Counts = map[string]int{string(voting.No): counts[string(voting.No)], string(voting.Abstain): counts[string(voting.Abstain)]}
		for _, c := range p.Candidates {
			pp.Counts[c.ID] = counts[c.ID]
		}
	}
	return pp, nil
}
