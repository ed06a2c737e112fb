package searchbench

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// TestJudgedDemoSet: the built-in set parses, has the 150
// queries at least, from all three kinds of askers, and every query has
// a judgement of grade 3 (what is asked for).
func TestJudgedDemoSet(t *testing.T) {
	qs, err := ParseJudged(bytes.NewReader(JudgedDemo))
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) < 150 {
		t.Errorf("%d judged queries, want at least 150", len(qs))
	}
	who := map[string]int{}
	seen := map[string]int{}
	for _, q := range qs {
		for _, k := range []string{"citizen", "councillor", "clerk"} {
			if q.Has(k) {
				who[k]++
			}
		}
		best := 0
		for _, r := range q.Rules {
			best = max(best, r.Grade)
		}
		if best != 3 {
			t.Errorf("line %d %q: no judgement of grade 3", q.Line, q.Query)
		}
		if l, dup := seen[strings.ToLower(q.Query)]; dup {
			t.Errorf("line %d %q: the same query as line %d", q.Line, q.Query, l)
		}
		seen[strings.ToLower(q.Query)] = q.Line
	}
	if who["citizen"] < 50 || who["councillor"] < 50 || who["clerk"] < 30 {
		t.Errorf("queries by asker: %v", who)
	}
}

func TestParseJudged(t *testing.T) {
	qs, err := ParseJudged(strings.NewReader("# comment\n\nclerk,ref\tV0017/25\t3 ref=V0017/25\t1 title~^Änderung der Schulbezirke\t2 meeting~Stadtrates@2025-03-20\n"))
	if err != nil || len(qs) != 1 || len(qs[0].Rules) != 3 || !qs[0].Has("ref") {
		t.Fatalf("ParseJudged = %+v, %v", qs, err)
	}
	q := qs[0]
	for _, c := range []struct {
		d    JudgedDoc
		want int
	}{
		{JudgedDoc{Kind: "paper", Ref: "V0017/25", Title: "x"}, 3},
		{JudgedDoc{Kind: "paper", Ref: "V0018/25", Title: "änderung der Schulbezirke der Grundschulen"}, 1},
		{JudgedDoc{Kind: "meeting", Title: "3. Sitzung des Stadtrates", Date: "2025-03-20"}, 2},
		{JudgedDoc{Kind: "meeting", Title: "3. Sitzung des Stadtrates", Date: "2025-03-21"}, 0},
		{JudgedDoc{Kind: "person", Title: "V0017/25"}, 0},
	} {
		if got := q.grade(c.d); got != c.want {
			t.Errorf("grade(%+v) = %d, want %d", c.d, got, c.want)
		}
	}
	for _, bad := range []string{"citizen\tBus", "citizen\tBus\t4 title=Bus", "citizen\tBus\t3 colour=Bus", "citizen\tBus\t3 title~(", "citizen\tBus\t3 title"} {
		if _, err := ParseJudged(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseJudged(%q): no error", bad)
		}
	}
}

func TestNDCG(t *testing.T) {
	ideal := []int{1, 3, 2}
	if got := ndcg([]int{3, 2, 1}, ideal, 10); math.Abs(got-1) > 1e-9 {
		t.Errorf("ideal order: nDCG %f, want 1", got)
	}
	if got := ndcg(nil, ideal, 10); got != 0 {
		t.Errorf("no results: nDCG %f, want 0", got)
	}
	// 3 at rank 2 instead of 1: (7/log2(3)) / 7.
	if got, want := ndcg([]int{0, 3}, []int{3}, 10), 1/math.Log2(3); math.Abs(got-want) > 1e-9 {
		t.Errorf("nDCG %f, want %f", got, want)
	}
}
