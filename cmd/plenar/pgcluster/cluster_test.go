package pgcluster

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/migrations/pgtest"
)

// newCluster returns a cluster for dataDir, stopped (and a fallback folder
// removed) when the test ends. Without server binaries the test skips, or
// fails under CI=true.
func newCluster(t *testing.T, dataDir string) *Cluster {
	t.Helper()
	return newClusterWith(t, Options{DataDir: dataDir})
}

// newClusterWith is newCluster with options.
func newClusterWith(t *testing.T, opt Options) *Cluster {
	t.Helper()
	c, err := New(context.Background(), opt)
	if errors.Is(err, ErrNoServer) {
		pgtest.Unavailable(t, err.Error())
	}
	if err != nil {
		t.Fatalf("New(%s): %v", opt.DataDir, err)
	}
	t.Cleanup(func() {
		if err := c.Stop(context.Background()); err != nil {
			t.Errorf("cleanup: %v", err)
		}
		if strings.HasPrefix(c.Dir(), fallbackRoot+"/") {
			_ = os.RemoveAll(filepath.Dir(c.Dir()))
		}
		if c.SocketDir() != c.Dir() {
			_ = os.RemoveAll(c.SocketDir())
		}
	})
	return c
}

// reachableTempDir is a temporary folder the postgres user can enter
// (t.TempDir makes 0700 folders).
func reachableTempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func query(t *testing.T, c *Cluster, sql string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.ConnString())
	if err != nil {
		t.Fatalf("connect %s: %v", c.ConnString(), err)
	}
	defer conn.Close(ctx)
	var s string
	if err := conn.QueryRow(ctx, sql).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}

func execSQL(t *testing.T, c *Cluster, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.ConnString())
	if err != nil {
		t.Fatalf("connect %s: %v", c.ConnString(), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func TestStartStopRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dataDir := reachableTempDir(t)
	c := newCluster(t, dataDir)
	if want := filepath.Join(dataDir, "postgres"); c.Dir() != want {
		t.Errorf("Dir() = %s, want %s (the data dir is reachable)", c.Dir(), want)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatalf("first Start: %v", err)
	}
	if got := query(t, c, "SELECT current_database()"); got != "plenar" {
		t.Errorf("current_database() = %q, want plenar", got)
	}
	if got := query(t, c, "SHOW listen_addresses"); got != "" {
		t.Errorf("listen_addresses = %q, want '' (no TCP)", got)
	}
	if got := query(t, c, "SELECT lower('ÄÖÜ')"); got != "äöü" {
		t.Errorf("lower('ÄÖÜ') = %q, want äöü (UTF-8 locale)", got)
	}
	if _, err := os.Stat(filepath.Join(c.SocketDir(), ".s.PGSQL.5432")); err != nil || c.SocketDir() != c.Dir() {
		t.Errorf("socket in %s (err %v), want in %s", c.SocketDir(), err, c.Dir())
	}
	if err := c.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if running, err := c.Running(ctx); err != nil || running {
		t.Fatalf("after Stop: Running() = %v, %v; want false", running, err)
	}
	c2 := newCluster(t, dataDir)
	if err := c2.Start(ctx); err != nil {
		t.Fatalf("second Start on the existing cluster: %v", err)
	}
	if got := query(t, c2, "SELECT 'again'"); got != "again" {
		t.Errorf("after restart: got %q", got)
	}
}

func TestStartAfterCrash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dataDir := t.TempDir() // 0700: as root, postgres cannot enter it
	c := newCluster(t, dataDir)
	if os.Geteuid() == 0 && !strings.HasPrefix(c.Dir(), fallbackRoot+"/") {
		t.Errorf("as root with an unreachable data dir: Dir() = %s, want under %s", c.Dir(), fallbackRoot)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	execSQL(t, c, "CREATE TABLE survives (x int)")

	// plenar killed, PostgreSQL still running: a new Start stops and restarts it.
	c2 := newCluster(t, dataDir)
	if err := c2.Start(ctx); err != nil {
		t.Fatalf("Start while an earlier PostgreSQL still runs: %v", err)
	}

	// PostgreSQL killed: a stale postmaster.pid and orphaned processes remain.
	b, err := os.ReadFile(filepath.Join(c2.Dir(), "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, _ := strconv.Atoi(line)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill postmaster %d: %v", pid, err)
	}
	for i := 0; alive(pid) && i < 100; i++ {
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := os.Stat(filepath.Join(c2.Dir(), "postmaster.pid")); err != nil {
		t.Fatalf("expected a stale postmaster.pid after SIGKILL: %v", err)
	}
	c3 := newCluster(t, dataDir)
	if err := c3.Start(ctx); err != nil {
		t.Fatalf("Start after SIGKILL: %v", err)
	}
	if got := query(t, c3, "SELECT count(*)::text FROM survives"); got != "0" {
		t.Errorf("table after crash recovery: count = %q", got)
	}
}

func TestLongDataDirPath(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dataDir := reachableTempDir(t)
	for len(dataDir) <= 110 {
		dataDir = filepath.Join(dataDir, "a-rather-long-folder-name")
		if err := os.Mkdir(dataDir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	c := newCluster(t, dataDir)
	if !strings.HasPrefix(c.SocketDir(), "/tmp/plenar-") || len(c.SocketDir()) > 40 {
		t.Errorf("SocketDir() = %s, want a short folder /tmp/plenar-…", c.SocketDir())
	}
	if err := c.Start(ctx); err != nil {
		t.Fatalf("Start with a %d-byte data dir: %v", len(dataDir), err)
	}
	if got := query(t, c, "SELECT 'long'"); got != "long" {
		t.Errorf("got %q", got)
	}
}
