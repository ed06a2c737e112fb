package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plenar/plenar/cmd/plenar/pgcluster"
	"github.com/plenar/plenar/migrations/pgtest"
)

// TestServeEmbedded runs serve with the private cluster: health check, a
// second serve on the same data dir refused, "user add" against the running
// server's cluster, PostgreSQL restarted after kill -9 of its postmaster,
// and stopped after shutdown (not restarted).
func TestServeEmbedded(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	for _, d := range []string{filepath.Dir(dataDir), dataDir} {
		if err := os.Chmod(d, 0o755); err != nil { // let user postgres in when we are root
			t.Fatal(err)
		}
	}
	dataDir = filepath.Join(dataDir, "data")
	ctx := context.Background()
	probe, err := pgcluster.New(ctx, pgcluster.Options{DataDir: dataDir})
	if errors.Is(err, pgcluster.ErrNoServer) {
		pgtest.Unavailable(t, err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = probe.Stop(context.Background()) }) // should already be stopped

	env := map[string]string{"PLENAR_DATA_DIR": dataDir, "PLENAR_LOG_LEVEL": "warn", "PLENAR_DB_MAX_CONNS": "13"}
	listening := make(chan net.Addr, 1)
	var stdout, stderr syncBuffer
	a := &app{env: mapEnv(env), stdout: &stdout, stderr: &stderr, onListen: func(addr net.Addr) { listening <- addr }}
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan int, 1)
	go func() { done <- a.run(sctx, []string{"serve", "--addr", "127.0.0.1:0"}) }()
	var addr net.Addr
	select {
	case addr = <-listening:
	case code := <-done:
		t.Fatalf("serve exited with %d before listening: %s", code, stderr.String())
	case <-time.After(90 * time.Second):
		t.Fatalf("serve not listening after 90 s: %s", stderr.String())
	}

	res, err := http.Get(fmt.Sprintf("http://%s/healthz", addr))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz = %d, want 200", res.StatusCode)
	}

	if res, err := http.Get(fmt.Sprintf("http://%s/metrics", addr)); err != nil {
		t.Error(err)
	} else {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(b), "\nplenar_db_pool_max_connections 13\n") {
			t.Errorf("PLENAR_DB_MAX_CONNS=13: /metrics does not show a pool of 13:\n%s", b)
		}
	}

	code, _, errOut := runCmd(t, env, "serve", "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errOut, "data directory is in use by another plenar process") {
		t.Errorf("second serve: exit %d, stderr %q; want 1 and a clear refusal", code, errOut)
	}

	code, out, errOut := runCmd(t, env, "user", "add", "--email", "admin@example.org", "--role", "admin")
	if code != 0 || !strings.Contains(out, "otpauth://totp/Plenar:admin@example.org") {
		t.Errorf("user add while serve runs: exit %d, stdout %q, stderr %q", code, out, errOut)
	}

	// kill -9 of the postmaster: the supervisor restarts PostgreSQL, and
	// the health check answers 200 again (within a bounded wait).
	b, err := os.ReadFile(filepath.Join(probe.Dir(), "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		t.Fatalf("postmaster.pid: %v", err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 postmaster %d: %v", pid, err)
	}
	healthy := false
	for deadline := time.Now().Add(2 * time.Minute); !healthy && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
		if res, err := http.Get(fmt.Sprintf("http://%s/healthz", addr)); err == nil {
			res.Body.Close()
			healthy = res.StatusCode == http.StatusOK && strings.Contains(stderr.String(), "PostgreSQL restarted")
		}
	}
	if !healthy {
		t.Errorf("after kill -9 of the postmaster: /healthz not 200 with PostgreSQL restarted; log:\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "PostgreSQL stopped unexpectedly") {
		t.Errorf("log does not say PostgreSQL stopped unexpectedly:\n%s", stderr.String())
	}

	stop()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve after cancel: exit %d, stderr %s", code, stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not shut down within 60 s")
	}
	if running, err := probe.Running(ctx); err != nil || running {
		t.Errorf("after shutdown PostgreSQL running = %v (err %v), want stopped", running, err)
	}
}
