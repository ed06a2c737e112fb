package documents

import (
	"strconv"
	"time"

	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/props"
)

// PaperSheet is the input of a paper's PDF (Vorlage, Antrag, Anfrage):
// its metadata, text and consultation path.
type PaperSheet struct {
	City        string
	Body        string // the body (municipality) or lead organization for the header
	Kind        string // e.g. "Antrag", "Beschlussvorlage"
	Reference   string // "A0123/26"; "" before submission
	Title       string
	Date        time.Time
	Status      string // e.g. "in Beratung"
	Originators []string
	Lead        string // federführendes Amt
	Text        string
	Path        []PaperStep
}

// PaperStep is one consultation on a paper's path (Beratungsfolge).
type PaperStep struct {
	Organization string
	Role         string // "Vorberatung", "Entscheidung", …
	Meeting      string // "" while not scheduled
	Date         time.Time
	Item         string // the agenda item number, e.g. "Ö 4"
	Result       string
}

// Paper renders ps as a PDF.
func (r *Renderer) Paper(ps PaperSheet) ([]byte, error) {
	p, err := r.newPage(ps.Kind+" "+ps.Reference, ps.City, ps.Body)
	if err != nil {
		return nil, err
	}
	head := ps.Kind
	if ref := oneLine(ps.Reference); ref != "" {
		head += " " + ref
	}
	p.text(head, props.Text{Style: fontstyle.Bold, Size: 11, Bottom: gapSmall})
	p.title(ps.Title)
	p.pair("Datum", p.day(ps.Date))
	p.pair("Status", ps.Status)
	p.pair("Eingebracht von", names(ps.Originators))
	p.pair("Federführung", ps.Lead)
	if len(ps.Path) > 0 {
		p.heading("Beratungsfolge")
		for i, st := range ps.Path {
			p.step(i+1, st)
		}
	}
	if clean(ps.Text) != "" {
		p.heading("Sachverhalt und Beschlussvorschlag")
		p.text(ps.Text, props.Text{Bottom: gapSmall})
	}
	return p.finish("paper")
}

func (p *page) step(n int, st PaperStep) {
	line := st.Organization
	if r := oneLine(st.Role); r != "" {
		line += " (" + r + ")"
	}
	var when string
	switch {
	case oneLine(st.Meeting) != "":
		when = st.Meeting
		if d := p.day(st.Date); d != "" {
			when += ", " + d
		}
		if it := oneLine(st.Item); it != "" {
			when += ", TOP " + it
		}
	default:
		when = "noch nicht terminiert"
	}
	line += "\n" + when
	if r := oneLine(st.Result); r != "" {
		line += "\nErgebnis: " + r
	}
	p.columns(1, strconv.Itoa(n)+".", line, props.Text{Bottom: gapSmall})
}
