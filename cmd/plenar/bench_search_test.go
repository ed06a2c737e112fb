package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/plenar/plenar/migrations/pgtest"
	"github.com/plenar/plenar/search/searchbench"
)

// TestBenchSearchJudged runs the judged evaluation of `plenar bench search
// --judged` on a smaller demo city (the last two months before
// searchbench.JudgedNow; the command seeds the whole city) and fails when
// relevance falls below the figures measured on it: an accuracy check
// against regressions in analysis, query building and ranking, not a
// timing assertion. Queries whose judged documents are not in the smaller
// city are skipped. It runs in every test run, -short too: it needs
// PostgreSQL (pgtest) and nothing else.
func TestBenchSearchJudged(t *testing.T) {
	pool := pgtest.New(t)
	var out bytes.Buffer
	a := &app{stdout: &out, stderr: &out}
	rep, err := a.judged(context.Background(), pool, judgedConfig{Months: judgedTestMonths})
	if err != nil {
		t.Fatalf("judged: %v\n%s", err, out.String())
	}
	rep.Write(&out, 10)
	t.Log(out.String())
	if len(rep.Queries) < judgedTestMinQueries {
		t.Fatalf("%d queries evaluated, want at least %d: the judgements no longer match the demo city", len(rep.Queries), judgedTestMinQueries)
	}
	if rep.Novel < judgedTestNDCG {
		t.Errorf("nDCG@10 = %.3f, want ≥ %.2f", rep.Novel, judgedTestNDCG)
	}
	if rep.NDCG < judgedTestPerDoc {
		t.Errorf("nDCG@10 per document = %.3f, want ≥ %.2f", rep.NDCG, judgedTestPerDoc)
	}
	if rep.MRR < judgedTestMRR {
		t.Errorf("MRR = %.3f, want ≥ %.2f", rep.MRR, judgedTestMRR)
	}
	if rep.ZeroRate > judgedTestZeroRate {
		t.Errorf("zero-result rate = %.1f %%, want ≤ %.1f %%", 100*rep.ZeroRate, 100*judgedTestZeroRate)
	}
	for _, g := range searchbench.Groups {
		f := rep.Groups[g]
		if f.Novel < judgedTestGroupNDCG || f.MRR < judgedTestGroupMRR {
			t.Errorf("%s queries (%d): nDCG@10 %.3f, MRR %.3f; want ≥ %.2f, ≥ %.2f", g, f.Queries, f.Novel, f.MRR, judgedTestGroupNDCG, judgedTestGroupMRR)
		}
	}
	if n := len(rep.TargetFailures); n > judgedTestTargetMisses {
		var qs []string
		for _, f := range rep.TargetFailures {
			qs = append(qs, f.Query)
		}
		t.Errorf("%d compound or multi-word queries without a best-graded document in the top 10, want ≤ %d: %s",
			n, judgedTestTargetMisses, strings.Join(qs, "; "))
	}
}

// Thresholds of TestBenchSearchJudged, slightly below what it measured
// on 2026-12-08 (185 queries: nDCG@10 0.898 — a title already listed
// gains nothing, searchbench.JudgedQueryResult.Novel —, per document
// 0.795, MRR 0.947, zero results 2.7 %, 1 miss; by asker nDCG@10 / MRR:
// citizens 0.870 / 0.943, councillors 0.935 / 0.992, clerks 0.904 /
// 0.890). Results of equal score come back in index order, which moves
// MRR by about 0.005 between builds. Two months of the demo city keep
// the test under a minute on two busy cores (20 s when they are quiet,
// 59 s under a parallel make test).
const (
	judgedTestMonths       = 2
	judgedTestMinQueries   = 100
	judgedTestNDCG         = 0.87
	judgedTestPerDoc       = 0.77
	judgedTestMRR          = 0.92
	judgedTestZeroRate     = 0.04
	judgedTestTargetMisses = 3
	judgedTestGroupNDCG    = 0.85 // each of citizens, councillors, clerks
	judgedTestGroupMRR     = 0.87
)
