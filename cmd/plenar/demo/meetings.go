package demo

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// meeting is a planned Sitzung and the paper items scheduled on it.
type meeting struct {
	m         meetings.Meeting
	g         *gremium
	start     time.Time
	cancelled bool
	special   bool
	live      bool        // the session that runs live when the demo starts (seedLive)
	polls     pollSession // held as a live session with polls after the seed (polls.go)
	state     meetings.State
	public    []*step // paper items on the public part, in order
	private   []*step // paper items on the non-public part
}

// Months before and after now that have meetings (Options.Months
// shortens the months before).
const (
	monthsBack  = 34
	monthsAhead = 5
	inviteLead  = 12 // days between invitation and meeting
)

// skipMonths are the months without meetings, by meetings per year.
var skipMonths = map[int][]time.Month{11: {time.August}, 10: {time.July, time.August},
	8: {time.February, time.July, time.August, time.December}}

func berlin() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}

// seedMeetings plans the meetings of every gremium and saves them.
func (s *seeder) seedMeetings(ctx context.Context) error {
	loc := berlin()
	back := monthsBack
	if s.months > 0 {
		back = min(s.months, monthsBack)
	}
	first := time.Date(s.now.Year(), s.now.Month()-time.Month(back), 1, 0, 0, 0, 0, loc)
	all := append([]*gremium{s.council}, s.committees...)
	all = append(all, s.districts...)
	all = append(all, s.youth, s.gwa)
	for _, g := range all {
		for k := range back + monthsAhead + 1 {
			month := first.AddDate(0, k, 0)
			skip := false
			for _, m := range skipMonths[g.perYear] {
				skip = skip || month.Month() == m
			}
			if !skip {
				s.planMeeting(g, month, g.weekday, g.week, false)
			}
			if g == s.council && month.Month() == time.March {
				s.planMeeting(g, month, time.Thursday, 1, true)
			}
		}
	}
	s.planLive(loc)
	s.planPolls()
	sort.SliceStable(s.meetings, func(i, j int) bool { return s.meetings[i].start.Before(s.meetings[j].start) })
	number := map[*gremium]int{}
	termOf := map[*gremium]int{}
	for _, m := range s.meetings {
		t := 0
		if !m.start.Before(s.terms[1].Start) {
			t = 1
		}
		if termOf[m.g] != t {
			termOf[m.g], number[m.g] = t, 0
		}
		number[m.g]++
		name := fmt.Sprintf("%d. Sitzung %s", number[m.g], m.g.gen)
		if m.special {
			name = fmt.Sprintf("%d. Sitzung %s (Sondersitzung)", number[m.g], m.g.gen)
		}
		end := m.start.Add(time.Duration(120+s.r.IntN(100)) * time.Minute)
		saved, err := s.ms.SaveMeeting(ctx, meetings.Meeting{BodyID: s.body.ID, Name: name, Start: m.start, End: end,
			LocationID: m.g.loc, Organizations: []council.ID{m.g.org.ID}})
		if err != nil {
			return err
		}
		m.m = saved
		s.counts.Meetings++
	}
	return nil
}

// planLive plans the council's special session that began three quarters
// of an hour before the seed, so the demo shows a session running live
// (the portal's "Live jetzt", the member's room, the chair's console):
// invited like any other, started by the clerk after the seed (StartLive).
func (s *seeder) planLive(loc *time.Location) {
	start := s.now.In(loc).Truncate(15 * time.Minute).Add(-45 * time.Minute)
	m := &meeting{g: s.council, start: start, special: true, live: true, state: meetings.Invited}
	s.meetings = append(s.meetings, m)
	g := s.council
	g.meetings = append(g.meetings, m)
	sort.SliceStable(g.meetings, func(i, j int) bool { return g.meetings[i].start.Before(g.meetings[j].start) })
	s.live = m
}

func (s *seeder) planMeeting(g *gremium, month time.Time, wd time.Weekday, week int, special bool) {
	d := month.AddDate(0, 0, (int(wd)-int(month.Weekday())+7)%7+7*week)
	start := time.Date(d.Year(), d.Month(), d.Day(), g.hour, 0, 0, 0, d.Location())
	m := &meeting{g: g, start: start, special: special, state: meetings.Planned}
	switch {
	case start.Before(s.now.Add(-6 * time.Hour)):
		m.state = meetings.Closed
	case !start.AddDate(0, 0, -inviteLead).After(s.now):
		m.state = meetings.Invited
	}
	m.cancelled = !special && chance(s.r, 0.02)
	s.meetings = append(s.meetings, m)
	g.meetings = append(g.meetings, m)
}

// slot returns the first meeting of g on or after from that is not
// cancelled and has room (public or non-public part), or nil.
func slot(g *gremium, from time.Time, public bool) *meeting {
	i := sort.Search(len(g.meetings), func(i int) bool { return !g.meetings[i].start.Before(from) })
	for ; i < len(g.meetings); i++ {
		m := g.meetings[i]
		if m.cancelled {
			continue
		}
		if public && len(m.public) < g.capacity || !public && len(m.private) < 2 {
			return m
		}
	}
	return nil
}

// seedAgendas writes every meeting's agenda, invites, records results
// and closes past meetings, in chronological order.
func (s *seeder) seedAgendas(ctx context.Context) error {
	prev := map[*gremium]*meeting{}
	for i, m := range s.meetings {
		if err := s.agenda(ctx, m, prev[m.g]); err != nil {
			return fmt.Errorf("meeting %q: %w", m.m.Name, err)
		}
		if !m.cancelled {
			prev[m.g] = m
		}
		if (i+1)%100 == 0 {
			s.log.Info("demo: agendas", "meetings", i+1, "of", len(s.meetings))
		}
	}
	return nil
}

func (s *seeder) freeItem(ctx context.Context, m *meeting, name string, public bool, result string) error {
	if m.state != meetings.Closed {
		result = ""
	}
	_, err := s.ms.SaveAgendaItem(ctx, meetings.AgendaItem{MeetingID: m.m.ID, Name: name, Public: public, Result: result})
	if err == nil {
		s.counts.AgendaItems++
	}
	return err
}

func (s *seeder) agenda(ctx context.Context, m *meeting, prev *meeting) error {
	id := m.m.ID
	opening := "Eröffnung der Sitzung, Feststellung der ordnungsgemäßen Ladung, der Beschlussfähigkeit und der Tagesordnung"
	if err := s.freeItem(ctx, m, opening, true, "festgestellt"); err != nil {
		return err
	}
	if err := s.approvalItem(ctx, m); err != nil {
		return err
	}
	if m.cancelled {
		if m.state != meetings.Planned {
			if _, err := s.ms.Invite(ctx, id, m.start.AddDate(0, 0, -inviteLead)); err != nil {
				return err
			}
		}
		_, err := s.ms.Cancel(ctx, id)
		return err
	}
	if prev != nil {
		name := "Genehmigung der Niederschrift der Sitzung vom " + prev.start.Format("02.01.2006")
		if err := s.freeItem(ctx, m, name, true, "genehmigt"); err != nil {
			return err
		}
	}
	if m.g == s.council || m.g.org.Kind == council.KindDistrictCouncil {
		if err := s.freeItem(ctx, m, "Einwohnerfragestunde", true, ""); err != nil {
			return err
		}
	}
	for _, st := range m.public {
		if err := s.paperItem(ctx, m, st, true); err != nil {
			return err
		}
	}
	if err := s.pollItems(ctx, m); err != nil {
		return err
	}
	info := "Mitteilungen der Verwaltung"
	if m.g == s.council {
		info = "Mitteilungen der Oberbürgermeisterin"
	}
	for _, name := range []string{info, "Anfragen und Anregungen"} {
		if err := s.freeItem(ctx, m, name, true, ""); err != nil {
			return err
		}
	}
	for _, st := range m.private {
		if err := s.paperItem(ctx, m, st, false); err != nil {
			return err
		}
	}
	if m.g == s.council || m.g.org.Kind == council.KindCommittee && chance(s.r, 0.3) {
		v := vars(s.r, m.start)
		if err := s.freeItem(ctx, m, fill(pick(s.r, staffTitles), v), false, "beschlossen"); err != nil {
			return err
		}
	}
	if m.state == meetings.Planned {
		return nil
	}
	if _, err := s.ms.Invite(ctx, id, m.start.AddDate(0, 0, -inviteLead)); err != nil {
		return err
	}
	if m.state != meetings.Closed {
		return nil
	}
	if m.polls != noPolls {
		// The live session closes it (holdPolls).
		s.held = append(s.held, heldPolls{meeting: id, kind: m.polls})
		return nil
	}
	_, err := s.ms.SetState(ctx, id, meetings.Closed)
	return err
}

// paperItem puts the paper of st on m's agenda and, for a past meeting,
// records its result at once: every agenda change renumbers the whole
// agenda, so a result written while the agenda is short costs fewer
// statements than one written at the end.
func (s *seeder) paperItem(ctx context.Context, m *meeting, st *step, public bool) error {
	it, err := s.ms.AddPaper(ctx, m.m.ID, st.p.p.ID, m.g.org.ID, public)
	if err != nil {
		return err
	}
	s.counts.AgendaItems++
	if m.state != meetings.Closed || st.result == "" {
		return nil
	}
	it.Result, it.ResolutionText = st.result, st.resolution
	_, err = s.ms.SaveAgendaItem(ctx, it)
	return err
}
