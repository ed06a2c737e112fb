package demo

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// paper is a planned Drucksache with its path and timeline.
type paper struct {
	p         council.Paper
	t         *topic
	v         map[string]string
	date      time.Time
	draft     bool
	written   bool // an inquiry answered in writing
	title     string
	origGroup *group       // party group that brought it in; nil: none
	origOrg   council.ID   // youth council or GWA as originator
	parent    *paper       // for amendments
	steps     []*step      // the consultation path
	events    []paperEvent // statuses after submission, in order
	outcome   string       // the authoritative result, "" while open
}

// step is one consultation.
type step struct {
	p      *paper
	g      *gremium
	role   string
	auth   bool
	m      *meeting // nil: not scheduled
	result string
	// resolution is the resolution text recorded with the result.
	resolution string
}

type paperEvent struct {
	at     time.Time
	status council.PaperStatus
	note   string
}

// Paper type weights in percent.
var paperTypes = []struct {
	t      council.PaperType
	weight int
}{
	{council.PaperResolution, 36}, {council.PaperMotion, 20}, {council.PaperInquiry, 20},
	{council.PaperInformation, 20}, {council.PaperReport, 2}, {council.PaperCitizensMotion, 2},
}

var ortschaften = map[string]bool{"Lindenau": true, "Kirchberg": true, "Wiesenhof": true, "Neudorf am See": true}

// seedPapers plans about 900 papers a year, schedules them on meetings
// and saves them with their consultation paths, oldest first.
func (s *seeder) seedPapers(ctx context.Context) error {
	first := s.meetings[0].start.AddDate(0, 0, -30)
	for d := day(first, 0); d.Before(s.now); d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			continue
		}
		for range s.r.IntN(8) {
			s.planPaper(d.Add(time.Duration(8*60+s.r.IntN(9*60)) * time.Minute))
		}
	}
	sort.SliceStable(s.papers, func(i, j int) bool { return s.papers[i].date.Before(s.papers[j].date) })
	for i, p := range s.papers {
		if err := s.savePaper(ctx, p); err != nil {
			return fmt.Errorf("paper %q: %w", p.title, err)
		}
		if (i+1)%500 == 0 {
			s.log.Info("demo: papers", "saved", i+1, "of", len(s.papers))
		}
	}
	return nil
}

func (s *seeder) pickTopic() *topic {
	total := 0
	for _, t := range topics {
		total += t.weight
	}
	n := s.r.IntN(total)
	for i := range topics {
		if n < topics[i].weight {
			return &topics[i]
		}
		n -= topics[i].weight
	}
	return &topics[0]
}

func (s *seeder) committee(key string) *gremium {
	for _, c := range s.committees {
		if c.key == key {
			return c
		}
	}
	return s.committees[0]
}

func (s *seeder) planPaper(d time.Time) {
	p := &paper{date: d, t: s.pickTopic(), v: vars(s.r, d), p: council.Paper{Public: true}}
	n := s.r.IntN(100)
	for _, pt := range paperTypes {
		if n < pt.weight {
			p.p.Type = pt.t
			break
		}
		n -= pt.weight
	}
	t, c := p.t, s.committee(p.t.committee)
	add := func(g *gremium, role string, auth bool) {
		p.steps = append(p.steps, &step{p: p, g: g, role: role, auth: auth})
	}
	switch p.p.Type {
	case council.PaperResolution:
		if chance(s.r, 0.05) { // non-public: real estate or procurement
			p.p.Public = false
			if chance(s.r, 0.5) {
				p.title = fill(pick(s.r, estateTitles), p.v)
				add(s.committee("fin"), "Vorberatung", false)
				add(s.council, "Entscheidung", true)
			} else {
				p.title = fill(pick(s.r, procurementTitles), p.v)
				add(c, "Entscheidung", true)
			}
			break
		}
		p.title = fill(pick(s.r, t.decisions), p.v)
		if t.district && ortschaften[p.v["{district}"]] {
			for _, dc := range s.districts {
				if dc.place == p.v["{district}"] {
					add(dc, "Anhörung", false)
				}
			}
		}
		if chance(s.r, 0.55) {
			add(c, "Entscheidung", true)
		} else {
			add(c, "Vorberatung", false)
			add(s.council, "Entscheidung", true)
		}
	case council.PaperMotion:
		p.title = fill(pick(s.r, t.motions), p.v)
		switch {
		case chance(s.r, 0.04):
			p.origOrg = s.youth.org.ID
			p.title = "Antrag des Kinder- und Jugendrates: " + p.title
			add(s.youth, "Beschluss über die Einbringung", false)
			add(c, "Entscheidung", true)
		case chance(s.r, 0.03):
			p.origOrg = s.gwa.org.ID
			p.title = "Antrag der GWA Südstadt: " + p.title
			add(c, "Entscheidung", true)
		default:
			p.origGroup = pick(s.r, s.groups)
			if chance(s.r, 0.55) {
				add(c, "Entscheidung", true)
			} else {
				add(c, "Vorberatung", false)
				add(s.council, "Entscheidung", true)
			}
		}
	case council.PaperCitizensMotion:
		p.title = "Einwohnerantrag: " + fill(pick(s.r, t.motions), p.v)
		add(c, "Vorberatung", false)
		add(s.council, "Entscheidung", true)
	case council.PaperInquiry:
		p.title = "Anfrage: " + fill(pick(s.r, t.inquiries), p.v)
		p.origGroup = pick(s.r, s.groups)
		switch {
		case chance(s.r, 0.6): // answered in writing, never on an agenda
			add(c, "schriftliche Beantwortung", true)
			p.written = true
			if at := d.AddDate(0, 0, 14+s.r.IntN(28)); at.Before(s.now) {
				p.events = append(p.events, paperEvent{at, council.StatusDone, "schriftlich beantwortet"})
				p.outcome = "schriftlich beantwortet"
			}
		case chance(s.r, 0.3):
			add(s.council, "Beantwortung", true)
		default:
			add(c, "Beantwortung", true)
		}
	case council.PaperInformation:
		p.title = fill(pick(s.r, t.infos), p.v)
		add(c, "Kenntnisnahme", true)
		if chance(s.r, 0.1) {
			p.steps[0].auth = false
			add(s.council, "Kenntnisnahme", true)
		}
	default:
		p.title = "Mitteilung der Verwaltung: " + fill(pick(s.r, t.infos), p.v)
		add(s.council, "Kenntnisnahme", true)
	}
	p.draft = s.now.Sub(d) < 8*24*time.Hour && chance(s.r, 0.4)
	s.papers = append(s.papers, p)
	if !p.draft && !p.written {
		s.schedule(p, d.AddDate(0, 0, 8))
	}
}

// schedule puts the paper's steps on meetings from earliest on and
// decides the results of steps in past meetings.
func (s *seeder) schedule(p *paper, earliest time.Time) {
	for _, st := range p.steps {
		m := slot(st.g, earliest, p.p.Public)
		if m == nil {
			return
		}
		st.m = m
		if p.p.Public {
			m.public = append(m.public, st)
		} else {
			m.private = append(m.private, st)
		}
		earliest = m.start.AddDate(0, 0, 1)
		if m.state == meetings.Closed {
			s.decide(st)
			if st.auth {
				return
			}
		}
	}
}

func seatsOf(g *gremium) int {
	switch {
	case g.org.Kind == council.KindCouncil:
		return 51
	case g.org.StatutorySeats > 0:
		return g.org.StatutorySeats
	}
	return 6
}

// decide sets the result of a step in a past meeting, the paper's outcome
// and timeline, and for some papers an amendment.
func (s *seeder) decide(st *step) {
	p, m, n := st.p, st.m, seatsOf(st.g)
	at := m.start.Add(150 * time.Minute)
	body := st.g.org.Name
	switch {
	case st.role == "Anhörung":
		st.result = pick(s.r, []string{"zustimmend zur Kenntnis genommen", "Zustimmung mit Hinweisen", "einstimmig befürwortet"})
		st.resolution = fmt.Sprintf("Der %s befürwortet die Vorlage.", body)
		return
	case st.role == "Beschluss über die Einbringung":
		st.result, st.resolution = "einstimmig beschlossen", "Der Kinder- und Jugendrat bringt den Antrag in den Fachausschuss ein."
		return
	case !st.auth && p.p.Type == council.PaperInformation:
		st.result = "zur Kenntnis genommen"
		return
	case !st.auth:
		if chance(s.r, 0.75) {
			st.result = "einstimmig empfohlen"
		} else {
			st.result = "mehrheitlich empfohlen (" + castVote(s.r, n, true).String() + ")"
		}
		st.resolution = fmt.Sprintf("Der %s empfiehlt dem Stadtrat, wie folgt zu beschließen: %s", body, p.proposal())
		return
	}
	switch p.p.Type {
	case council.PaperInquiry:
		st.result = pick(s.r, []string{"mündlich beantwortet", "schriftlich beantwortet, zur Kenntnis genommen"})
		p.events = append(p.events, paperEvent{at, council.StatusDone, "Anfrage beantwortet"})
		p.outcome = st.result
		return
	case council.PaperInformation, council.PaperReport:
		st.result = "zur Kenntnis genommen"
		p.events = append(p.events, paperEvent{at, council.StatusDone, "zur Kenntnis genommen"})
		p.outcome = st.result
		return
	}
	reject := 0.05
	if p.p.Type == council.PaperMotion {
		reject = 0.3
	}
	x := s.r.Float64()
	switch {
	case x < 0.04:
		st.result = "vertagt"
		p.events = append(p.events, paperEvent{at, council.StatusAdjourned, "vertagt in der " + m.m.Name})
	case x < 0.06:
		st.result = "zurückgezogen"
		p.events = append(p.events, paperEvent{at, council.StatusWithdrawn, "von den Einreichenden zurückgezogen"})
	case x < 0.075:
		st.result = "in die Ausschüsse zurückverwiesen"
		p.events = append(p.events, paperEvent{at, council.StatusReferredBack, "zurückverwiesen"})
	case x < 0.075+reject:
		st.result = "abgelehnt (" + castVote(s.r, n, false).String() + ")"
		st.resolution = fmt.Sprintf("Der %s lehnt den Beschlussvorschlag ab.", body)
		p.events = append(p.events, paperEvent{at, council.StatusDecided, "abgelehnt"})
	default:
		if chance(s.r, 0.6) {
			st.result = "einstimmig beschlossen"
		} else {
			st.result = "mehrheitlich beschlossen (" + castVote(s.r, n, true).String() + ")"
		}
		st.resolution = fmt.Sprintf("Der %s beschließt: %s", body, p.proposal())
		p.events = append(p.events, paperEvent{at, council.StatusDecided, st.result})
		if impl := at.AddDate(0, 0, 20+s.r.IntN(40)); impl.Before(s.now) && p.p.Public {
			p.events = append(p.events, paperEvent{impl, council.StatusImplementation, "Umsetzung begonnen"})
			if done := impl.AddDate(0, 0, 90+s.r.IntN(300)); done.Before(s.now) && chance(s.r, 0.6) {
				p.events = append(p.events, paperEvent{done, council.StatusDone, "Umsetzung abgeschlossen"})
			}
		}
		if p.p.Public && chance(s.r, 0.08) {
			s.amend(st)
		}
	}
	p.outcome = st.result
}

// amend adds an amendment by a party group to the paper of st, decided
// in the same meeting right after it.
func (s *seeder) amend(st *step) {
	m := st.m
	a := &paper{date: m.start.AddDate(0, 0, -2-s.r.IntN(4)), t: st.p.t, v: st.p.v, parent: st.p,
		origGroup: pick(s.r, s.groups), p: council.Paper{Type: council.PaperAmendment, Public: true}}
	if a.date.Before(st.p.date) {
		a.date = st.p.date.Add(time.Hour)
	}
	a.title = "Änderungsantrag zu „" + st.p.title + "“"
	as := &step{p: a, g: st.g, role: "Entscheidung", auth: true, m: m}
	a.steps = []*step{as}
	for i, x := range m.public {
		if x == st {
			m.public = append(m.public[:i+1], append([]*step{as}, m.public[i+1:]...)...)
			break
		}
	}
	if chance(s.r, 0.5) {
		as.result = "angenommen (" + castVote(s.r, seatsOf(st.g), true).String() + ")"
		st.result = "mit Änderungen beschlossen"
		a.events = append(a.events, paperEvent{m.start.Add(2 * time.Hour), council.StatusDecided, "angenommen"})
	} else {
		as.result = "abgelehnt (" + castVote(s.r, seatsOf(st.g), false).String() + ")"
		a.events = append(a.events, paperEvent{m.start.Add(2 * time.Hour), council.StatusDecided, "abgelehnt"})
	}
	as.resolution = fmt.Sprintf("Der %s stimmt über den Änderungsantrag ab: %s", st.g.org.Name, as.result)
	a.outcome = as.result
	s.papers = append(s.papers, a)
}

// proposal is the Beschlussvorschlag of p.
func (p *paper) proposal() string {
	task := "das Erforderliche zu veranlassen"
	if len(p.t.tasks) > 0 {
		task = fill(p.t.tasks[len(p.title)%len(p.t.tasks)], p.v)
	}
	switch p.p.Type {
	case council.PaperMotion, council.PaperCitizensMotion:
		return fmt.Sprintf("Die Verwaltung wird beauftragt, zum Anliegen „%s“ bis zum %s ein Umsetzungskonzept mit Kosten und Zeitplan vorzulegen.",
			subject(p.title), p.v["{due}"])
	}
	return fmt.Sprintf("1. Der Vorlage „%s“ wird zugestimmt. 2. Die Verwaltung wird beauftragt, %s.", p.title, task)
}

// subject is a motion's title without its "Antrag …: " prefix.
func subject(title string) string {
	if _, after, ok := strings.Cut(title, ": "); ok {
		return after
	}
	return title
}

// text writes the paper's body.
func (s *seeder) text(p *paper) string {
	var b strings.Builder
	reasons := func(n int) {
		for _, x := range sentences(s.r, p.t.reasons, n) {
			b.WriteString(fill(x, p.v) + " ")
		}
		b.WriteString(fill(pick(s.r, genericReasons), p.v))
	}
	switch p.p.Type {
	case council.PaperInquiry:
		b.WriteString("Sachverhalt:\n\n")
		reasons(2)
		b.WriteString("\n\nWir fragen die Verwaltung:\n\n")
		for i, q := range sentences(s.r, questions, 3) {
			fmt.Fprintf(&b, "%d. %s\n", i+1, fill(q, p.v))
		}
	case council.PaperInformation, council.PaperReport:
		b.WriteString("Sachverhalt:\n\n")
		reasons(3)
		b.WriteString("\n\nDie Verwaltung wird über den weiteren Fortgang unterrichten.")
	case council.PaperAmendment:
		fmt.Fprintf(&b, "Änderungsantrag zur Vorlage %s „%s“.\n\nDer Beschlussvorschlag wird wie folgt geändert:\n\n%s\n\nBegründung:\n\n",
			p.parent.p.Reference, p.parent.title, fill(pick(s.r, amendmentLines), p.v))
		reasons(1)
	case council.PaperMotion, council.PaperCitizensMotion:
		b.WriteString("Der Stadtrat möge beschließen:\n\n" + p.proposal() + "\n\nBegründung:\n\n")
		for _, x := range sentences(s.r, motionReasons, 2+s.r.IntN(2)) {
			b.WriteString(fill(x, p.v) + " ")
		}
		b.WriteString(fill(pick(s.r, p.t.reasons), p.v))
	default:
		b.WriteString("Beschlussvorschlag:\n\n" + p.proposal() + "\n\nBegründung:\n\n")
		reasons(2 + s.r.IntN(3))
		b.WriteString("\n\n" + fill(pick(s.r, financeLines), p.v) + "\n" + pick(s.r, climateLines))
	}
	return b.String()
}

func (s *seeder) savePaper(ctx context.Context, p *paper) error {
	p.p.BodyID, p.p.Name, p.p.LeadOrgID = s.body.ID, p.title, s.depts[p.t.dept]
	t := 0
	if !p.date.Before(s.terms[1].Start) {
		t = 1
	}
	if g := p.origGroup; g != nil {
		p.p.Originators = append(p.p.Originators, council.Originator{OrganizationID: g.org.ID})
		for range 1 + s.r.IntN(2) {
			p.p.Originators = append(p.p.Originators, council.Originator{PersonID: pick(s.r, g.members[t]).ID})
		}
	}
	if p.origOrg != council.NilID {
		p.p.Originators = append(p.p.Originators, council.Originator{OrganizationID: p.origOrg})
	}
	if p.parent != nil {
		p.p.Related = []council.ID{p.parent.p.ID}
	}
	p.p.Text = s.text(p)
	saved, err := s.cs.SavePaper(ctx, p.p)
	if err != nil {
		return err
	}
	if !p.draft {
		if saved, err = s.cs.Submit(ctx, saved.ID, p.date); err != nil {
			return err
		}
	}
	p.p = saved
	s.counts.Papers++
	for i, st := range p.steps {
		if _, err := s.cs.SaveConsultation(ctx, council.Consultation{PaperID: p.p.ID, OrganizationID: st.g.org.ID,
			Position: i, Role: st.role, Authoritative: st.auth}); err != nil {
			return err
		}
	}
	return nil
}

// seedTimelines writes each paper's status changes after the agendas,
// so that the last one is the paper's status.
func (s *seeder) seedTimelines(ctx context.Context) error {
	for _, p := range s.papers {
		if p.draft {
			continue
		}
		// AddPaper already wrote the "in consultation" entry when the
		// paper was put on its first agenda.
		for _, e := range p.events {
			if err := s.cs.SetStatus(ctx, p.p.ID, e.status, e.note, e.at); err != nil {
				return fmt.Errorf("paper %s: %w", p.p.Reference, err)
			}
		}
	}
	return nil
}
