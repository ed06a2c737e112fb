package documents

import (
	"fmt"
	"strings"
	"time"

	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/props"
)

// Attendance lists who took part in a meeting, by display name. It is a
// plain input until attendance is recorded in meetings.
type Attendance struct {
	Chair    string // Vorsitz
	Recorder string // Schriftführung
	Present  []string
	Excused  []string // entschuldigt
	Absent   []string // unentschuldigt abwesend
	Guests   []string // Verwaltung, Gäste
}

// Votes is the outcome of a vote on an agenda item.
type Votes struct {
	Yes, No, Abstain int
}

// MinutesItem is one agenda item in the minutes.
type MinutesItem struct {
	Number         string
	Title          string
	Public         bool
	PaperReference string
	Notes          string // the discussion (Beratungsverlauf)
	ResolutionText string // the resolution as passed (Beschlusstext)
	Result         string // e.g. "einstimmig beschlossen", "zur Kenntnis genommen"
	Votes          *Votes // nil: no vote
}

// Minutes is the input of the minutes (Niederschrift). ForMembers
// selects the full version; the public version shows non-public items
// only as NonPublicItemTitle, without notes, resolution or votes.
type Minutes struct {
	City       string
	Body       string
	Meeting    string
	Start      time.Time
	End        time.Time
	Location   string
	Attendance Attendance
	Items      []MinutesItem
	ForMembers bool
}

// Minutes renders m as a PDF.
func (r *Renderer) Minutes(m Minutes) ([]byte, error) {
	p, err := r.newPage("Niederschrift – "+m.Meeting, m.City, m.Body)
	if err != nil {
		return nil, err
	}
	p.title("Niederschrift")
	p.text(m.Meeting, props.Text{Style: fontstyle.Bold, Size: 12, Bottom: gapPara})
	p.pair("Beginn", p.when(m.Start))
	p.pair("Ende", p.when(m.End))
	p.pair("Ort", m.Location)
	p.attendance(m.Attendance)
	inParts(p, m.Items, func(it MinutesItem) bool { return it.Public }, func(it MinutesItem) {
		if it.Public || m.ForMembers {
			p.minutesItem(it)
		} else {
			p.entry(it.Number, NonPublicItemTitle, "")
		}
	})
	p.rule()
	p.signatures(m.Attendance)
	return p.finish("minutes")
}

func (p *page) attendance(a Attendance) {
	p.heading("Anwesenheit")
	p.pair("Vorsitz", a.Chair)
	p.pair("Schriftführung", a.Recorder)
	p.pair("Anwesend", names(a.Present))
	p.pair("Entschuldigt", names(a.Excused))
	p.pair("Abwesend", names(a.Absent))
	p.pair("Gäste", names(a.Guests))
	if n := len(a.Present); n > 0 {
		p.text(fmt.Sprintf("Anwesend sind %d Mitglieder.", n), props.Text{Size: 9, Bottom: gapSmall})
	}
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

func (p *page) minutesItem(it MinutesItem) {
	p.space(gapSmall)
	title := it.Title
	if clean(it.PaperReference) != "" {
		title += "\nDrucksache " + it.PaperReference
	}
	p.columns(2, it.Number, title, props.Text{Style: fontstyle.Bold, Bottom: gapSmall})
	if clean(it.Notes) != "" {
		p.label("Beratung")
		p.text(it.Notes, props.Text{Bottom: gapSmall})
	}
	if clean(it.ResolutionText) != "" {
		p.label("Beschluss")
		p.text(it.ResolutionText, props.Text{Bottom: gapSmall})
	}
	if it.Votes != nil {
		v := it.Votes
		p.pair("Abstimmung", fmt.Sprintf("Ja: %d · Nein: %d · Enthaltung: %d", v.Yes, v.No, v.Abstain))
	}
	p.pair("Ergebnis", it.Result)
}

// label prints a small bold subheading.
func (p *page) label(s string) {
	p.text(s, props.Text{Style: fontstyle.Bold, Size: 9, Top: gapSmall, Bottom: 0.5})
}

func (p *page) signatures(a Attendance) {
	p.space(12)
	p.columns(6, "______________________________", "______________________________", props.Text{})
	p.columns(6, or(a.Chair, "Vorsitz"), or(a.Recorder, "Schriftführung"), props.Text{Size: 9})
}

func or(s, def string) string {
	if oneLine(s) == "" {
		return def
	}
	return s
}
