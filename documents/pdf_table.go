package documents

import (
	"errors"
	"unicode/utf8"

	"github.com/johnfercher/maroto/v2/pkg/components/row"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/props"
)

// Table is the input of a tabular attachment, e.g. a cost breakdown
// (Kostenaufstellung) to a paper: a title, an introduction, a table with
// a header row and an optional total row, and notes under it.
type Table struct {
	City     string // page header, left
	Body     string // page header, right
	Title    string
	Subtitle string // e.g. "Anlage 1 zur Vorlage V0123/26"
	Intro    string
	Columns  []TableColumn // their widths add up to 12
	Rows     [][]string    // one cell per column; missing cells are empty
	Total    []string      // printed in bold under the rows; nil: none
	Notes    string
}

// TableColumn is one column of a Table: its heading, its width in grid
// units (of 12) and whether its cells are right-aligned (amounts).
type TableColumn struct {
	Title string
	Width int
	Right bool
}

// maxCellRunes bounds a table cell: a row must fit on a page.
const maxCellRunes = 300

// Table renders t as a PDF. Errors: a table without columns or whose
// column widths do not add up to 12, and rendering failures.
func (r *Renderer) Table(t Table) ([]byte, error) {
	sum := 0
	for _, c := range t.Columns {
		if c.Width <= 0 {
			return nil, errors.New("render table PDF: a column without width")
		}
		sum += c.Width
	}
	if sum != 12 {
		return nil, errors.New("render table PDF: column widths must add up to 12")
	}
	p, err := r.newPage(t.Title, t.City, t.Body)
	if err != nil {
		return nil, err
	}
	if s := oneLine(t.Subtitle); s != "" {
		p.text(s, props.Text{Size: sizeSmall, Bottom: gapSmall})
	}
	p.title(t.Title)
	if clean(t.Intro) != "" {
		p.text(t.Intro, props.Text{Bottom: gapPara})
	}
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = c.Title
	}
	p.m.AddRows(p.tableRow(t.Columns, head, fontstyle.Bold).WithStyle(&props.Cell{BackgroundColor: &props.Color{Red: 225, Green: 225, Blue: 225}}))
	for i, cells := range t.Rows {
		rw := p.tableRow(t.Columns, cells, fontstyle.Normal)
		if i%2 == 1 {
			rw = rw.WithStyle(&props.Cell{BackgroundColor: &props.Color{Red: 245, Green: 245, Blue: 245}})
		}
		p.m.AddRows(rw)
	}
	if t.Total != nil {
		p.rule()
		p.m.AddRows(p.tableRow(t.Columns, t.Total, fontstyle.Bold))
	}
	if clean(t.Notes) != "" {
		p.space(gapPara)
		p.text(t.Notes, props.Text{Size: 9, Bottom: gapSmall})
	}
	return p.finish("table")
}

// tableRow is one table row: each cell on one line of its own, cut to
// maxCellRunes.
func (p *page) tableRow(cols []TableColumn, cells []string, style fontstyle.Type) core.Row {
	rw := row.New()
	for i, c := range cols {
		v := ""
		if i < len(cells) {
			v = oneLine(cells[i])
		}
		if utf8.RuneCountInString(v) > maxCellRunes {
			v = string([]rune(v)[:maxCellRunes-1]) + "…"
		}
		a := align.Left
		if c.Right {
			a = align.Right
		}
		rw.Add(text.NewCol(c.Width, v, props.Text{Style: style, Size: 9, Align: a, Top: 1, Bottom: 1, Left: 1, Right: 1}))
	}
	return rw
}
