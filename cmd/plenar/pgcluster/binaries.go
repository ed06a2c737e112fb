package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ErrNoServer means no PostgreSQL server binaries were found.
var ErrNoServer = errors.New(`PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: ` +
	`install the Debian package "postgresql" (apt-get install postgresql), ` +
	`or set PLENAR_DATABASE_URL to use an existing server`)

// server is an installed PostgreSQL: its bin folder and major version.
type server struct {
	bin   string
	major string
}

// findServer returns installed server binaries, searched in PATH, in
// "pg_config --bindir" and in /usr/lib/postgresql/*/bin, newest first. With
// want != "", only that major version qualifies (an existing cluster can
// only be run by the major version that created it).
// Errors: ErrNoServer.
func findServer(ctx context.Context, want string) (server, error) {
	var found []server
	for _, dir := range candidateDirs(ctx) {
		if !executable(dir, "initdb") || !executable(dir, "pg_ctl") || !executable(dir, "postgres") {
			continue
		}
		major, err := majorVersion(ctx, dir)
		if err != nil {
			continue
		}
		if want == "" || major == want {
			return server{bin: dir, major: major}, nil
		}
		found = append(found, server{bin: dir, major: major})
	}
	if len(found) > 0 {
		return server{}, fmt.Errorf("the cluster was created by PostgreSQL %s, but only PostgreSQL %s is installed (%s): "+
			"install the Debian package postgresql-%s: %w", want, found[0].major, found[0].bin, want, ErrNoServer)
	}
	return server{}, ErrNoServer
}

func candidateDirs(ctx context.Context) []string {
	var dirs []string
	seen := map[string]bool{}
	add := func(d string) {
		if d == "" {
			return
		}
		if real, err := filepath.EvalSymlinks(d); err == nil {
			d = real
		}
		if !seen[d] {
			seen[d] = true
			dirs = append(dirs, d)
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		add(filepath.Dir(p))
	}
	if out, err := exec.CommandContext(ctx, "pg_config", "--bindir").Output(); err == nil {
		add(strings.TrimSpace(string(out)))
	}
	debian, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(debian, func(i, j int) bool { return versionOf(debian[i]) > versionOf(debian[j]) })
	for _, d := range debian {
		add(d)
	}
	return dirs
}

// versionOf extracts N from /usr/lib/postgresql/N/bin, 0 when not a number.
func versionOf(bin string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(bin)), 64)
	return v
}

func executable(dir, name string) bool {
	fi, err := os.Stat(filepath.Join(dir, name))
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// majorVersion runs "pg_ctl --version" ("pg_ctl (PostgreSQL) 15.14 (Debian …)")
// and returns the major version ("15").
func majorVersion(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, filepath.Join(dir, "pg_ctl"), "--version").Output()
	if err != nil {
		return "", fmt.Errorf("pg_ctl --version: %w", err)
	}
	_, rest, ok := strings.Cut(string(out), "(PostgreSQL) ")
	if !ok {
		return "", fmt.Errorf("unexpected pg_ctl --version output %q", out)
	}
	f := strings.Fields(rest)
	if len(f) == 0 {
		return "", fmt.Errorf("unexpected pg_ctl --version output %q", out)
	}
	major, _, _ := strings.Cut(f[0], ".")
	return major, nil
}
