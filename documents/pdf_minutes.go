package documents

import (
	"fmt"
	"strings"
	"time"

	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/props"

	"github.com/plenar/plenar/meetings"
)

// Minutes renders the minutes (Niederschrift) r as a PDF: the members'
// version when r.ForMembers, else what r holds (pass
// meetings.MinutesRecord.Public for the public version; as a second
// guard, a non-public item of a record that is not for members is printed
// only with its number and the neutral title). A draft says so on every
// page's title; approved minutes show how they were approved and their
// SHA-256 (docs/DOMAIN.md, "Niederschrift").
func (r *Renderer) Minutes(m meetings.MinutesRecord) ([]byte, error) {
	title := "Niederschrift"
	if m.State != meetings.MinutesApproved {
		title = "Niederschrift (Entwurf)"
	}
	p, err := r.newPage(title+" – "+m.Meeting, m.City, m.Body)
	if err != nil {
		return nil, err
	}
	p.title(title)
	p.text(m.Meeting, props.Text{Style: fontstyle.Bold, Size: 12, Bottom: gapPara})
	p.pair("Beginn", p.when(m.Start))
	p.pair("Ende", p.when(m.End))
	p.pair("Ort", m.Location)
	switch a := m.Approval; {
	case m.State != meetings.MinutesApproved:
		p.pair("Stand", "Entwurf – noch nicht genehmigt")
	case a != nil:
		p.pair("Genehmigt", fmt.Sprintf("in der Sitzung „%s“ am %s, TOP %s (Ja: %d · Nein: %d · Enthaltung: %d)",
			a.Meeting, p.day(a.Date), a.Item, a.Yes, a.No, a.Abstain))
	}
	if m.Hash != "" {
		p.text("SHA-256 dieser Fassung: "+m.Hash, props.Text{Size: 7.5, Bottom: gapSmall})
	}
	if !m.ForMembers {
		p.pair("Fassung", "Öffentliche Fassung: nichtöffentliche Tagesordnungspunkte nur mit ihrer Nummer")
	}
	p.heading("Anwesenheit")
	if len(m.Present) > 0 {
		p.pair("Anwesend", names(m.Present))
		p.text(fmt.Sprintf("Während der Sitzung waren %d Mitglieder anwesend.", len(m.Present)), props.Text{Size: 9, Bottom: gapSmall})
	} else if !m.Ran {
		p.text("Die Sitzung wurde nicht live geführt; die Anwesenheit ist in der Anwesenheitsliste festgehalten.", props.Text{Size: 9, Bottom: gapSmall})
	}
	for _, s := range m.Parts {
		part := "nichtöffentlicher Teil"
		if s.Public {
			part = "öffentlicher Teil"
		}
		p.pair(p.clock(s.At), "Beginn "+part)
	}
	if strings.TrimSpace(m.Notes) != "" {
		p.label("Anmerkungen")
		p.text(m.Notes, props.Text{Bottom: gapSmall})
	}
	inParts(p, m.Items, func(it meetings.MinutesRecItem) bool { return it.Public }, func(it meetings.MinutesRecItem) {
		if it.Public || m.ForMembers {
			p.minutesItem(it)
		} else {
			p.entry(it.Number, NonPublicItemTitle, "")
		}
	})
	if len(m.Addenda) > 0 {
		p.heading("Nachträge")
		for _, a := range m.Addenda {
			lead := p.day(a.At)
			if a.Item != "" {
				lead += " (TOP " + a.Item + ")"
			}
			p.columns(3, lead, a.Text+"\nGrund: "+a.Reason, props.Text{Bottom: gapSmall})
		}
	}
	p.rule()
	p.signatures()
	return p.finish("minutes")
}

// names joins cleaned, non-empty names with commas.
func names(ns []string) string {
	var out []string
	for _, n := range ns {
		if n = oneLine(n); n != "" {
			out = append(out, n)
		}
	}
	return strings.Join(out, ", ")
}

// clock formats t as "17:05" in German local time.
func (p *page) clock(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(p.loc).Format("15:04")
}

func (p *page) minutesItem(it meetings.MinutesRecItem) {
	p.space(gapSmall)
	title := it.Title
	if clean(it.PaperReference) != "" {
		title += "\nDrucksache " + it.PaperReference
	}
	p.columns(2, it.Number, title, props.Text{Style: fontstyle.Bold, Bottom: gapSmall})
	for _, per := range it.Periods {
		span := p.clock(per.From) + "–" + p.clock(per.To)
		p.pair("Beraten", span+" Uhr")
		p.pair("Im Saal", names(per.Room))
		p.pair("Zugeschaltet", names(per.Remote))
		for _, c := range per.Changes {
			p.pair(p.clock(c.At), c.Name+": "+modeDE(c.What))
		}
	}
	for _, c := range it.Conflicts {
		p.pair("Befangen", c.Name+" ("+p.clock(c.At)+" Uhr), nahm an Beratung und Abstimmung nicht teil")
	}
	for _, q := range it.Quorum {
		v := "beschlussfähig"
		if !q.Quorate {
			v = "nicht beschlussfähig"
		}
		p.pair("Beschlussfähigkeit", fmt.Sprintf("%s Uhr: %s (%d von %d Mitgliedern anwesend, nötig %d)", p.clock(q.At), v, q.Present, q.Seats, q.Needed))
	}
	if len(it.Speeches) > 0 {
		var heard []string
		for _, s := range it.Speeches {
			switch {
			case !s.From.IsZero():
				heard = append(heard, s.Name)
			case s.Withdrawn:
				heard = append(heard, s.Name+" (zurückgezogen)")
			}
		}
		p.pair("Wortmeldungen", strings.Join(heard, ", "))
	}
	if clean(it.Notes) != "" {
		p.label("Beratung")
		p.text(it.Notes, props.Text{Bottom: gapSmall})
	}
	for _, pl := range it.Polls {
		p.pair("Abstimmung", pollLine(pl))
		if len(pl.Votes) > 0 {
			var vs []string
			for _, v := range pl.Votes {
				vs = append(vs, v.Name+": "+choiceDE(v.Choice))
			}
			p.pair("Stimmen", strings.Join(vs, "; "))
		}
	}
	for _, q := range it.Questions {
		s := q.Text
		if q.Asker != "" {
			s += " (gestellt von " + q.Asker + ")"
		}
		if !q.SpokeFrom.IsZero() {
			s += fmt.Sprintf(" – die fragende Person hatte von %s bis %s Uhr das Wort (nur Ton)", p.clock(q.SpokeFrom), p.clock(q.SpokeUntil))
		}
		switch q.Mode {
		case "oral":
			s += " – mündlich beantwortet"
		case "written":
			s += " – schriftlich beantwortet"
		}
		if clean(q.Answer) != "" {
			s += ": " + q.Answer
		}
		p.pair(fmt.Sprintf("Frage %d", q.Number), s)
	}
	for _, c := range it.Complaints {
		s := c.By + ": " + c.Text + " – "
		switch c.Kind {
		case "repeat":
			s += "der Schritt wird wiederholt"
		case "continue":
			s += "die Sitzung wird fortgesetzt"
		default:
			s += "nicht entschieden"
		}
		if c.Reason != "" {
			s += " (" + c.Reason + ")"
		}
		p.pair("Rüge", s)
	}
	if clean(it.ResolutionText) != "" {
		p.label("Beschluss")
		p.text(it.ResolutionText, props.Text{Bottom: gapSmall})
	}
	p.pair("Ergebnis", it.Result)
	for _, c := range it.Corrections {
		p.pair("Berichtigung", c.Text+" (Grund: "+c.Reason+")")
	}
}

// pollLine is one poll in words.
func pollLine(pl meetings.MinutesRecPoll) string {
	kind := map[string]string{"open": "offen", "named": "namentlich", "secret": "geheim", "election": "Wahl"}[pl.Kind]
	s := fmt.Sprintf("%s (%s", pl.Question, kind)
	if pl.Rule != "" {
		s += ", " + ruleDE(pl.Rule)
	}
	s += fmt.Sprintf(", %d stimmberechtigt): ", pl.Eligible)
	switch {
	case pl.State == string(meetings.PollCancelled):
		return s + "abgebrochen – " + pl.Reason
	case len(pl.Elected) > 0:
		return s + "gewählt: " + strings.Join(pl.Elected, ", ")
	}
	s += fmt.Sprintf("Ja %d · Nein %d · Enthaltung %d", pl.Yes, pl.No, pl.Abstain)
	switch pl.Outcome {
	case "accepted":
		s += " – angenommen"
	case "rejected":
		s += " – abgelehnt"
	}
	return s
}

// ruleDE names a voting rule (meetings/voting) in German.
func ruleDE(r string) string {
	if s, ok := map[string]string{
		"simple":                   "einfache Mehrheit",
		"absolute":                 "absolute Mehrheit der gesetzlichen Mitglieder",
		"two_thirds_cast":          "Zweidrittelmehrheit der abgegebenen Stimmen",
		"two_thirds_present":       "Zweidrittelmehrheit der Anwesenden",
		"two_thirds_statutory":     "Zweidrittelmehrheit der gesetzlichen Mitglieder",
		"three_quarters_cast":      "Dreiviertelmehrheit der abgegebenen Stimmen",
		"three_quarters_present":   "Dreiviertelmehrheit der Anwesenden",
		"three_quarters_statutory": "Dreiviertelmehrheit der gesetzlichen Mitglieder",
	}[r]; ok {
		return s
	}
	return "Regel " + r
}

func choiceDE(c string) string {
	switch c {
	case "yes":
		return "Ja"
	case "no":
		return "Nein"
	case "abstain":
		return "Enthaltung"
	}
	return c
}

func modeDE(m string) string {
	switch m {
	case string(meetings.InRoom):
		return "im Saal"
	case string(meetings.Remote):
		return "zugeschaltet"
	case string(meetings.Absent):
		return "abwesend"
	}
	return m
}

// label prints a small bold subheading.
func (p *page) label(s string) {
	p.text(s, props.Text{Style: fontstyle.Bold, Size: 9, Top: gapSmall, Bottom: 0.5})
}

func (p *page) signatures() {
	p.space(12)
	p.columns(6, "______________________________", "______________________________", props.Text{})
	p.columns(6, "Vorsitz", "Schriftführung", props.Text{Size: 9})
}
