package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/migrations/pgtest"
)

// TestMain lets plenar bench vote run this test binary as its server
// child: "<test binary> serve --addr …" is plenar serve.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		a := &app{env: os.LookupEnv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
		os.Exit(a.run(context.Background(), os.Args[1:]))
	}
	os.Exit(m.Run())
}

// TestBenchVoteKill runs plenar bench vote with tiny settings and the kill
// test: every phase runs against a real plenar serve child, every result
// matches the acknowledged ballots, and after SIGKILL and restart no
// acknowledged ballot is lost and none counts twice. Timing is not
// asserted.
func TestBenchVoteKill(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if c, err := pgx.Connect(ctx, pgtest.ServerURL()); err != nil {
		pgtest.Unavailable(t, "no PostgreSQL at "+pgtest.ServerURL())
	} else {
		c.Close(ctx)
	}
	out := &tailBuffer{}
	defer func() { t.Logf("bench vote:\n%s", out) }()
	rep, err := runVoteBench(ctx, voteBenchConfig{Server: pgtest.ServerURL(), Members: 5, Watchers: 20, Polls: 2, WindowPolls: 1,
		Window: 300 * time.Millisecond, Meetings: 2, ThroughputPolls: 2, Kill: true, KillPolls: 3,
		Phases: []string{"window", "burst", "throughput"}}, out)
	if err != nil {
		t.Fatalf("bench vote: %v", err)
	}
	if rep.Mismatches != 0 {
		t.Errorf("%d polls whose result differs from the acknowledged ballots", rep.Mismatches)
	}
	for _, p := range rep.Phases {
		if p.Ballots != p.Polls*5 || p.Failures != 0 || p.Missed != 0 {
			t.Errorf("phase %s: %d ballots in %d polls, %d refused, %d results missed; want 5 per poll, none refused or missed",
				p.Name, p.Ballots, p.Polls, p.Failures, p.Missed)
		}
	}
	k := rep.Kill
	switch {
	case k == nil:
		t.Fatal("no kill test verdict")
	case k.Polls != 3 || k.Acked == 0 || k.Retried != 15:
		t.Errorf("kill test %s: want 3 polls, some ballots acknowledged before the kill, all 15 sent again", k)
	case !k.ok():
		t.Errorf("kill test failed: %s", k)
	}
}

func TestBenchVoteFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--members", "1"}, {"--meetings", "0"}, {"--phases", "window,x"}, {"--kill-polls", "0"}} {
		if code, _, stderr := runCmd(t, nil, append([]string{"bench", "vote"}, args...)...); code != 2 || !strings.Contains(stderr, "plenar bench") {
			t.Errorf("bench vote %v: exit %d, stderr %q; want a usage error (2)", args, code, stderr)
		}
	}
}
