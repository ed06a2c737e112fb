package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/voting"
)

// Votes (docs/VOTING.md): the chair opens a poll on the current item,
// members cast ballots (the clerk enters those of members in the room),
// the chair closes it and the result goes on the record of the item.
const (
	CmdOpenPoll    CommandName = "open_poll"
	CmdCastBallot  CommandName = "cast_ballot"
	CmdRoomVote    CommandName = "room_vote"
	CmdPaperBallot CommandName = "paper_ballot"
	CmdClosePoll   CommandName = "close_poll"
	CmdCancelPoll  CommandName = "cancel_poll"
	// CmdPollProgress announces how many ballots were cast; the hub gives
	// it itself, shortly after ballots arrive.
	CmdPollProgress CommandName = "poll_progress"
)

// OpenPoll opens a poll on the current agenda item.
type OpenPoll struct {
	Kind       voting.Kind
	Question   string
	Rule       string   // a rule code of the session's profile; "": the profile's default (not for elections)
	Seats      int      // elections: seats to fill; 0: one
	Candidates []string // elections: the candidates' names
	// Previous: the next round of an election whose round ended in a
	// run-off, or a repeat of a cancelled poll (same question, kind and
	// rule, a new list of who may vote).
	Previous council.ID
}

// CastBallot casts a member's ballot: by the member (Person NilID or
// themself), or by the clerk for a member in the room — in a secret poll
// only as "voted on paper", without a choice.
type CastBallot struct {
	Person council.ID
	Poll   council.ID
	Choice []string // "yes", "no", "abstain", or candidate ids ("c1"…); empty: an empty election ballot
	// Ballot is the client's random id of this ballot (8–64 characters):
	// a retry with the same id is answered as the first time; in a secret
	// poll the receipt code is derived from it (meetings.Receipt).
	Ballot string
}

// RoomVote enters one choice for every member in the room who has not
// voted yet except those named (a show of hands: "all in the room: yes",
// with the exceptions entered one by one). Not for secret polls.
type RoomVote struct {
	Poll   council.ID
	Choice string
	Except []council.ID
}

// PaperBallot puts one counted paper ballot from the room's urn into a
// secret poll (the clerk reads it out); there may be no more paper
// ballots than members ticked off as voting on paper.
type PaperBallot struct {
	Poll   council.ID
	Choice []string
}

// ClosePoll closes the running poll and records its result.
type ClosePoll struct{ Poll council.ID }

// CancelPoll cancels the running poll with a reason; its ballots count for
// nothing, and it stays on the record.
type CancelPoll struct {
	Poll   council.ID
	Reason string
}

// PollProgress announces the running poll's ballots when they changed.
type PollProgress struct{}

// Name returns the command's name, for Command.
func (OpenPoll) Name() CommandName     { return CmdOpenPoll }
func (CastBallot) Name() CommandName   { return CmdCastBallot }
func (RoomVote) Name() CommandName     { return CmdRoomVote }
func (PaperBallot) Name() CommandName  { return CmdPaperBallot }
func (ClosePoll) Name() CommandName    { return CmdClosePoll }
func (CancelPoll) Name() CommandName   { return CmdCancelPoll }
func (PollProgress) Name() CommandName { return CmdPollProgress }

func (c CastBallot) member() council.ID { return c.Person }

// maxCandidates is the most candidates an election may have.
const maxCandidates = 50

func (c OpenPoll) validate() error {
	q := strings.TrimSpace(c.Question)
	switch {
	case !c.Kind.Valid():
		return council.Invalidf("unknown poll kind %q: want open, named, secret or election", c.Kind)
	case c.Previous == council.NilID && q == "":
		return council.Invalidf("a poll needs a question")
	case !utf8.ValidString(c.Question) || utf8.RuneCountInString(c.Question) > 500:
		return council.Invalidf("the question is longer than 500 characters or not UTF-8")
	case c.Seats < 0 || c.Seats > maxCandidates:
		return council.Invalidf("seats: %d out of range", c.Seats)
	case len(c.Candidates) > maxCandidates:
		return council.Invalidf("more than %d candidates", maxCandidates)
	case c.Kind != voting.Election && len(c.Candidates) > 0:
		return council.Invalidf("only an election has candidates")
	}
	for _, n := range c.Candidates {
		if strings.TrimSpace(n) == "" || !utf8.ValidString(n) || utf8.RuneCountInString(n) > 200 {
			return council.Invalidf("a candidate needs a name of at most 200 characters")
		}
	}
	return nil
}

func checkBallotID(b string) error {
	if len(b) < 8 || len(b) > 64 || strings.Trim(b, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_") != "" {
		return council.Invalidf("ballot: want a random id of 8 to 64 letters, digits, - or _")
	}
	return nil
}

func (c CastBallot) validate() error {
	if c.Poll == council.NilID {
		return council.Invalidf("name the poll")
	}
	if len(c.Choice) > maxCandidates {
		return council.Invalidf("too many choices")
	}
	if c.Ballot == "" && c.Person != council.NilID {
		return nil // the clerk's entry for a member in the room needs no ballot id
	}
	return checkBallotID(c.Ballot)
}

func (c RoomVote) validate() error {
	if c.Poll == council.NilID {
		return council.Invalidf("name the poll")
	}
	if len(c.Except) > 500 {
		return council.Invalidf("too many exceptions")
	}
	return nil
}

func (c CancelPoll) validate() error {
	if c.Poll == council.NilID {
		return council.Invalidf("name the poll")
	}
	return checkText(c.Reason)
}

func votingCommands() []spec {
	console := permission{chair: true, clerk: true}
	pollEvent := []EventKind{EvPoll}
	return []spec{
		cmd[OpenPoll]{
			who:   console,
			emits: pollEvent,
			decode: func(w *wire) OpenPoll {
				return OpenPoll{Kind: voting.Kind(w.text("kind")), Question: w.text("text"), Rule: w.text("rule"),
					Seats: w.number("seats", 0, maxCandidates), Candidates: w.list("candidates", maxCandidates), Previous: w.id("poll")}
			},
			run: (*cmdCtx).openPoll,
		}.spec(),
		cmd[CastBallot]{
			who:      permission{self: true, clerk: true},
			lockless: true,
			decode: func(w *wire) CastBallot {
				return CastBallot{Person: w.id("person"), Poll: w.id("poll"), Choice: w.list("choice", maxCandidates), Ballot: w.text("ballot")}
			},
			run: (*cmdCtx).castBallot,
		}.spec(),
		cmd[RoomVote]{
			who:      permission{clerk: true},
			lockless: true,
			decode: func(w *wire) RoomVote {
				var except []council.ID
				for _, s := range w.list("except", 500) {
					id, err := council.ParseID(s)
					if err != nil {
						w.fail(fmt.Errorf("except: %w", err))
					}
					except = append(except, id)
				}
				return RoomVote{Poll: w.id("poll"), Choice: w.text("choice"), Except: except}
			},
			run: (*cmdCtx).roomVote,
		}.spec(),
		cmd[PaperBallot]{
			who:      permission{clerk: true},
			lockless: true,
			decode: func(w *wire) PaperBallot {
				return PaperBallot{Poll: w.id("poll"), Choice: w.list("choice", maxCandidates)}
			},
			run: (*cmdCtx).paperBallot,
		}.spec(),
		cmd[ClosePoll]{
			who:    console,
			emits:  pollEvent,
			decode: func(w *wire) ClosePoll { return ClosePoll{Poll: w.id("poll")} },
			run:    (*cmdCtx).closePoll,
		}.spec(),
		cmd[CancelPoll]{
			who:    console,
			emits:  pollEvent,
			decode: func(w *wire) CancelPoll { return CancelPoll{Poll: w.id("poll"), Reason: w.text("text")} },
			run:    (*cmdCtx).cancelPoll,
		}.spec(),
		cmd[PollProgress]{
			who:   permission{system: true},
			emits: pollEvent,
			run:   (*cmdCtx).pollProgress,
		}.spec(),
	}
}

// profile returns the session's voting profile.
func (cc *cmdCtx) profile() (voting.Profile, error) {
	p, ok := cc.profiles[cc.s.Profile]
	if !ok {
		return voting.Profile{}, fmt.Errorf("%w: the session's voting profile %q is not configured", council.ErrConflict, cc.s.Profile)
	}
	return p, nil
}

// openPoll opens a poll on the current item: it fixes who may vote
// (members with a voting right, present, not conflicted; remote members
// only where the profile lets them take part in this kind of poll) and
// refuses while the session is not quorate.
func (cc *cmdCtx) openPoll(ctx context.Context, c OpenPoll) ([]event, error) {
	if err := cc.needItem(); err != nil {
		return nil, err
	}
	ms := meetings.NewStore(cc.st.db)
	if _, running, err := ms.RunningPoll(ctx, cc.s.MeetingID); err != nil {
		return nil, err
	} else if running {
		return nil, fmt.Errorf("%w: another poll is running; close or cancel it first", council.ErrConflict)
	}
	prof, err := cc.profile()
	if err != nil {
		return nil, err
	}
	p := meetings.Poll{ID: council.NewID(), MeetingID: cc.s.MeetingID, ItemID: cc.s.ItemID, Kind: c.Kind,
		Question: strings.TrimSpace(c.Question), Rule: c.Rule, Profile: prof.Code, Seats: max(c.Seats, 1), Round: 1, OpenedAt: cc.now}
	for i, n := range c.Candidates {
		p.Candidates = append(p.Candidates, voting.Candidate{ID: fmt.Sprintf("c%d", i+1), Name: strings.TrimSpace(n)})
	}
	if c.Previous != council.NilID {
		if p, err = cc.followUp(ctx, ms, p, c.Previous); err != nil {
			return nil, err
		}
	}
	if p.Kind == voting.Election {
		p.Rule = ""
		if len(p.Candidates) < p.Seats || len(p.Candidates) == 0 {
			return nil, council.Invalidf("an election for %d seat(s) needs at least as many candidates", p.Seats)
		}
		var seed [16]byte
		_, _ = rand.Read(seed[:])
		p.Seed = hex.EncodeToString(seed[:])
	} else {
		if p.Rule == "" && len(prof.Rules) > 0 {
			p.Rule = prof.Rules[0]
		}
		if !slices.Contains(prof.Rules, p.Rule) {
			return nil, council.Invalidf("rule %q is not one of the %s profile's rules %v", p.Rule, prof.Name, prof.Rules)
		}
	}
	q, err := quorum(ctx, cc.st, cc.s)
	if err != nil {
		return nil, err
	}
	if !q.Quorate {
		return nil, fmt.Errorf("%w: the session is not quorate for this item (%d of %d members counted, %d needed); a poll cannot open",
			council.ErrConflict, q.Counted, q.Seats, q.Needed)
	}
	pol := prof.RemoteFor(p.Kind)
	p.Remote = pol.Allowed
	if !pol.Allowed && cc.s.Mode == voting.Digital {
		return nil, fmt.Errorf("%w: remote members may not take part in a %s poll under the %s profile (%s), and this session is digital",
			council.ErrConflict, p.Kind, prof.Name, pol.Source)
	}
	r, err := cc.st.roster(ctx, cc.s.MeetingID)
	if err != nil {
		return nil, err
	}
	if !pol.Allowed && pol.FollowUp == voting.FollowUpRefused &&
		slices.ContainsFunc(r, func(a meetings.Attendee) bool { return a.Voting && a.Mode == meetings.Remote }) {
		return nil, fmt.Errorf("%w: a %s poll cannot be held while members take part remotely under the %s profile (%s); hold it with everyone in the room",
			council.ErrConflict, p.Kind, prof.Name, pol.Source)
	}
	conf, err := cc.st.conflicted(ctx, cc.s.ItemID)
	if err != nil {
		return nil, err
	}
	var el []meetings.Eligible
	for _, a := range r {
		if !a.Voting || !a.Mode.Present() {
			continue
		}
		p.Inputs.Present++
		if conf[a.PersonID] {
			p.Inputs.Conflicted++
			continue
		}
		if a.Mode == meetings.Remote && !p.Remote {
			continue
		}
		el = append(el, meetings.Eligible{PersonID: a.PersonID, Name: a.Name, Mode: a.Mode})
	}
	p.Inputs.Statutory, p.Inputs.Eligible = cc.s.Seats, len(el)
	if len(el) == 0 {
		return nil, fmt.Errorf("%w: nobody present may vote in this poll", council.ErrConflict)
	}
	if p, err = ms.OpenPoll(ctx, p, el, cc.actor.UserID); err != nil {
		return nil, err
	}
	cc.knowPoll(p, prof)
	e, err := cc.pollEvent(ctx, p)
	return []event{e}, err
}

// followUp fills p from the poll it follows: the next round of an election
// that ended in a run-off, or a repeat of a cancelled poll.
func (cc *cmdCtx) followUp(ctx context.Context, ms *meetings.Store, p meetings.Poll, prevID council.ID) (meetings.Poll, error) {
	prev, err := ms.Poll(ctx, prevID, "")
	if err != nil {
		return p, err
	}
	if prev.MeetingID != cc.s.MeetingID || prev.ItemID != cc.s.ItemID {
		return p, council.Invalidf("poll %s is not on the current agenda item", prevID)
	}
	p.Kind, p.Question, p.Rule, p.Seats, p.PreviousID = prev.Kind, prev.Question, prev.Rule, prev.Seats, prev.ID
	p.Candidates = prev.Candidates
	switch {
	case prev.State == meetings.PollCancelled:
		p.Round = prev.Round
	case prev.Kind == voting.Election && prev.Outcome == voting.Runoff && prev.Election != nil:
		p.Round = prev.Round + 1
		p.Candidates = nil
		for _, c := range prev.Candidates {
			if slices.Contains(prev.Election.Runoff, c.ID) {
				p.Candidates = append(p.Candidates, c)
			}
		}
	default:
		return p, fmt.Errorf("%w: poll %s is neither cancelled nor an election round that ended in a run-off", council.ErrConflict, prevID)
	}
	return p, nil
}

// runningPoll loads poll id of this session for a ballot (locked FOR
// SHARE: ballots go in side by side, closing waits for them) and checks
// that it takes ballots.
func (cc *cmdCtx) runningPoll(ctx context.Context, id council.ID, lock string) (meetings.Poll, error) {
	p, err := cc.poll(ctx, meetings.NewStore(cc.st.db), id, lock)
	if err != nil {
		return p, err
	}
	return p, takesBallots(p)
}

// takesBallots says why poll p takes no ballots, if it does not.
func takesBallots(p meetings.Poll) error {
	switch p.State {
	case meetings.PollPaused:
		return fmt.Errorf("%w: the poll is paused because of a complaint (Rüge); wait for the chair", council.ErrConflict)
	case meetings.PollClosed:
		return fmt.Errorf("%w: the poll is closed", council.ErrConflict)
	case meetings.PollCancelled:
		return fmt.Errorf("%w: the poll was cancelled", council.ErrConflict)
	}
	return nil
}

// poll loads poll id of this session with lock (meetings.Store.Poll).
// Errors: ErrNotFound for a poll of no or another session.
func (cc *cmdCtx) poll(ctx context.Context, ms *meetings.Store, id council.ID, lock string) (meetings.Poll, error) {
	p, err := ms.Poll(ctx, id, lock)
	if err == nil && p.MeetingID != cc.s.MeetingID {
		err = fmt.Errorf("%w: no poll %s in this session", council.ErrNotFound, id)
	}
	return p, err
}

// checkChoice checks a ballot's choice against the poll and the profile.
func checkChoice(p meetings.Poll, prof voting.Profile, choice []string) error {
	if p.Kind == voting.Election {
		if len(choice) == 1 && choice[0] == string(voting.Abstain) {
			if !prof.AbstainAllowed {
				return council.Invalidf("abstaining is not allowed under the %s profile", prof.Name)
			}
			return nil
		}
		if len(choice) == 1 && choice[0] == string(voting.No) {
			return nil // "Nein" to every candidate; the profile says whether it is a valid vote
		}
		if len(choice) > p.Seats {
			return council.Invalidf("a ballot names at most %d candidate(s)", p.Seats)
		}
		if len(choice) == 0 {
			return council.Invalidf("name a candidate, or vote no or abstain")
		}
		seen := map[string]bool{}
		for _, c := range choice {
			if seen[c] || !slices.ContainsFunc(p.Candidates, func(x voting.Candidate) bool { return x.ID == c }) {
				return council.Invalidf("%q is not a candidate of this round (or named twice)", c)
			}
			seen[c] = true
		}
		return nil
	}
	if len(choice) != 1 || !slices.Contains(prof.Choices(), voting.Choice(choice[0])) {
		return council.Invalidf("choice %v is not offered: want one of %v", choice, prof.Choices())
	}
	return nil
}

// castBallot records one ballot. The database refuses a second ballot of
// the same member and a member who may not vote, in this transaction,
// which holds the poll row FOR SHARE; the ballot is acknowledged only
// after commit. A retry with the same ballot id is answered as the first
// time.
func (cc *cmdCtx) castBallot(ctx context.Context, c CastBallot) ([]event, error) {
	ms := meetings.NewStore(cc.st.db)
	p, el, err := ms.BallotPoll(ctx, c.Poll, cc.target.PersonID)
	if err == nil && p.MeetingID != cc.s.MeetingID {
		err = fmt.Errorf("%w: no poll %s in this session", council.ErrNotFound, c.Poll)
	}
	if err != nil {
		return nil, err
	}
	if err := takesBallots(p); err != nil {
		return nil, err
	}
	prof, err := cc.profile()
	if err != nil {
		return nil, err
	}
	if !el.Eligible {
		return nil, fmt.Errorf("%w: %s may not vote in this poll (not present with a voting right when it opened, conflicted, or remote where remote members do not take part)",
			council.ErrForbidden, cc.target.Name)
	}
	via := meetings.ViaSelf
	if cc.target.PersonID != cc.actor.PersonID {
		via = meetings.ViaClerk
		if el.Mode != meetings.InRoom || cc.target.Mode != meetings.InRoom {
			return nil, fmt.Errorf("%w: the clerk enters ballots only for members in the room; %s votes on their own device",
				council.ErrForbidden, cc.target.Name)
		}
		if p.Secret() {
			via = meetings.ViaPaper
			if len(c.Choice) > 0 {
				return nil, council.Invalidf("in a secret poll the clerk only ticks off a member voting on paper; the choice goes into the urn (paper_ballot)")
			}
		}
	}
	if via != meetings.ViaPaper {
		if err := checkChoice(p, prof, c.Choice); err != nil {
			return nil, err
		}
		if via == meetings.ViaSelf && c.Ballot == "" {
			return nil, council.Invalidf("a member's ballot needs its ballot id")
		}
	}
	if via == meetings.ViaSelf {
		cc.knowPoll(p, prof)
	}
	if el.Voted {
		return nil, cc.again(ctx, ms, p, prof, c, via)
	}
	// The voter and the ballot go in with one statement: the database
	// refuses a second ballot and a member who may not vote.
	switch {
	case via == meetings.ViaPaper:
		err = ms.AddVoter(ctx, p.ID, cc.target.PersonID, via)
		cc.reply = BallotReply{Poll: p.ID, Person: cc.target.PersonID}
	case p.Secret():
		receipt := meetings.Receipt(p.ID, c.Ballot)
		err = ms.CastBallot(ctx, p.ID, cc.target.PersonID, via, c.Choice, "", receipt, cc.now)
		cc.reply = BallotReply{Poll: p.ID, Person: cc.target.PersonID, Receipt: receipt}
	default:
		err = ms.CastBallot(ctx, p.ID, cc.target.PersonID, via, c.Choice, c.Ballot, "", cc.now)
		cc.reply = BallotReply{Poll: p.ID, Person: cc.target.PersonID, Choice: c.Choice}
	}
	switch {
	case errors.Is(err, meetings.ErrReceiptTaken):
		return nil, fmt.Errorf("%w: this ballot id was used before; send the ballot again with a new id", council.ErrConflict)
	case errors.Is(err, council.ErrConflict):
		return nil, fmt.Errorf("%w: %s has voted already", council.ErrConflict, cc.target.Name)
	}
	return nil, err
}

// again answers a ballot from a member who voted already: the same ballot
// again (a retry) is acknowledged as before; a changed open or named
// ballot replaces the first where the profile allows it; anything else is
// refused.
func (cc *cmdCtx) again(ctx context.Context, ms *meetings.Store, p meetings.Poll, prof voting.Profile, c CastBallot, via meetings.Via) error {
	already := fmt.Errorf("%w: %s has voted already", council.ErrConflict, cc.target.Name)
	switch {
	case via == meetings.ViaPaper:
		return already
	case p.Secret():
		if c.Ballot == "" {
			return already
		}
		receipt := meetings.Receipt(p.ID, c.Ballot)
		choice, ok, err := ms.SecretBallot(ctx, p.ID, receipt)
		if err != nil {
			return err
		}
		if !ok || !slices.Equal(choice, c.Choice) {
			return fmt.Errorf("%w: %s has voted already; a secret ballot cannot be changed", council.ErrConflict, cc.target.Name)
		}
		cc.reply = BallotReply{Poll: p.ID, Person: cc.target.PersonID, Receipt: receipt, Repeated: true}
		return nil
	}
	choice, client, _, err := ms.Choice(ctx, p.ID, cc.target.PersonID)
	if err != nil {
		return err
	}
	if c.Ballot != "" && client == c.Ballot && slices.Equal(choice, c.Choice) {
		cc.reply = BallotReply{Poll: p.ID, Person: cc.target.PersonID, Choice: choice, Repeated: true}
		return nil
	}
	if !prof.ChangeBallot {
		return fmt.Errorf("%w: %s has voted already; the %s profile does not allow changing a ballot", council.ErrConflict, cc.target.Name, prof.Name)
	}
	if err := ms.SetChoice(ctx, p.ID, cc.target.PersonID, c.Choice, c.Ballot, via, cc.now); err != nil {
		return err
	}
	cc.reply = BallotReply{Poll: p.ID, Person: cc.target.PersonID, Choice: c.Choice, Changed: true}
	return nil
}

// roomVote enters choice for every eligible member in the room who has
// not voted, except those named.
func (cc *cmdCtx) roomVote(ctx context.Context, c RoomVote) ([]event, error) {
	p, err := cc.runningPoll(ctx, c.Poll, "share")
	if err != nil {
		return nil, err
	}
	if p.Secret() {
		return nil, council.Invalidf("a secret poll has no show of hands; members in the room vote on paper")
	}
	prof, err := cc.profile()
	if err != nil {
		return nil, err
	}
	if err := checkChoice(p, prof, []string{c.Choice}); err != nil {
		return nil, err
	}
	ms := meetings.NewStore(cc.st.db)
	el, voted, err := ms.PollEligible(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	r, err := cc.st.roster(ctx, cc.s.MeetingID)
	if err != nil {
		return nil, err
	}
	inRoom := map[council.ID]bool{}
	for _, a := range r {
		inRoom[a.PersonID] = a.Mode == meetings.InRoom
	}
	n := 0
	for _, e := range el {
		if voted[e.PersonID] || e.Mode != meetings.InRoom || !inRoom[e.PersonID] || slices.Contains(c.Except, e.PersonID) {
			continue
		}
		if err := ms.AddVoter(ctx, p.ID, e.PersonID, meetings.ViaClerk); err != nil {
			return nil, err
		}
		if err := ms.SetChoice(ctx, p.ID, e.PersonID, []string{c.Choice}, "", meetings.ViaClerk, cc.now); err != nil {
			return nil, err
		}
		n++
	}
	cc.reply = BallotReply{Poll: p.ID, Entered: n}
	return nil, nil
}

// paperBallot adds one paper ballot from the urn to a secret poll.
func (cc *cmdCtx) paperBallot(ctx context.Context, c PaperBallot) ([]event, error) {
	p, err := cc.runningPoll(ctx, c.Poll, "update") // one paper ballot at a time against the count
	if err != nil {
		return nil, err
	}
	if !p.Secret() {
		return nil, council.Invalidf("paper ballots belong to secret polls; enter open and named ballots per member")
	}
	prof, err := cc.profile()
	if err != nil {
		return nil, err
	}
	if err := checkChoice(p, prof, c.Choice); err != nil {
		return nil, err
	}
	ms := meetings.NewStore(cc.st.db)
	_, voters, _, err := ms.PollCounts(ctx, p)
	if err != nil {
		return nil, err
	}
	urn, err := ms.UrnSize(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	if urn >= voters {
		return nil, fmt.Errorf("%w: the urn already holds a ballot for every member ticked off (%d); tick off the member first", council.ErrConflict, voters)
	}
	if err := ms.AddSecretBallot(ctx, p.ID, meetings.PaperReceipt(), c.Choice); err != nil {
		return nil, err
	}
	cc.reply = BallotReply{Poll: p.ID, Entered: 1}
	return nil, nil
}

// closePoll counts the running poll and records its result, on the poll
// and in words on the agenda item. It locks the poll row, so it waits for
// ballots in flight and no ballot counts after it.
func (cc *cmdCtx) closePoll(ctx context.Context, c ClosePoll) ([]event, error) {
	ms := meetings.NewStore(cc.st.db)
	p, err := cc.poll(ctx, ms, c.Poll, "update")
	if err != nil {
		return nil, err
	}
	if p.State != meetings.PollOpen {
		return nil, fmt.Errorf("%w: the poll is %s, not open", council.ErrConflict, p.State)
	}
	prof, err := cc.profile()
	if err != nil {
		return nil, err
	}
	counts, voters, _, err := ms.PollCounts(ctx, p)
	if err != nil {
		return nil, err
	}
	if p.Secret() {
		urn, err := ms.UrnSize(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		if urn != voters {
			return nil, fmt.Errorf("%w: %d paper ballot(s) of members ticked off are not yet entered from the urn", council.ErrConflict, voters-urn)
		}
	}
	p.State, p.ClosedAt, p.Ballots = meetings.PollClosed, cc.now, voters
	if p.Kind == voting.Election {
		t := voting.ElectionTally{Votes: map[string]int{}, Abstain: counts[string(voting.Abstain)], No: counts[string(voting.No)],
			Ballots: voters, Eligible: p.Inputs.Eligible}
		for _, cand := range p.Candidates {
			t.Votes[cand.ID] = counts[cand.ID]
		}
		res, err := prof.DecideElection(p.Round, p.Seats, p.Candidates, t, p.Seed)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", council.ErrConflict, err)
		}
		p.Election, p.Outcome, p.Tally.Abstain = &res, res.Outcome, t.Abstain
	} else {
		p.Tally = voting.Tally{Yes: counts[string(voting.Yes)], No: counts[string(voting.No)], Abstain: counts[string(voting.Abstain)]}
		rule, err := voting.RuleByCode(p.Rule)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", council.ErrConflict, err)
		}
		res, err := prof.Decide(rule, p.Inputs, p.Tally)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", council.ErrConflict, err)
		}
		p.Result, p.Outcome = &res, res.Outcome
	}
	if err := ms.ClosePoll(ctx, p, cc.actor.UserID); err != nil {
		return nil, err
	}
	if err := cc.recordItem(ctx, ms); err != nil {
		return nil, err
	}
	e, err := cc.pollEvent(ctx, p)
	return []event{e}, err
}

// recordItem writes the results of the item's closed polls, in words, on
// the agenda item (OParl AgendaItem.result).
func (cc *cmdCtx) recordItem(ctx context.Context, ms *meetings.Store) error {
	byItem, err := ms.PollsOfItems(ctx, []council.ID{cc.s.ItemID})
	if err != nil {
		return err
	}
	return ms.SetItemResult(ctx, cc.s.ItemID, ItemResult(byItem[cc.s.ItemID]))
}

// cancelPoll cancels the running poll; it stays on the record with the
// reason and counts for nothing.
func (cc *cmdCtx) cancelPoll(ctx context.Context, c CancelPoll) ([]event, error) {
	ms := meetings.NewStore(cc.st.db)
	p, err := cc.poll(ctx, ms, c.Poll, "update")
	if err != nil {
		return nil, err
	}
	if !p.State.Running() {
		return nil, fmt.Errorf("%w: the poll is %s", council.ErrConflict, p.State)
	}
	reason := strings.TrimSpace(c.Reason)
	if reason == "" {
		return nil, council.Invalidf("say why the poll is cancelled")
	}
	if err := ms.SetPollState(ctx, p.ID, meetings.PollCancelled, reason, cc.actor.UserID, cc.now); err != nil {
		return nil, err
	}
	if err := cc.recordItem(ctx, ms); err != nil { // the item's record changes: a cancelled poll is published too
		return nil, err
	}
	p.State, p.Reason, p.ClosedAt = meetings.PollCancelled, reason, cc.now
	e, err := cc.pollEvent(ctx, p)
	return []event{e}, err
}

// pollProgress announces the running poll's ballots when the count
// changed since this hub last announced it. The count announced is kept
// in the hub's memory, not on the poll row: an UPDATE of the row would
// wait for every ballot in flight (they hold it FOR SHARE) and hold up
// the next ones. Another process, or this one after a restart, may
// announce a count once more, which is harmless.
func (cc *cmdCtx) pollProgress(ctx context.Context, _ PollProgress) ([]event, error) {
	ms := meetings.NewStore(cc.st.db)
	p, ok, err := ms.RunningPoll(ctx, cc.s.MeetingID)
	if err != nil || !ok {
		return nil, err
	}
	_, voters, _, err := ms.PollCounts(ctx, p)
	if err != nil {
		return nil, err
	}
	// Voters and the urn only grow while a poll runs, so their sum
	// changes exactly when either does (a paper ballot adds to the urn
	// only). An open or named poll is announced after every ballot: a
	// member may have changed theirs.
	count := voters
	if p.Secret() {
		urn, err := ms.UrnSize(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		count += urn
	}
	last := progress{poll: p.ID, ballots: p.Progress}
	if cc.progress != nil {
		if n, ok := cc.progress.get(cc.s.MeetingID); ok && n.poll == p.ID {
			last = n
		}
	}
	if count == last.ballots && p.Secret() {
		return nil, nil
	}
	if cc.progress != nil {
		cc.afterCommit(func() { cc.progress.set(cc.s.MeetingID, progress{poll: p.ID, ballots: count}) })
	}
	e, err := cc.pollEvent(ctx, p)
	return []event{e}, err
}

// progress is the ballot count a hub last announced for a meeting's poll.
type progress struct {
	poll    council.ID
	ballots int
}

// announced is the hub's memory of announced counts, by meeting.
type announced struct {
	mu   sync.Mutex
	last map[council.ID]progress
}

func (a *announced) get(meeting council.ID) (progress, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	p, ok := a.last[meeting]
	return p, ok
}

func (a *announced) set(meeting council.ID, p progress) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.last[meeting] = p
}

// pausePoll pauses the running poll because of a Rüge, if one is open.
func (cc *cmdCtx) pausePoll(ctx context.Context) ([]event, error) {
	ms := meetings.NewStore(cc.st.db)
	p, ok, err := ms.RunningPoll(ctx, cc.s.MeetingID)
	if err != nil || !ok || p.State != meetings.PollOpen {
		return nil, err
	}
	if _, err := ms.Poll(ctx, p.ID, "update"); err != nil {
		return nil, err
	}
	const reason = ReasonComplaint
	if err := ms.SetPollState(ctx, p.ID, meetings.PollPaused, reason, cc.actor.UserID, cc.now); err != nil {
		return nil, err
	}
	p.State, p.Reason = meetings.PollPaused, reason
	e, err := cc.pollEvent(ctx, p)
	return []event{e}, err
}

// afterComplaint continues or repeats a poll paused by a Rüge once no
// complaint is open any more: continue resumes it with its ballots,
// repeat cancels it and opens it afresh.
func (cc *cmdCtx) afterComplaint(ctx context.Context, res Resolution) ([]event, error) {
	ms := meetings.NewStore(cc.st.db)
	p, ok, err := ms.RunningPoll(ctx, cc.s.MeetingID)
	if err != nil || !ok || p.State != meetings.PollPaused {
		return nil, err
	}
	open, err := cc.st.openComplaints(ctx, cc.s.MeetingID)
	if err != nil || open > 0 {
		return nil, err
	}
	if _, err := ms.Poll(ctx, p.ID, "update"); err != nil {
		return nil, err
	}
	if res == ResolutionContinue {
		if err := ms.SetPollState(ctx, p.ID, meetings.PollOpen, "", cc.actor.UserID, cc.now); err != nil {
			return nil, err
		}
		p.State, p.Reason = meetings.PollOpen, ""
		e, err := cc.pollEvent(ctx, p)
		return []event{e}, err
	}
	const reason = ReasonRepeated
	if err := ms.SetPollState(ctx, p.ID, meetings.PollCancelled, reason, cc.actor.UserID, cc.now); err != nil {
		return nil, err
	}
	if err := cc.recordItem(ctx, ms); err != nil {
		return nil, err
	}
	p.State, p.Reason, p.ClosedAt = meetings.PollCancelled, reason, cc.now
	cancelled, err := cc.pollEvent(ctx, p)
	if err != nil {
		return nil, err
	}
	again, err := cc.openPoll(ctx, OpenPoll{Kind: p.Kind, Previous: p.ID})
	return append([]event{cancelled}, again...), err
}

// Reasons the server gives itself for pausing or cancelling a poll (a
// chair's cancellation carries the chair's words instead); pages
// translate them.
const (
	ReasonComplaint = "complaint"                // paused: a Rüge is open
	ReasonRepeated  = "repeated_after_complaint" // cancelled: the chair repeats the poll after a Rüge
)

// BallotReply is what a ballot's acknowledgement carries: the receipt code
// of a secret ballot, the choice recorded for an open or named one, how
// many ballots the clerk entered.
type BallotReply struct {
	Poll     council.ID `json:"poll"`
	Person   council.ID `json:"person,omitzero"`
	Receipt  string     `json:"receipt,omitempty"`
	Choice   []string   `json:"choice,omitempty"`
	Entered  int        `json:"entered,omitempty"`
	Repeated bool       `json:"repeated,omitempty"` // a retry of a ballot already recorded
	Changed  bool       `json:"changed,omitempty"`  // an open or named ballot replaced
}
