package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// killPostmaster kills the cluster's postmaster with SIGKILL and waits
// until it is gone; it returns the pid.
func killPostmaster(t *testing.T, c *Cluster) int {
	t.Helper()
	pid, ok := lockPID(filepath.Join(c.Dir(), "postmaster.pid"))
	if !ok {
		t.Fatal("no postmaster.pid")
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill postmaster %d: %v", pid, err)
	}
	for i := 0; alive(pid) && i < 200; i++ {
		time.Sleep(50 * time.Millisecond)
	}
	if alive(pid) {
		t.Fatalf("postmaster %d survived SIGKILL", pid)
	}
	return pid
}

// TestSuperviseRestartsKilledPostmaster: after kill -9 of the postmaster,
// the supervisor starts PostgreSQL again and a pool opened before the
// crash answers queries; ending ctx ends the supervision, and the stopped
// cluster stays stopped.
func TestSuperviseRestartsKilledPostmaster(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newCluster(t, reachableTempDir(t))
	if err := c.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	execSQL(t, c, "CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)")
	pool, err := pgxpool.New(ctx, c.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- c.Supervise(sctx, Supervision{Every: 100 * time.Millisecond, Backoff: 100 * time.Millisecond})
	}()

	old := killPostmaster(t, c)
	var got int
	deadline := time.Now().Add(2 * time.Minute) // a bounded wait, not a speed check
	for {
		qctx, qcancel := context.WithTimeout(ctx, 5*time.Second)
		err = pool.QueryRow(qctx, "SELECT x FROM kept").Scan(&got)
		qcancel()
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil || got != 42 {
		t.Fatalf("query through the pool after kill -9: %d, %v; want 42 (PostgreSQL restarted)", got, err)
	}
	if pid, _ := lockPID(filepath.Join(c.Dir(), "postmaster.pid")); pid == old || !c.postmasterAlive() {
		t.Errorf("postmaster after restart: pid %d (killed: %d), alive %v", pid, old, c.postmasterAlive())
	}

	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Supervise after cancel = %v, want context.Canceled", err)
	}
	if err := c.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if running, err := c.Running(ctx); err != nil || running {
		t.Errorf("after supervision ended and Stop: Running() = %v, %v; want false", running, err)
	}
}

// TestSuperviseGivesUp: when PostgreSQL cannot start again (its cluster
// folder lost global/pg_control), the supervisor tries the bounded number
// of times and gives up with ErrGaveUp and a log line that says what to do.
func TestSuperviseGivesUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var logs bytes.Buffer // Supervise runs in this goroutine
	log := slog.New(slog.NewTextHandler(&logs, nil))
	c := newClusterWith(t, Options{DataDir: reachableTempDir(t), Log: log})
	if err := c.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	killPostmaster(t, c)
	control := filepath.Join(c.Dir(), "global", "pg_control")
	if err := os.Rename(control, control+".lost"); err != nil {
		t.Fatal(err)
	}

	err := c.Supervise(ctx, Supervision{Every: 50 * time.Millisecond, Attempts: 3, Backoff: 50 * time.Millisecond})
	if !errors.Is(err, ErrGaveUp) {
		t.Fatalf("Supervise = %v, want ErrGaveUp", err)
	}
	out := logs.String()
	for _, want := range []string{
		"PostgreSQL stopped unexpectedly",
		`restarting PostgreSQL failed" attempt=1 attempts=3`,
		`restarting PostgreSQL failed" attempt=3 attempts=3`,
		"PostgreSQL could not be restarted; Plenar stops.",
		"run plenar serve again",
		"log=" + filepath.Join(c.Dir(), "server.log"),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "restarting PostgreSQL failed"); n != 3 {
		t.Errorf("%d failed attempts logged, want 3", n)
	}
}
