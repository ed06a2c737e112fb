package searchbench

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/search"
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
	none := 0
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
		if q.Has(NoAnswer) {
			none++
		} else if best != 3 {
			t.Errorf("line %d %q: no judgement of grade 3", q.Line, q.Query)
		}
		asked := 0
		for _, g := range Groups {
			if q.Has(g) {
				asked++
			}
		}
		if asked != 1 {
			t.Errorf("line %d %q: asked by %d of %v, want one", q.Line, q.Query, asked, Groups)
		}
		if l, dup := seen[strings.ToLower(q.Query)]; dup {
			t.Errorf("line %d %q: the same query as line %d", q.Line, q.Query, l)
		}
		seen[strings.ToLower(q.Query)] = q.Line
	}
	if who["citizen"] < 50 || who["councillor"] < 50 || who["clerk"] < 30 {
		t.Errorf("queries by asker: %v", who)
	}
	if none < 5 || len(qs)-none < 150 {
		t.Errorf("%d queries expected to have no good answer and %d others, want at least 5 and 150", none, len(qs)-none)
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
	if qs, err := ParseJudged(strings.NewReader("citizen,none\tTierheim\ncitizen,none\tWindkraft\t1 title~Solarpark\n")); err != nil || len(qs) != 2 || len(qs[1].Rules) != 1 {
		t.Errorf("ParseJudged (kind none) = %+v, %v", qs, err)
	}
	for _, bad := range []string{"citizen,none\tTierheim\t2 title~Tier", "citizen\tBus", "citizen\tBus\t4 title=Bus", "citizen\tBus\t3 colour=Bus", "citizen\tBus\t3 title~(", "citizen\tBus\t3 title"} {
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

// TestNovelty: a paper whose title an earlier result had gains nothing,
// and the ideal list has each title once; other documents count as
// themselves.
func TestNovelty(t *testing.T) {
	ids := []council.ID{council.NewID(), council.NewID(), council.NewID(), council.NewID()}
	u := &Universe{docs: map[council.ID]JudgedDoc{
		ids[0]: {Kind: "paper", Title: "Kältebus im Winter 2024/25", Ref: "A0001/24"},
		ids[1]: {Kind: "paper", Title: "Kältebus im  winter 2024/25", Ref: "A0002/24"},
		ids[2]: {Kind: "paper", Title: "Barrierefreie Bushaltestellen", Ref: "V0003/24"},
		ids[3]: {Kind: "meeting", Title: "Sozialausschuss", Date: "2024-12-03"},
	}}
	qs, err := ParseJudged(strings.NewReader("citizen,compound\tBus\t3 title~Bushaltestelle\t2 title~Kältebus\n"))
	if err != nil {
		t.Fatal(err)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	for _, c := range []struct {
		hits         []council.ID
		ndcg, novelT float64
	}{
		// Ideal by document: 3, 2, 2 → 7 + 3/log2(3) + 3/2; by title: 3, 2 → 7 + 3/log2(3).
		{[]council.ID{ids[0], ids[1], ids[2]}, (3 + 3/math.Log2(3) + 7.0/2) / (7 + 3/math.Log2(3) + 3.0/2), (3 + 7.0/2) / (7 + 3/math.Log2(3))},
		{[]council.ID{ids[2], ids[0]}, (7 + 3/math.Log2(3)) / (7 + 3/math.Log2(3) + 3.0/2), 1},
	} {
		rep, err := EvaluateJudged(context.Background(), qs, u, papersFound(map[string][]council.ID{"Bus": c.hits}))
		if err != nil {
			t.Fatal(err)
		}
		if q := rep.Queries[0]; !near(q.NDCG, c.ndcg) || !near(q.Novel, c.novelT) {
			t.Errorf("%v: nDCG %f, novelty %f; want %f, %f", c.hits, q.NDCG, q.Novel, c.ndcg, c.novelT)
		}
	}
}

// TestEvaluateJudged: means overall and per asker, MRR from the first
// hit of grade ≥ 2, zero results, queries of kind none kept apart and
// queries without a document of grade ≥ 2 skipped.
func TestEvaluateJudged(t *testing.T) {
	ids := []council.ID{council.NewID(), council.NewID(), council.NewID()}
	u := &Universe{docs: map[council.ID]JudgedDoc{
		ids[0]: {Kind: "paper", Title: "Sanierung der Grundschule Lindenau", Ref: "V0001/25"},
		ids[1]: {Kind: "paper", Title: "Freibad Südstadt erhalten", Ref: "A0002/25"},
		ids[2]: {Kind: "org", Title: "Finanzausschuss"},
	}}
	set := "citizen,word\tFreibad\t3 title~Freibad\n" +
		"citizen,word\tSchule\t3 title~Grundschule\n" +
		"clerk,name\tFinanzausschuss\t3 org=Finanzausschuss\n" +
		"clerk,word\tHundesteuer\t3 title~Hundesteuer\n" +
		"citizen,none\tTierheim\n"
	qs, err := ParseJudged(strings.NewReader(set))
	if err != nil {
		t.Fatal(err)
	}
	hits := map[string][]council.ID{"Freibad": {ids[0], ids[1]}, "Schule": {ids[0]}, "Tierheim": {ids[1]}}
	rep, err := EvaluateJudged(context.Background(), qs, u, papersFound(hits))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Queries) != 3 || len(rep.NoAnswer) != 1 || len(rep.Unjudgeable) != 1 {
		t.Fatalf("%d scored, %d none, %d skipped; want 3, 1, 1", len(rep.Queries), len(rep.NoAnswer), len(rep.Unjudgeable))
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	// Freibad: the grade-3 paper second (RR 1/2, nDCG 1/log2(3)); Schule: first (1, 1); Finanzausschuss: nothing (0, 0).
	if c := rep.Groups["citizen"]; c.Queries != 2 || !near(c.MRR, 0.75) || !near(c.NDCG, (1+1/math.Log2(3))/2) || c.ZeroRate != 0 {
		t.Errorf("citizen figures %+v", c)
	}
	if c := rep.Groups["clerk"]; c.Queries != 1 || c.MRR != 0 || c.NDCG != 0 || c.ZeroRate != 1 {
		t.Errorf("clerk figures %+v", c)
	}
	if !near(rep.MRR, 0.5) || !near(rep.ZeroRate, 1.0/3) {
		t.Errorf("MRR %f, zero rate %f; want 0.5, 1/3", rep.MRR, rep.ZeroRate)
	}
	if n := rep.NoAnswer[0]; n.Total != 1 || n.Grades[0] != 0 {
		t.Errorf("none query: %+v", n)
	}
	var out bytes.Buffer
	rep.Write(&out, 3)
	for _, want := range []string{"citizen                2", "expected to have no good answer (kind none, not scored): 1 queries", "skipped: \"Hundesteuer\""} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// papersFound is a SearchFunc that finds the papers hits gives a query.
func papersFound(hits map[string][]council.ID) SearchFunc {
	return func(_ context.Context, q string) (search.Result, error) {
		var r search.Result
		for _, id := range hits[q] {
			r.Hits = append(r.Hits, search.Hit{ID: id, Type: search.TypePaper})
		}
		r.Total = len(r.Hits)
		return r, nil
	}
}
