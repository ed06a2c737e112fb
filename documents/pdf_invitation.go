package documents

import (
	"time"

	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/props"
)

// NonPublicItemTitle is what the public version of an invitation, agenda
// or minutes shows in place of a non-public item's title.
const NonPublicItemTitle = "Nichtöffentlicher Tagesordnungspunkt"

// DefaultNotice is the legal notice printed under an invitation when the
// caller gives none.
const DefaultNotice = "Diese Einladung ergeht nach den Bestimmungen der Gemeindeordnung und der " +
	"Geschäftsordnung. Die Beratung der öffentlichen Tagesordnungspunkte ist öffentlich; " +
	"Einwohnerinnen und Einwohner sind als Zuhörende willkommen. Die Beratungsunterlagen " +
	"nichtöffentlicher Tagesordnungspunkte sind vertraulich zu behandeln. Mitglieder, die an der " +
	"Teilnahme verhindert sind, teilen dies bitte rechtzeitig der Geschäftsstelle mit und " +
	"verständigen ihre Stellvertretung."

// AgendaEntry is one agenda item (Tagesordnungspunkt) as printed.
type AgendaEntry struct {
	Number         string // "Ö 3", "N 1"
	Title          string
	Public         bool
	PaperReference string // "A0123/26"; "" for free items
}

// Agenda is the input of the agenda (Tagesordnung) and the core of the
// invitation. ForMembers selects the members' version, which shows
// non-public items with their titles; the public version shows them only
// as NonPublicItemTitle, without paper reference.
type Agenda struct {
	City       string // the municipality, e.g. "Stadt Musterstadt" (page header)
	Body       string // the Gremium, e.g. "Ausschuss für Umwelt" (page header)
	Meeting    string // the meeting's name
	Start      time.Time
	End        time.Time // zero: open
	Location   string
	Items      []AgendaEntry
	ForMembers bool
}

// Invitation is the input of the invitation (Einladung): the agenda with
// a salutation, the legal notice and a signature.
type Invitation struct {
	Agenda
	Notice    string // "" prints DefaultNotice
	Signatory string // e.g. "Die Vorsitzende"; "" prints none
}

// Invitation renders inv as a PDF.
func (r *Renderer) Invitation(inv Invitation) ([]byte, error) {
	p, err := r.newPage("Einladung – "+inv.Meeting, inv.City, inv.Body)
	if err != nil {
		return nil, err
	}
	p.title("Einladung")
	p.text(inv.Meeting, props.Text{Style: fontstyle.Bold, Size: 12, Bottom: gapPara})
	p.meetingFacts(inv.Agenda)
	p.text("Sehr geehrte Damen und Herren,", props.Text{Top: gapPara, Bottom: gapSmall})
	p.text("hiermit lade ich Sie zur oben genannten Sitzung ein. Die Tagesordnung lautet:", props.Text{Bottom: gapPara})
	p.agenda(inv.Agenda)
	p.rule()
	p.heading("Hinweis")
	notice := inv.Notice
	if clean(notice) == "" {
		notice = DefaultNotice
	}
	p.text(notice, props.Text{Size: 9, Bottom: gapPara})
	p.text("Mit freundlichen Grüßen", props.Text{Top: gapPara, Bottom: gapSmall})
	if inv.Signatory != "" {
		p.space(6)
		p.text(inv.Signatory, props.Text{})
	}
	return p.finish("invitation")
}

// Agenda renders a as a PDF.
func (r *Renderer) Agenda(a Agenda) ([]byte, error) {
	p, err := r.newPage("Tagesordnung – "+a.Meeting, a.City, a.Body)
	if err != nil {
		return nil, err
	}
	p.title("Tagesordnung")
	p.text(a.Meeting, props.Text{Style: fontstyle.Bold, Size: 12, Bottom: gapPara})
	p.meetingFacts(a)
	p.space(gapPara)
	p.agenda(a)
	return p.finish("agenda")
}

// meetingFacts prints date, time and place.
func (p *page) meetingFacts(a Agenda) {
	p.pair("Beginn", p.when(a.Start))
	if !a.End.IsZero() {
		p.pair("Ende", p.when(a.End))
	}
	p.pair("Ort", a.Location)
}

// agenda prints the public part and then the non-public part.
func (p *page) agenda(a Agenda) {
	inParts(p, a.Items, func(it AgendaEntry) bool { return it.Public }, func(it AgendaEntry) {
		if it.Public || a.ForMembers {
			p.entry(it.Number, it.Title, it.PaperReference)
		} else {
			p.entry(it.Number, NonPublicItemTitle, "")
		}
	})
	if len(a.Items) == 0 {
		p.text("Keine Tagesordnungspunkte.", props.Text{})
	}
}

// inParts prints the public items under "Öffentlicher Teil", then the
// non-public ones under "Nichtöffentlicher Teil", each with item; a part
// without items gets no heading.
func inParts[T any](p *page, items []T, public func(T) bool, item func(T)) {
	for _, part := range []struct {
		heading string
		public  bool
	}{{"Öffentlicher Teil", true}, {"Nichtöffentlicher Teil", false}} {
		headed := false
		for _, it := range items {
			if public(it) != part.public {
				continue
			}
			if !headed {
				p.heading(part.heading)
				headed = true
			}
			item(it)
		}
	}
}

// entry prints one agenda line: number, title and the paper's reference.
func (p *page) entry(number, title, ref string) {
	if clean(ref) != "" {
		title += "\nDrucksache " + ref
	}
	p.columns(2, number, title, props.Text{Bottom: gapSmall})
}
