package documents

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
	_ "time/tzdata" // German local time without a zoneinfo database

	"github.com/johnfercher/maroto/v2"
	"github.com/johnfercher/maroto/v2/pkg/components/col"
	"github.com/johnfercher/maroto/v2/pkg/components/line"
	"github.com/johnfercher/maroto/v2/pkg/components/row"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/config"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/consts/pagesize"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/core/entity"
	"github.com/johnfercher/maroto/v2/pkg/props"
)

// Generated PDFs (invitation, agenda, minutes, paper) are laid out with
// maroto v2; this file holds what they share: fonts, page setup, header,
// footer and the text helpers that keep every row within one page. Only
// package documents imports maroto.

// DefaultFontDir is where Debian's fonts-dejavu-core installs DejaVu Sans.
const DefaultFontDir = "/usr/share/fonts/truetype/dejavu"

// fontFamily is the name the DejaVu fonts are registered under.
const fontFamily = "dejavu"

// Font sizes in points and spacing in millimetres. Spacings are exact
// binary fractions (1, 1.5, 0.5): maroto decides page breaks on its sum of
// row heights while gofpdf breaks when its own cursor passes the bottom
// margin, and with values like 0.9 the two sums drift apart by rounding,
// which pushed rows onto a page of their own without header (caught by
// the footer check in TestMinutes).
const (
	sizeBody    = 10
	sizeSmall   = 8
	sizeHeading = 12
	sizeTitle   = 15
	gapSmall    = 1.5
	gapPara     = 3
	leading     = 1.0 // extra space between lines; binary-exact like every gap, see newPage
)

// Renderer renders Plenar's generated PDFs. It holds the DejaVu fonts,
// read once by NewRenderer; a Renderer is safe for concurrent use, each
// render builds its own document.
type Renderer struct {
	regular []byte
	bold    []byte
	loc     *time.Location
}

// NewRenderer reads DejaVuSans.ttf and DejaVuSans-Bold.ttf from dir
// (DefaultFontDir when dir is "") and returns a Renderer that shows dates
// in German local time (Europe/Berlin). It fails when a font is missing,
// naming the file and the Debian package that provides it.
func NewRenderer(dir string) (*Renderer, error) {
	if dir == "" {
		dir = DefaultFontDir
	}
	r := &Renderer{}
	for _, f := range []struct {
		name string
		dst  *[]byte
	}{{"DejaVuSans.ttf", &r.regular}, {"DejaVuSans-Bold.ttf", &r.bold}} {
		path := filepath.Join(dir, f.name)
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("load PDF font %s (install the Debian package fonts-dejavu-core): %w", path, err)
		}
		if len(b) < 12 {
			return nil, fmt.Errorf("load PDF font %s: not a TrueType font", path)
		}
		*f.dst = b
	}
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return nil, fmt.Errorf("load time zone Europe/Berlin: %w", err)
	}
	r.loc = loc
	return r, nil
}

// page is one document being built: the maroto document and the
// renderer's settings.
type page struct {
	m   core.Maroto
	loc *time.Location
}

// newPage starts an A4 document with the header "city · body" on every
// page and "Seite X von Y" at the bottom.
func (r *Renderer) newPage(title, city, body string) (*page, error) {
	if r == nil || r.regular == nil {
		return nil, errors.New("render PDF: renderer has no fonts (use NewRenderer)")
	}
	cfg := config.NewBuilder().
		WithPageSize(pagesize.A4).
		WithLeftMargin(20).WithRightMargin(20).WithTopMargin(12).WithBottomMargin(18).
		WithCustomFonts([]*entity.CustomFont{
			{Family: fontFamily, Style: fontstyle.Normal, Bytes: r.regular},
			{Family: fontFamily, Style: fontstyle.Bold, Bytes: r.bold},
		}).
		WithDefaultFont(&props.Font{Family: fontFamily, Style: fontstyle.Normal, Size: sizeBody}).
		WithPageNumber(props.PageNumber{Pattern: "Seite {current} von {total}", Place: props.RightBottom, Size: sizeSmall}).
		WithTitle(clean(title), true).
		WithCreator("Plenar", false).
		WithCompression(true).
		Build()
	p := &page{m: maroto.New(cfg), loc: r.loc}
	city, body = oneLine(city), oneLine(body)
	header := []core.Row{
		row.New().Add(
			text.NewCol(6, city, props.Text{Style: fontstyle.Bold, Size: sizeBody}),
			text.NewCol(6, body, props.Text{Size: sizeBody, Align: align.Right}),
		),
		line.NewRow(4, props.Line{Thickness: 0.3, OffsetPercent: 60}),
	}
	if err := p.m.RegisterHeader(header...); err != nil {
		return nil, fmt.Errorf("render PDF header: %w", err)
	}
	return p, nil
}

// finish generates the PDF.
func (p *page) finish(what string) ([]byte, error) {
	doc, err := p.m.Generate()
	if err != nil {
		return nil, fmt.Errorf("render %s PDF: %w", what, err)
	}
	return doc.GetBytes(), nil
}

// title adds the document title in large bold type.
func (p *page) title(s string) {
	p.text(s, props.Text{Style: fontstyle.Bold, Size: sizeTitle, Bottom: gapPara})
}

// heading adds a section heading.
func (p *page) heading(s string) {
	p.text(s, props.Text{Style: fontstyle.Bold, Size: sizeHeading, Top: gapPara, Bottom: gapSmall})
}

// text adds s as full-width rows: one or more per line of s, each short
// enough to fit on a page. Top spacing goes to the first row, bottom
// spacing to the last.
func (p *page) text(s string, prop props.Text) {
	p.columns(0, "", s, prop)
}

// columns adds s in a column of 12-lead grid units with lead (e.g. an item
// number, bold) to its left on the first row; lead 0 means full width.
func (p *page) columns(lead int, label, s string, prop props.Text) {
	chunks := chunks(s, maxChunkRunes)
	if len(chunks) == 0 {
		if label == "" {
			return
		}
		chunks = []string{""}
	}
	top, bottom := prop.Top, prop.Bottom
	for i, c := range chunks {
		cp := prop
		cp.Top, cp.Bottom = 0, leading
		if cp.VerticalPadding == 0 {
			cp.VerticalPadding = leading
		}
		if i == 0 {
			cp.Top = top
		}
		if i == len(chunks)-1 {
			cp.Bottom = bottom
		}
		if lead == 0 {
			p.m.AddRows(text.NewAutoRow(c, cp))
			continue
		}
		l := ""
		if i == 0 {
			l = oneLine(label)
		}
		lp := cp
		lp.Style = fontstyle.Bold
		lp.Align = align.Left
		p.m.AddRows(row.New().Add(text.NewCol(lead, l, lp), text.NewCol(12-lead, c, cp)))
	}
}

// pair adds a "label: value" line with the label in bold in a narrow
// column; nothing when value is empty.
func (p *page) pair(label, value string) {
	if clean(value) == "" {
		return
	}
	p.columns(3, label, value, props.Text{Size: sizeBody, Bottom: gapSmall})
}

// space adds vertical space of h millimetres.
func (p *page) space(h float64) {
	p.m.AddRows(row.New(h).Add(col.New(12)))
}

// rule adds a thin horizontal line.
func (p *page) rule() {
	p.m.AddRows(line.NewRow(5, props.Line{Thickness: 0.2, OffsetPercent: 50}))
}

// when formats t as "Dienstag, 14. April 2026, 17:00 Uhr" in German local
// time; "" for the zero time.
func (p *page) when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(p.loc)
	return fmt.Sprintf("%s, %s, %s Uhr", weekdayDE(t.Weekday()), dateDE(t), t.Format("15:04"))
}

// day formats t as "14. April 2026" in German local time.
func (p *page) day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return dateDE(t.In(p.loc))
}

func dateDE(t time.Time) string {
	months := [...]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
		"September", "Oktober", "November", "Dezember"}
	return fmt.Sprintf("%d. %s %d", t.Day(), months[t.Month()-1], t.Year())
}

func weekdayDE(d time.Weekday) string {
	return [...]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"}[d]
}
