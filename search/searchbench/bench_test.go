package searchbench_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plenar/plenar/migrations/pgtest"
	"github.com/plenar/plenar/search/searchbench"
)

// TestRunSmoke runs the search benchmark at a tiny size, so that
// `plenar bench search` keeps working; the real sizes run by hand
// (docs/BENCHMARKS.md).
func TestRunSmoke(t *testing.T) {
	pool := pgtest.New(t)
	var out bytes.Buffer
	err := searchbench.Run(context.Background(), pool, searchbench.Config{Papers: 10, Seed: 1, Dir: filepath.Join(t.TempDir(), "index"),
		Rounds: 1, PGRounds: 1, Edits: 1}, &out)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"bleve indexing:", "PostgreSQL load:", "PG/bleve p95", "single edit",
		"index segments before / after the queries: 1 / 1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}
