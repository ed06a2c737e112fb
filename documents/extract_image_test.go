package documents_test

import (
	"image"
	"image/color"
	_ "image/png"
	"os"
	"testing"
)

// greyPixels decodes a PNG into 8-bit grey samples, row by row.
func greyPixels(t testing.TB, path string) (raw string, w, h int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	bd := img.Bounds()
	buf := make([]byte, 0, bd.Dx()*bd.Dy())
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			buf = append(buf, color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y)
		}
	}
	return string(buf), bd.Dx(), bd.Dy()
}
