package documents

import (
	"bytes"
	"errors"
	"fmt"
	"image"

	mimage "github.com/johnfercher/maroto/v2/pkg/components/image"
	"github.com/johnfercher/maroto/v2/pkg/consts/extension"
	"github.com/johnfercher/maroto/v2/pkg/props"
)

// Plan is the input of a drawing attachment, e.g. a site plan (Lageplan)
// to a paper: a title, one picture (PNG or JPEG) across the page width,
// a caption and a legend.
type Plan struct {
	City     string // page header, left
	Body     string // page header, right
	Title    string
	Subtitle string // e.g. "Anlage 2 zur Vorlage V0123/26"
	Image    []byte // PNG or JPEG
	Caption  string
	Legend   []string // one entry per line
	Notes    string
}

// Page geometry for the picture: the text width of an A4 page with the
// margins of newPage, and the tallest picture that leaves room for the
// header, title and caption.
const (
	planWidth     = 170.0 // mm
	planMaxHeight = 175.0 // mm
)

// Plan renders pl as a PDF. Errors: a picture that is neither PNG nor
// JPEG or does not decode, and rendering failures.
func (r *Renderer) Plan(pl Plan) ([]byte, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(pl.Image))
	if err != nil {
		return nil, fmt.Errorf("render plan PDF: picture: %w", err)
	}
	ext := map[string]extension.Type{"png": extension.Png, "jpeg": extension.Jpg}[format]
	if ext == "" || cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, errors.New("render plan PDF: the picture must be a PNG or JPEG")
	}
	p, err := r.newPage(pl.Title, pl.City, pl.Body)
	if err != nil {
		return nil, err
	}
	if s := oneLine(pl.Subtitle); s != "" {
		p.text(s, props.Text{Size: sizeSmall, Bottom: gapSmall})
	}
	p.title(pl.Title)
	h := min(planWidth*float64(cfg.Height)/float64(cfg.Width), planMaxHeight)
	p.m.AddRows(mimage.NewFromBytesRow(h, pl.Image, ext, props.Rect{Center: true, Percent: 100}))
	p.space(gapSmall)
	if clean(pl.Caption) != "" {
		p.text(pl.Caption, props.Text{Size: 9, Bottom: gapPara})
	}
	if len(pl.Legend) > 0 {
		p.label("Legende")
		for _, l := range pl.Legend {
			p.text(l, props.Text{Size: 9, Bottom: 0.5})
		}
	}
	if clean(pl.Notes) != "" {
		p.space(gapPara)
		p.text(pl.Notes, props.Text{Size: 9})
	}
	return p.finish("plan")
}
