package main

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a bytes.Buffer safe for a command running in a goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runCmd runs plenar in-process with env as its whole environment.
func runCmd(t testing.TB, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut syncBuffer
	a := &app{env: mapEnv(env), stdout: &out, stderr: &errOut}
	code = a.run(context.Background(), args)
	return code, out.String(), errOut.String()
}

func mapEnv(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}

func TestExitCodesAndMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		code     int
		inStderr string
	}{
		{"no command", nil, nil, 2, "usage: plenar"},
		{"unknown command", nil, []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"unknown flag", nil, []string{"serve", "--nope"}, 2, "flag provided but not defined: -nope"},
		{"bad level flag", nil, []string{"serve", "--log-level", "loud"}, 2, `--log-level="loud": want one of debug, info, warn, error`},
		{"bad format env", map[string]string{"PLENAR_LOG_FORMAT": "xml"}, []string{"migrate"}, 2, `PLENAR_LOG_FORMAT="xml"`},
		{"bad base URL env", map[string]string{"PLENAR_BASE_URL": "localhost:8080"}, []string{"serve"}, 2, "PLENAR_BASE_URL"},
		{"bad sfu scenario", nil, []string{"bench", "sfu", "--scenarios", "a,x"}, 2, `unknown scenario "x"`},
		{"bad sfu floor", nil, []string{"bench", "sfu", "--floor", "0"}, 2, "--floor must be"},
		{"bad trusted proxies", nil, []string{"serve", "--trusted-proxies", "10.0.0.0/8, localhost"}, 2, `trusted proxy "localhost"`},
		{"bad addr", nil, []string{"serve", "--addr", "8080"}, 2, `--addr="8080"`},
		{"empty data dir", map[string]string{"PLENAR_DATA_DIR": ""}, []string{"serve"}, 2, "PLENAR_DATA_DIR"},
		{"bad upload limit", map[string]string{"PLENAR_MAX_UPLOAD_MB": "50MB"}, []string{"serve"}, 2, `PLENAR_MAX_UPLOAD_MB="50MB"`},
		{"zero upload limit", map[string]string{"PLENAR_MAX_UPLOAD_MB": "0"}, []string{"serve"}, 2, "from 1 to 10240"},
		{"bad pool size", map[string]string{"PLENAR_DB_MAX_CONNS": "lots"}, []string{"migrate"}, 2, `PLENAR_DB_MAX_CONNS="lots": want a number of connections from 1 to 500`},
		{"zero pool size", nil, []string{"serve", "--db-max-conns", "0"}, 2, `--db-max-conns="0"`},
		{"stray argument", nil, []string{"migrate", "now"}, 2, `unexpected argument "now"`},
		{"user without subcommand", nil, []string{"user"}, 2, "missing subcommand"},
		{"user unknown subcommand", nil, []string{"user", "promote"}, 2, `unknown subcommand "promote"`},
		{"user add without email", nil, []string{"user", "add", "--role", "admin"}, 2, "--email is required"},
		{"user add bad role", nil, []string{"user", "add", "--email", "a@b.de", "--role", "mayor"}, 2, `--role="mayor"`},
		{"user add short password", nil, []string{"user", "add", "--email", "a@b.de", "--role", "member", "--password", "short"}, 2, "at least 10 characters"},
		{"help", nil, []string{"serve", "-h"}, 0, "-database-url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, tt.env, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.inStderr) {
				t.Errorf("plenar %q with env %v: exit %d, stderr %q; want exit %d and stderr containing %q",
					tt.args, tt.env, code, stderr, tt.code, tt.inStderr)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	code, out, _ := runCmd(t, nil, "version")
	if code != 0 || out != "plenar dev\n" {
		t.Errorf("plenar version: exit %d, %q; want 0, %q", code, out, "plenar dev\n")
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want Config
	}{
		{"defaults", nil, nil, Config{Addr: ":8080", BaseURL: "http://localhost:8080", DataDir: "./data",
			LogFormat: "text", LogLevel: "info"}},
		{"environment", map[string]string{"PLENAR_ADDR": "127.0.0.1:9000", "PLENAR_BASE_URL": "https://ris.example.de",
			"PLENAR_DATABASE_URL": "postgres://db/x", "PLENAR_DATA_DIR": "/srv/plenar", "PLENAR_LOG_FORMAT": "json",
			"PLENAR_LOG_LEVEL": "debug", "PLENAR_METRICS_TOKEN": "s3cret"}, nil,
			Config{Addr: "127.0.0.1:9000", BaseURL: "https://ris.example.de", DatabaseURL: "postgres://db/x",
				DataDir: "/srv/plenar", LogFormat: "json", LogLevel: "debug", MetricsToken: "s3cret"}},
		{"flags win", map[string]string{"PLENAR_ADDR": ":1", "PLENAR_LOG_LEVEL": "debug"},
			[]string{"--addr", ":2", "--log-level", "warn", "--data-dir", "/d"},
			Config{Addr: ":2", BaseURL: "http://localhost:8080", DataDir: "/d", LogFormat: "text", LogLevel: "warn"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &app{env: mapEnv(tt.env), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
			var cfg Config
			fs := a.flagSet("serve")
			a.bind(&cfg, fs, serveSettings()...)
			if err := parse(fs, tt.args); err != nil {
				t.Fatal(err)
			}
			if err := a.check(&cfg, fs); err != nil {
				t.Fatal(err)
			}
			if cfg != tt.want {
				t.Errorf("env %v, args %q:\n got %+v\nwant %+v", tt.env, tt.args, cfg, tt.want)
			}
		})
	}
}

func TestInsecureCookies(t *testing.T) {
	t.Parallel()
	for url, want := range map[string]bool{"http://localhost:8080": true, "https://ris.example.de": false} {
		if got := (Config{BaseURL: url}).insecureCookies(); got != want {
			t.Errorf("insecureCookies(%s) = %v, want %v", url, got, want)
		}
	}
}

func TestLockDataDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l, err := lockDataDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockDataDir(dir); !errors.Is(err, ErrDataDirInUse) || !strings.Contains(err.Error(), "locked by pid") {
		t.Errorf("second lock: err = %v, want ErrDataDirInUse naming the pid", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l2, err := lockDataDir(dir)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	l2.Close()
}

func TestPoolSize(t *testing.T) {
	t.Parallel()
	auto := int32(max(minPoolConns, poolConnsPerCPU*runtime.GOMAXPROCS(0)))
	for _, tt := range []struct {
		set  string
		want int32
	}{{"", auto}, {"1", 1}, {"40", 40}} {
		if got := (Config{DBMaxConns: tt.set}).maxConns(); got != tt.want {
			t.Errorf("PLENAR_DB_MAX_CONNS=%q: pool of %d, want %d", tt.set, got, tt.want)
		}
	}
	if auto < 8 {
		t.Errorf("default pool %d: fewer connections than a page's concurrent requests need", auto)
	}
}
