package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/migrations/pgtest"
)

// TestVotingCommands: the profiles are listed with the bodies using them,
// a configured file adds a Land, set-profile changes a body's profile and
// refuses unknown codes and broken files with a clear message.
func TestVotingCommands(t *testing.T) {
	t.Parallel()
	dbURL, dataDir := pgtest.URL(t), t.TempDir()
	env := map[string]string{"PLENAR_DATABASE_URL": dbURL, "PLENAR_LOG_LEVEL": "warn", "PLENAR_DATA_DIR": dataDir}
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	run := func(wantCode int, args ...string) (string, string) {
		t.Helper()
		code, out, stderr := runCmd(t, env, args...)
		if code != wantCode {
			t.Fatalf("plenar %q: exit %d, want %d; stderr %s", args, code, wantCode, stderr)
		}
		return out, stderr
	}
	run(0, "migrate")
	body, err := council.NewStore(pool).CreateBody(ctx, council.Body{Name: "Stadt Musterstadt"})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := run(0, "voting", "profiles")
	for _, want := range []string{"NW  ", "ST  ", "BY  ", "BW  ", "Sachsen-Anhalt"} {
		if !strings.Contains(out, want) {
			t.Errorf("profiles lack %q:\n%s", want, out)
		}
	}
	if _, stderr := run(2, "voting", "set-profile", "--code", "XX"); !strings.Contains(stderr, `no voting profile "XX"`) {
		t.Errorf("unknown code: %s", stderr)
	}
	run(0, "voting", "set-profile", "--code", "ST", "--body", body.ID.String())
	got, err := council.NewStore(pool).VotingProfiles(ctx)
	if err != nil || got[body.ID] != "ST" {
		t.Fatalf("after set-profile: %v %v", got, err)
	}

	dir := filepath.Join(dataDir, "voting-profiles")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("../../docs/voting-profiles/example-he.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "he.json"), example, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, _ := run(0, "voting", "profiles"); !strings.Contains(out, "HE  ") {
		t.Errorf("the configured Land is not listed:\n%s", out)
	}
	run(0, "voting", "set-profile", "--code", "HE")
	if err := os.WriteFile(filepath.Join(dir, "broken.json"), []byte(`{"code": "NI", "rules": ["nine_tenths"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr := run(1, "voting", "profiles"); !strings.Contains(stderr, "broken.json") {
		t.Errorf("a broken profile file: %s", stderr)
	}
}
