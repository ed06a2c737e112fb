package demo

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/f64"
	"golang.org/x/image/math/fixed"

	"github.com/plenar/plenar/documents"
)

// Pictures for the demo's attachments, drawn in Go: a site plan
// (Lageplan) that a PDF attachment embeds, and scanned letters (PNG and
// JPEG files) with German text for Tesseract. The text is set in the
// DejaVu fonts that the PDF renderer uses (documents.DefaultFontDir).

// fonts are the parsed DejaVu fonts for pictures.
type fonts struct {
	sans, sansBold, serif *opentype.Font
}

// loadFonts parses DejaVu Sans, Sans Bold and Serif from dir (the
// documents package's font folder when ""); Serif falls back to Sans.
func loadFonts(dir string) (*fonts, error) {
	if dir == "" {
		dir = documents.DefaultFontDir
	}
	load := func(name string) (*opentype.Font, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("picture font (install the Debian package fonts-dejavu-core): %w", err)
		}
		f, err := opentype.Parse(b)
		if err != nil {
			return nil, fmt.Errorf("picture font %s: %w", name, err)
		}
		return f, nil
	}
	var fs fonts
	var err error
	if fs.sans, err = load("DejaVuSans.ttf"); err != nil {
		return nil, err
	}
	if fs.sansBold, err = load("DejaVuSans-Bold.ttf"); err != nil {
		return nil, err
	}
	if fs.serif, err = load("DejaVuSerif.ttf"); err != nil {
		fs.serif = fs.sans
	}
	return &fs, nil
}

// face returns a face of f at size points for a picture of dpi.
func face(f *opentype.Font, size, dpi float64) font.Face {
	fc, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: dpi, Hinting: font.HintingFull})
	if err != nil {
		panic(err) // only for sizes <= 0
	}
	return fc
}

// write draws s with its baseline starting at (x, y).
func write(dst xdraw.Image, fc font.Face, c color.Color, x, y int, s string) {
	d := font.Drawer{Dst: dst, Src: image.NewUniform(c), Face: fc, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// width is the advance of s in fc, in pixels.
func width(fc font.Face, s string) int { return font.MeasureString(fc, s).Ceil() }

// wrap breaks s into lines no wider than w pixels.
func wrap(fc font.Face, s string, w int) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			try := word
			if line != "" {
				try = line + " " + word
			}
			if line != "" && width(fc, try) > w {
				out = append(out, line)
				line = word
				continue
			}
			line = try
		}
		out = append(out, line)
	}
	return out
}

// fillRect fills r with c.
func fillRect(dst *image.RGBA, r image.Rectangle, c color.Color) {
	xdraw.Draw(dst, r, image.NewUniform(c), image.Point{}, xdraw.Src)
}

// sitePlan draws a site plan (Lageplan) of the quarter around the
// streets named: blocks of buildings, the streets with their names, a
// green space, the area of the measure outlined in red, a north arrow
// and a scale bar. It returns a JPEG.
func (fs *fonts) sitePlan(r *rand.Rand, label string, names []string) []byte {
	const w, h = 1400, 1000
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fillRect(img, img.Bounds(), color.RGBA{246, 243, 234, 255})
	road := color.RGBA{255, 255, 255, 255}
	edge := color.RGBA{170, 170, 170, 255}
	building := color.RGBA{205, 200, 192, 255}
	green := color.RGBA{200, 225, 185, 255}
	// A grid of streets: two horizontal, three vertical, irregular.
	ys := []int{180 + r.IntN(80), 560 + r.IntN(120)}
	xs := []int{150 + r.IntN(80), 560 + r.IntN(100), 1000 + r.IntN(120)}
	const half = 22
	for _, y := range ys {
		fillRect(img, image.Rect(0, y-half-2, w, y+half+2), edge)
	}
	for _, x := range xs {
		fillRect(img, image.Rect(x-half-2, 0, x+half+2, h), edge)
	}
	for _, y := range ys {
		fillRect(img, image.Rect(0, y-half, w, y+half), road)
	}
	for _, x := range xs {
		fillRect(img, image.Rect(x-half, 0, x+half, h), road)
	}
	// Blocks between the streets, each with buildings along its edges.
	bx := append(append([]int{-half}, xs...), w+half)
	by := append(append([]int{-half}, ys...), h+half)
	var blocks []image.Rectangle
	for i := 0; i+1 < len(bx); i++ {
		for j := 0; j+1 < len(by); j++ {
			blocks = append(blocks, image.Rect(bx[i]+half+14, by[j]+half+14, bx[i+1]-half-14, by[j+1]-half-14))
		}
	}
	park := r.IntN(len(blocks))
	site := (park + 1 + r.IntN(len(blocks)-1)) % len(blocks)
	for i, b := range blocks {
		if b.Dx() < 40 || b.Dy() < 40 {
			continue
		}
		if i == park {
			fillRect(img, b, green)
			for range 25 {
				cx, cy := b.Min.X+10+r.IntN(max(1, b.Dx()-20)), b.Min.Y+10+r.IntN(max(1, b.Dy()-20))
				disc(img, cx, cy, 7+r.IntN(5), color.RGBA{120, 170, 100, 255})
			}
			continue
		}
		for x := b.Min.X; x+60 < b.Max.X; x += 70 + r.IntN(30) {
			d := 45 + r.IntN(30)
			fillRect(img, image.Rect(x, b.Min.Y, x+55+r.IntN(10), min(b.Min.Y+d, b.Max.Y)), building)
			fillRect(img, image.Rect(x, max(b.Max.Y-d, b.Min.Y), x+55+r.IntN(10), b.Max.Y), building)
		}
	}
	// The area of the measure: outlined in red and hatched.
	s := blocks[site].Inset(-8)
	red := color.RGBA{200, 30, 30, 255}
	for y := s.Min.Y; y < s.Max.Y; y++ {
		for x := s.Min.X; x < s.Max.X; x++ {
			if (x+y)%18 == 0 {
				img.Set(x, y, color.RGBA{220, 120, 120, 255})
			}
		}
	}
	for t := range 6 {
		dash := func(x, y int) bool { return ((x+y)/24)%3 != 2 }
		for x := s.Min.X; x < s.Max.X; x++ {
			if dash(x, 0) {
				img.Set(x, s.Min.Y+t, red)
				img.Set(x, s.Max.Y-1-t, red)
			}
		}
		for y := s.Min.Y; y < s.Max.Y; y++ {
			if dash(0, y) {
				img.Set(s.Min.X+t, y, red)
				img.Set(s.Max.X-1-t, y, red)
			}
		}
	}
	// Street names.
	fc := face(fs.sans, 13, 96)
	dark := color.RGBA{60, 60, 60, 255}
	for i, y := range ys {
		if i < len(names) {
			write(img, fc, dark, bx[1]+half+40, y+7, names[i])
		}
	}
	for i, x := range xs {
		if n := len(ys) + i; n < len(names) {
			vertical(img, fc, dark, x-7, by[1]+half+40, names[n])
		}
	}
	// Label of the site, north arrow, scale bar and title box.
	bold := face(fs.sansBold, 15, 96)
	lw := width(bold, label)
	cx, cy := (s.Min.X+s.Max.X)/2, (s.Min.Y+s.Max.Y)/2
	fillRect(img, image.Rect(cx-lw/2-8, cy-22, cx+lw/2+8, cy+10), color.RGBA{255, 255, 255, 255})
	write(img, bold, red, cx-lw/2, cy, label)
	for i := range 60 { // north arrow
		fillRect(img, image.Rect(w-70-i/3, 60+i, w-70+i/3+1, 61+i), dark)
	}
	write(img, bold, dark, w-80, 145, "N")
	fillRect(img, image.Rect(40, h-60, 240, h-52), dark)
	fillRect(img, image.Rect(90, h-59, 140, h-53), color.RGBA{255, 255, 255, 255})
	fillRect(img, image.Rect(190, h-59, 239, h-53), color.RGBA{255, 255, 255, 255})
	write(img, fc, dark, 36, h-30, "0")
	write(img, fc, dark, 130, h-30, "25")
	write(img, fc, dark, 225, h-30, "50 m")
	box := image.Rect(w-430, h-110, w-20, h-20)
	fillRect(img, box, dark)
	fillRect(img, box.Inset(2), color.RGBA{255, 255, 255, 255})
	write(img, bold, dark, box.Min.X+14, box.Min.Y+32, "Stadt Musterstadt – Lageplan")
	write(img, fc, dark, box.Min.X+14, box.Min.Y+62, "Stadtgrundkarte, Maßstab 1:1.000")
	// A JPEG: the PDF embeds it as it is, while a PNG would be decoded
	// and compressed again for every PDF (ten times slower).
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		panic(err) // writing to memory does not fail
	}
	return buf.Bytes()
}

// vertical draws s top-down, rotated by 90°, starting at (x, y).
func vertical(dst *image.RGBA, fc font.Face, c color.Color, x, y int, s string) {
	wd := width(fc, s) + 4
	m := fc.Metrics()
	ht := (m.Ascent + m.Descent).Ceil()
	tmp := image.NewRGBA(image.Rect(0, 0, wd, ht))
	write(tmp, fc, c, 2, m.Ascent.Ceil(), s)
	for ty := range ht {
		for tx := range wd {
			if _, _, _, a := tmp.At(tx, ty).RGBA(); a > 0x8000 {
				dst.Set(x+ht-ty, y+tx, c)
			}
		}
	}
}

// disc fills a circle.
func disc(dst *image.RGBA, cx, cy, rad int, c color.Color) {
	for y := -rad; y <= rad; y++ {
		for x := -rad; x <= rad; x++ {
			if x*x+y*y <= rad*rad {
				dst.Set(cx+x, cy+y, c)
			}
		}
	}
}

// scanDPI is the resolution of the scanned pages: A4 at 150 dpi is
// 1240 × 1754 pixels, enough for Tesseract with 12 pt text and quick to
// recognise.
const scanDPI = 150

// scan sets a letter on an A4 page and makes it look scanned: slightly
// rotated, grey paper with noise and a shadow at one edge. It returns a
// JPEG when asJPEG is set, else a grey PNG.
func (fs *fonts) scan(r *rand.Rand, l letter, asJPEG bool) []byte {
	const w, h = 1240, 1754
	page := image.NewRGBA(image.Rect(0, 0, w, h))
	fillRect(page, page.Bounds(), color.White)
	ink := color.RGBA{25, 25, 30, 255}
	body := face(fs.serif, 12, scanDPI)
	small := face(fs.serif, 10, scanDPI)
	bold := face(fs.sansBold, 13, scanDPI)
	left, right := 150, w-130
	y := 170
	for _, s := range l.sender {
		write(page, small, ink, left, y, s)
		y += 30
	}
	y += 50
	for _, s := range l.recipient {
		write(page, body, ink, left, y, s)
		y += 36
	}
	write(page, body, ink, right-width(body, l.place), y, l.place)
	y += 80
	for _, s := range wrap(bold, l.subject, right-left) {
		write(page, bold, ink, left, y, s)
		y += 40
	}
	y += 30
	for _, para := range l.paragraphs {
		for _, s := range wrap(body, para, right-left) {
			write(page, body, ink, left, y, s)
			y += 36
		}
		y += 24
	}
	y += 10
	write(page, body, ink, left, y, "Mit freundlichen Grüßen")
	y += 40
	signature(page, r, left+10, y+30, ink)
	y += 90
	for _, s := range l.signature {
		write(page, body, ink, left, y, s)
		y += 36
	}
	// Scanner: rotate by up to ±1.2° about the centre onto grey paper.
	deg := (0.4 + r.Float64()*0.8) * float64(1-2*r.IntN(2))
	rad := deg * math.Pi / 180
	sin, cos := math.Sin(rad), math.Cos(rad)
	cx, cy := float64(w)/2, float64(h)/2
	out := image.NewGray(image.Rect(0, 0, w, h))
	fillGray(out, 236)
	aff := f64.Aff3{cos, -sin, cx - cos*cx + sin*cy, sin, cos, cy - sin*cx - cos*cy}
	xdraw.BiLinear.Transform(out, aff, page, page.Bounds(), xdraw.Src, nil)
	shadow := r.IntN(2) == 0
	x32 := uint32(r.Uint64()) | 1 // xorshift: a random number per pixel at little cost
	for y := range h {
		for x := range w {
			x32 ^= x32 << 13
			x32 ^= x32 >> 17
			x32 ^= x32 << 5
			v := int(out.Pix[y*out.Stride+x])
			if v > 200 { // paper: a little grain
				v = 226 + int(x32%20)
			}
			if x32>>8%4000 == 0 { // dust
				v = 40 + int(x32>>20%80)
			}
			if shadow && x < 18 { // the lid's shadow at the fold
				v = v * (10 + x) / 28
			}
			out.Pix[y*out.Stride+x] = uint8(max(0, min(255, v)))
		}
	}
	var buf bytes.Buffer
	var err error
	if asJPEG {
		err = jpeg.Encode(&buf, out, &jpeg.Options{Quality: 72})
	} else {
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, out)
	}
	if err != nil {
		panic(err) // writing to memory does not fail
	}
	return buf.Bytes()
}

func fillGray(g *image.Gray, v uint8) {
	for i := range g.Pix {
		g.Pix[i] = v
	}
}

// signature draws a scribble.
func signature(dst *image.RGBA, r *rand.Rand, x, y int, c color.Color) {
	px, py := float64(x), float64(y)
	for t := 0.0; t < 14; t += 0.01 {
		nx := float64(x) + t*18 + 14*math.Sin(t*3.1+r.Float64()*0.05)
		ny := float64(y) + 18*math.Cos(t*2.3) - t*1.5
		for s := 0.0; s <= 1; s += 0.2 {
			dx, dy := px+(nx-px)*s, py+(ny-py)*s
			dst.Set(int(dx), int(dy), c)
			dst.Set(int(dx)+1, int(dy), c)
		}
		px, py = nx, ny
	}
}

// letter is the text of a scanned letter.
type letter struct {
	sender     []string // small print above the address
	recipient  []string
	place      string // "Musterstadt, 12.03.2026"
	subject    string
	paragraphs []string
	signature  []string
}
