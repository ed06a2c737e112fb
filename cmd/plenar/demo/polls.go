package demo

import (
	"cmp"
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/voting"
)

// Polls of the demo city (docs/VOTING.md): the two most recent ordinary
// council meetings that took place are held as live sessions after the
// seed commits, through the real live commands, so their votes are on
// record as a real session leaves them. Musterstadt is in Sachsen-Anhalt
// (voting profile ST): a session by video needs an außergewöhnliche
// Notsituation (§ 56a KVG LSA), and elections only with everyone in the
// room.
//
//   - pollsHybrid: a hybrid session on the basis of an emergency. An
//     amendment (open) and the motion as amended (named) on one item, with
//     a member conflicted; an amendment rejected on a tie, then the
//     motion; a named vote cancelled when two remote members' connections
//     dropped, then repeated; the Hauptsatzung changed by an absolute
//     majority (qualified: more than half the statutory members); a secret
//     vote, whose receipt list is published.
//   - pollsPresence: a presence session with an election of a
//     Beigeordnete: no majority in the first round, a run-off between the
//     two strongest; every ballot on paper in the room's urn.
type pollSession int

const (
	noPolls pollSession = iota
	pollsHybrid
	pollsPresence
)

// Free agenda items of the sessions with polls.
const (
	statuteItem  = "1. Satzung zur Änderung der Hauptsatzung der Stadt Musterstadt"
	electionItem = "Wahl einer Beigeordneten oder eines Beigeordneten für Bau, Umwelt und Ordnung"
)

// heldPolls is a meeting whose session SeedWith holds after the commit.
type heldPolls struct {
	meeting council.ID
	kind    pollSession
}

// planPolls marks the two most recent ordinary council meetings that took
// place: the latest is held as a hybrid session, the one before in the
// room (planMeeting has decided which meetings take place).
func (s *seeder) planPolls() {
	kinds := []pollSession{pollsHybrid, pollsPresence}
	g := s.council
	for i := len(g.meetings) - 1; i >= 0 && len(kinds) > 0; i-- {
		m := g.meetings[i]
		if m.state != meetings.Closed || m.cancelled || m.special {
			continue
		}
		m.polls, kinds = kinds[0], kinds[1:]
	}
}

// pollItems adds the free agenda items the session's polls are held on.
func (s *seeder) pollItems(ctx context.Context, m *meeting) error {
	switch m.polls {
	case pollsHybrid:
		return s.freeItem(ctx, m, statuteItem, true, "")
	case pollsPresence:
		return s.freeItem(ctx, m, electionItem, true, "")
	}
	return nil
}

// approvalItem puts the approval of the presence session's minutes on the
// hybrid session's agenda, right after the opening ("Genehmigung der
// Niederschrift", docs/DOMAIN.md, "Niederschrift").
func (s *seeder) approvalItem(ctx context.Context, m *meeting) error {
	if m.polls != pollsHybrid {
		return nil
	}
	for _, o := range s.council.meetings {
		if o.polls == pollsPresence {
			if _, err := s.ms.AddMinutesApproval(ctx, m.m.ID, o.m.ID); err != nil {
				return err
			}
			s.counts.AgendaItems++
		}
	}
	return nil
}

// holdPolls holds the sessions with polls planned by planPolls.
func holdPolls(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger, held []heldPolls) error {
	if len(held) == 0 {
		return nil
	}
	clerk, err := council.NewStore(pool).UserByEmail(ctx, clerkEmail)
	if err != nil {
		return fmt.Errorf("demo polls: %w", err)
	}
	for _, h := range held {
		ms := meetings.NewStore(pool)
		m, err := ms.Meeting(ctx, h.meeting)
		if err != nil {
			return fmt.Errorf("demo polls: %w", err)
		}
		d := &session{ctx: ctx, ms: ms, meeting: m, clock: m.Start,
			clerk: live.Actor{Viewer: council.Viewer{UserID: clerk.ID, Role: council.RoleClerk}}}
		d.hub = live.NewHub(pool, live.Options{Log: log, Now: d.now})
		run := d.hybrid
		if h.kind == pollsPresence {
			run = d.presence
		}
		if err := run(); err != nil {
			return fmt.Errorf("demo polls in %q: %w", m.Name, err)
		}
		log.Info("demo: polls held", "meeting", m.Name, "commands", d.commands)
	}
	return minutes(ctx, pool, log, clerk.ID, held)
}

// minutes edits the minutes of the sessions held (a note, a correction,
// a resolution worded by the clerk) and approves the presence session's
// minutes by the hybrid session's accepted poll: the demo has approved
// minutes and a draft (docs/DOMAIN.md, "Niederschrift").
func minutes(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger, clerk council.ID, held []heldPolls) error {
	ms := meetings.NewStore(pool)
	actx := council.WithActor(ctx, clerk)
	hub := live.NewHub(pool, live.Options{Log: log})
	var approval council.ID
	for _, h := range held {
		items, err := ms.AgendaItems(ctx, h.meeting)
		if err != nil {
			return fmt.Errorf("demo minutes: %w", err)
		}
		var edits []meetings.MinutesEdit
		for _, it := range items {
			switch {
			case it.ApprovesMinutesOf != council.NilID:
				approval = it.ID
			case it.Name == electionItem:
				edits = append(edits, meetings.MinutesEdit{ItemID: it.ID, Field: meetings.FieldNotes,
					Value: "Vor dem ersten Wahlgang stellten sich beide Bewerberinnen und der Bewerber in je fünf Minuten vor. " +
						"Die Stimmzettel wurden von zwei Mitgliedern des Stadtrates ausgezählt."})
			case it.Name == statuteItem:
				edits = append(edits, meetings.MinutesEdit{ItemID: it.ID, Field: meetings.FieldCorrection,
					Value:  "Die Sitzung war zur Beratung in den Fraktionen von 19:42 bis 19:52 Uhr unterbrochen.",
					Reason: "Die Unterbrechung fehlte im Entwurf; Hinweis des Vorsitzenden."},
					meetings.MinutesEdit{ItemID: it.ID, Field: meetings.FieldResolutionText,
						Value: "Der Stadtrat beschließt die 1. Satzung zur Änderung der Hauptsatzung der Stadt Musterstadt in der Fassung der Anlage 1."})
			}
		}
		for _, e := range edits {
			e.MeetingID = h.meeting
			if _, err := ms.EditMinutes(actx, e); err != nil {
				return fmt.Errorf("demo minutes: %w", err)
			}
		}
	}
	if approval == council.NilID {
		return nil
	}
	if _, err := hub.ApproveMinutes(actx, approval); err != nil {
		return fmt.Errorf("demo minutes: %w", err)
	}
	return nil
}

// session drives one past council session through the live commands, on
// a clock that starts at the meeting's start and moves 20 seconds per
// command.
type session struct {
	ctx      context.Context
	hub      *live.Hub
	ms       *meetings.Store
	meeting  meetings.Meeting
	clerk    live.Actor
	clock    time.Time
	commands int
	roster   []live.AttendeeView
	present  []council.ID // voting members present, but the chair
	items    []meetings.AgendaItem
	current  int // index of the current agenda item
}

func (d *session) now() time.Time { return d.clock }

func (d *session) do(a live.Actor, c live.Command) error {
	d.commands++
	d.clock = d.clock.Add(20 * time.Second)
	if _, err := d.hub.Do(d.ctx, d.meeting.ID, a, c); err != nil {
		return fmt.Errorf("%s: %w", c.Name(), err)
	}
	return nil
}

// member is a councillor voting on their own device. The demo's
// councillors have no accounts: the person id stands in for the user id,
// which the live commands only need to tell a member from the public.
func (d *session) member(p council.ID) live.Actor {
	orgs := map[council.ID]bool{}
	for _, o := range d.meeting.Organizations {
		orgs[o] = true
	}
	return live.Actor{Viewer: council.Viewer{UserID: p, Role: council.RoleMember, Orgs: orgs}, PersonID: p}
}

// start opens the session and seats the members: every remoteEvery-th
// voting member (after an offset) joins by video, every ninth is absent,
// the chair is in the room.
func (d *session) start(c live.Start, remoteEvery int) error {
	if err := d.do(d.clerk, c); err != nil {
		return err
	}
	snap, err := d.hub.Snapshot(d.ctx, d.meeting.ID, d.clerk)
	if err != nil {
		return err
	}
	d.roster = snap.Roster
	if d.items, err = d.ms.AgendaItems(d.ctx, d.meeting.ID); err != nil {
		return err
	}
	for i, a := range d.roster {
		var cmd live.Command = live.CheckIn{Person: a.PersonID}
		actor := d.clerk
		switch {
		case a.PersonID == snap.Chair:
		case i%9 == 4:
			continue
		case remoteEvery > 0 && i%remoteEvery == 2:
			cmd, actor = live.JoinRemote{Person: a.PersonID}, live.SystemActor()
		}
		if err := d.do(actor, cmd); err != nil {
			return err
		}
		if a.Voting && a.PersonID != snap.Chair {
			d.present = append(d.present, a.PersonID)
		}
	}
	if len(d.present) == 0 {
		return fmt.Errorf("no voting member present")
	}
	return nil
}

// goTo calls the agenda items up to the one named by match.
func (d *session) goTo(match func(meetings.AgendaItem) bool) (meetings.AgendaItem, error) {
	i := slices.IndexFunc(d.items, match)
	if i < d.current {
		return meetings.AgendaItem{}, fmt.Errorf("no agenda item after %d for the polls", d.current)
	}
	for ; d.current < i; d.current++ {
		if err := d.do(d.clerk, live.NextItem{}); err != nil {
			return meetings.AgendaItem{}, err
		}
	}
	return d.items[i], nil
}

// paperItems are the public paper items of the agenda, in order.
func (d *session) paperItems() []meetings.AgendaItem {
	var out []meetings.AgendaItem
	for _, it := range d.items {
		if it.Public && it.PaperID != council.NilID {
			out = append(out, it)
		}
	}
	return out
}

// open opens a poll on the current item and returns it.
func (d *session) open(c live.OpenPoll) (meetings.Poll, error) {
	if err := d.do(d.clerk, c); err != nil {
		return meetings.Poll{}, err
	}
	p, ok, err := d.ms.RunningPoll(d.ctx, d.meeting.ID)
	if err == nil && !ok {
		err = fmt.Errorf("no running poll after %s", c.Name())
	}
	return p, err
}

// tally is how many of the eligible members give each choice ("yes", "no",
// "abstain", or an election's candidate id), in order; the rest do not
// vote.
type tally []struct {
	choice string
	n      int
}

// split returns n members' choices: the shares of yes and no (the rest
// abstain), rounded down.
func split(n, yesPct, noPct int) tally {
	yes, no := n*yesPct/100, n*noPct/100
	return tally{{"yes", yes}, {"no", no}, {"abstain", n - yes - no}}
}

// vote casts the ballots of poll p so it ends with t, then closes it.
// The members are taken in an order fixed by their names and the
// question. Open and named: remote members vote on their own device, the
// clerk enters the room's exceptions one by one and then the rest by
// show of hands ("all in the room: …"). Secret: remote members vote on
// their device and get their receipt; the clerk ticks off each member in
// the room voting on paper and enters the urn's ballots.
func (d *session) vote(p meetings.Poll, t func(n int) tally) error {
	el, _, err := d.ms.PollEligible(d.ctx, p.ID)
	if err != nil {
		return err
	}
	key := func(e meetings.Eligible) [32]byte { return sha256.Sum256([]byte(p.Question + "\x00" + e.Name)) }
	slices.SortFunc(el, func(a, b meetings.Eligible) int {
		ka, kb := key(a), key(b)
		return cmp.Or(strings.Compare(string(ka[:]), string(kb[:])), strings.Compare(a.Name, b.Name))
	})
	var choices []string
	for _, c := range t(len(el)) {
		for range c.n {
			choices = append(choices, c.choice)
		}
	}
	if len(choices) > len(el) {
		return fmt.Errorf("%d ballots for %d eligible members", len(choices), len(el))
	}
	room := map[string]int{}
	for i, c := range choices {
		if el[i].Mode == meetings.InRoom {
			room[c]++
		}
	}
	common := ""
	for c, n := range room {
		if common == "" || n > room[common] || n == room[common] && c < common {
			common = c
		}
	}
	var paper [][]string
	for i, c := range choices {
		e := el[i]
		switch {
		case e.Mode != meetings.InRoom:
			ballot := fmt.Sprintf("demo-%s-%s", p.ID.String()[:8], e.PersonID.String()[:8])
			err = d.do(d.member(e.PersonID), live.CastBallot{Poll: p.ID, Choice: []string{c}, Ballot: ballot})
		case p.Secret():
			err = d.do(d.clerk, live.CastBallot{Person: e.PersonID, Poll: p.ID})
			paper = append(paper, []string{c})
		case c != common:
			err = d.do(d.clerk, live.CastBallot{Person: e.PersonID, Poll: p.ID, Choice: []string{c}})
		}
		if err != nil {
			return err
		}
	}
	if !p.Secret() && room[common] > 0 {
		// The show of hands enters common for everyone in the room who has
		// not voted: those who do not vote at all are named as exceptions.
		var except []council.ID
		for _, e := range el[len(choices):] {
			if e.Mode == meetings.InRoom {
				except = append(except, e.PersonID)
			}
		}
		if err := d.do(d.clerk, live.RoomVote{Poll: p.ID, Choice: common, Except: except}); err != nil {
			return err
		}
	}
	for _, c := range paper {
		if err := d.do(d.clerk, live.PaperBallot{Poll: p.ID, Choice: c}); err != nil {
			return err
		}
	}
	return d.do(d.clerk, live.ClosePoll{Poll: p.ID})
}

// poll opens a poll on the current item, votes and closes it.
func (d *session) poll(c live.OpenPoll, t func(n int) tally) (meetings.Poll, error) {
	p, err := d.open(c)
	if err != nil {
		return p, err
	}
	return p, d.vote(p, t)
}

// hybrid holds the hybrid session (pollsHybrid).
func (d *session) hybrid() error {
	if err := d.start(live.Start{Mode: voting.Hybrid, Basis: voting.BasisEmergency}, 8); err != nil {
		return err
	}
	papers := d.paperItems()
	if len(papers) == 0 {
		return fmt.Errorf("no public paper item")
	}
	item := func(i int) meetings.AgendaItem { return papers[min(i, len(papers)-1)] }
	steps := []func() error{
		func() error { // the minutes of the session before are approved (minutes, below)
			it, err := d.goTo(func(x meetings.AgendaItem) bool { return x.ApprovesMinutesOf != council.NilID })
			if err != nil {
				return err
			}
			_, err = d.poll(live.OpenPoll{Kind: voting.Open, Rule: "simple", Question: it.Name},
				func(n int) tally { return split(n, 85, 0) })
			return err
		},
		func() error { // an amendment first, then the motion as amended; one member conflicted
			it, err := d.goTo(func(x meetings.AgendaItem) bool { return x.ID == item(0).ID })
			if err != nil {
				return err
			}
			if err := d.do(d.clerk, live.DeclareConflict{Person: d.present[len(d.present)/2]}); err != nil {
				return err
			}
			if _, err := d.poll(live.OpenPoll{Kind: voting.Open, Rule: "simple",
				Question: "Änderungsantrag der Fraktion Bündnis 90/Die Grünen zu „" + it.Name + "“"},
				func(n int) tally { return split(n, 55, 35) }); err != nil {
				return err
			}
			_, err = d.poll(live.OpenPoll{Kind: voting.Named, Rule: "simple",
				Question: "Beschlussvorschlag in der geänderten Fassung (namentliche Abstimmung auf Antrag der CDU-Fraktion)"},
				func(n int) tally { return split(n, 70, 20) })
			return err
		},
		func() error { // an amendment rejected on a tie
			if _, err := d.goTo(func(x meetings.AgendaItem) bool { return x.ID == item(1).ID }); err != nil {
				return err
			}
			if _, err := d.poll(live.OpenPoll{Kind: voting.Open, Rule: "simple",
				Question: "Änderungsantrag der Fraktion DIE LINKE: Umsetzung erst nach Beteiligung der Ortschaftsräte"},
				func(n int) tally {
					half := (n - 2) / 2
					return tally{{"yes", half}, {"no", half}, {"abstain", n - 2*half}}
				}); err != nil {
				return err
			}
			_, err := d.poll(live.OpenPoll{Kind: voting.Open, Rule: "simple", Question: "Beschlussvorschlag der Verwaltung"},
				func(n int) tally { return split(n, 80, 10) })
			return err
		},
		func() error { // cancelled when connections dropped, then repeated
			if _, err := d.goTo(func(x meetings.AgendaItem) bool { return x.ID == item(2).ID }); err != nil {
				return err
			}
			p, err := d.open(live.OpenPoll{Kind: voting.Named, Rule: "simple", Question: "Beschlussvorschlag der Verwaltung (namentliche Abstimmung)"})
			if err != nil {
				return err
			}
			if err := d.do(d.clerk, live.CancelPoll{Poll: p.ID,
				Reason: "Bild und Ton zweier zugeschalteter Mitglieder fielen während der Abstimmung aus; die Abstimmung wird wiederholt."}); err != nil {
				return err
			}
			_, err = d.poll(live.OpenPoll{Kind: voting.Named, Previous: p.ID}, func(n int) tally { return split(n, 60, 30) })
			return err
		},
		func() error { // a secret vote with its receipt list
			if _, err := d.goTo(func(x meetings.AgendaItem) bool { return x.ID == item(3).ID }); err != nil {
				return err
			}
			_, err := d.poll(live.OpenPoll{Kind: voting.Secret, Rule: "simple",
				Question: "Beschlussvorschlag (geheime Abstimmung auf Antrag eines Viertels der Mitglieder)"},
				func(n int) tally { return split(n, 52, 40) })
			return err
		},
		func() error { // a qualified majority: more than half the statutory members (§ 10 Abs. 3 KVG LSA)
			if _, err := d.goTo(func(x meetings.AgendaItem) bool { return x.Name == statuteItem }); err != nil {
				return err
			}
			_, err := d.poll(live.OpenPoll{Kind: voting.Named, Rule: "absolute",
				Question: "Beschluss der Satzung (Mehrheit der Mitglieder des Stadtrates erforderlich)"},
				func(n int) tally { return split(n, 75, 15) })
			return err
		},
	}
	for _, st := range steps {
		if err := st(); err != nil {
			return err
		}
	}
	return d.do(d.clerk, live.Close{})
}

// presence holds the presence session (pollsPresence): the election of a
// Beigeordnete with a run-off.
func (d *session) presence() error {
	if err := d.start(live.Start{Mode: voting.Presence}, 0); err != nil {
		return err
	}
	if _, err := d.goTo(func(x meetings.AgendaItem) bool { return x.Name == electionItem }); err != nil {
		return err
	}
	r1, err := d.poll(live.OpenPoll{Kind: voting.Election, Question: "Wahl der Beigeordneten für Bau, Umwelt und Ordnung",
		Candidates: []string{"Dr. Katrin Hoffmann", "Michael Schubert", "Sabine Krüger"}},
		func(n int) tally {
			c1, c2 := n*2/5, n/3
			return tally{{"c1", c1}, {"c2", c2}, {"abstain", 2}, {"c3", n - c1 - c2 - 2}}
		})
	if err != nil {
		return err
	}
	if _, err := d.poll(live.OpenPoll{Kind: voting.Election, Previous: r1.ID}, func(n int) tally {
		c1 := n/2 + 2
		return tally{{"c1", c1}, {"abstain", 1}, {"c2", n - c1 - 1}}
	}); err != nil {
		return err
	}
	return d.do(d.clerk, live.Close{})
}
