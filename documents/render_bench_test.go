package documents

import "testing"

// BenchmarkMinutes renders the minutes of a meeting with 60 agenda items
// with long discussion notes (about 60 A4 pages); the target is < 1 s.
//
//	go test -run '^$' -bench Minutes ./documents
func BenchmarkMinutes(b *testing.B) {
	r := testRenderer(b)
	m := longMinutes(60, true)
	b.Logf("minutes: %d items, fonts DejaVu Sans regular+bold", len(m.Items))
	var size int
	for b.Loop() {
		pdf, err := r.Minutes(m)
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size)/1024, "KiB/doc")
}
