package pgcluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type syscallStat = syscall.Stat_t

// clearLeftovers makes a start after a crash work. A postmaster that still
// runs on our cluster (plenar was killed, PostgreSQL was not) is stopped. A
// postmaster.pid whose process is gone, a zombie or another program (the pid
// was reused) is removed: PostgreSQL would take a zombie or a reused pid for
// a running server. Orphaned PostgreSQL processes of a killed postmaster
// still hold its shared memory; they exit on their own within moments, and
// are killed if they do not.
func (c *Cluster) clearLeftovers(ctx context.Context) error {
	pidFile := filepath.Join(c.dir, "postmaster.pid")
	if pid, ok := lockPID(pidFile); ok {
		if alive(pid) && c.ours(pid) {
			c.log.Warn("PostgreSQL from an earlier run is still running; stopping it", "pid", pid, "cluster_dir", c.dir)
			return c.Stop(ctx)
		}
		c.log.Warn("removing stale postmaster.pid left by a crash", "pid", pid, "cluster_dir", c.dir)
		if err := os.Remove(pidFile); err != nil {
			return fmt.Errorf("remove stale %s: %w", pidFile, err)
		}
	}
	// The socket has a lock file of its own, checked the same way.
	sock := filepath.Join(c.sockDir, ".s.PGSQL."+strconv.Itoa(c.port()))
	if pid, ok := lockPID(sock + ".lock"); ok && !(alive(pid) && c.ours(pid)) {
		c.log.Warn("removing stale socket lock left by a crash", "pid", pid, "socket", sock)
		for _, f := range []string{sock + ".lock", sock} {
			if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("remove stale %s: %w", f, err)
			}
		}
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		pids := c.processes()
		if len(pids) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			c.log.Warn("killing orphaned PostgreSQL processes", "pids", pids)
			for _, p := range pids {
				_ = syscall.Kill(p, syscall.SIGKILL)
			}
			deadline = time.Now().Add(5 * time.Second)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// lockPID reads the pid on the first line of a PostgreSQL lock file.
func lockPID(path string) (int, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	return pid, err == nil
}

// alive reports whether pid runs and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	_, rest, ok := strings.Cut(string(b), ") ")
	return ok && len(rest) > 0 && rest[0] != 'Z' && rest[0] != 'X'
}

// ours reports whether pid works in our cluster folder: every PostgreSQL
// process changes into its data directory.
func (c *Cluster) ours(pid int) bool {
	cwd, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/cwd")
	return err == nil && cwd == c.realDir
}

// processes lists live processes working in the cluster folder.
func (c *Cluster) processes() []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		if c.ours(pid) && alive(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}
