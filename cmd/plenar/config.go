package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/plenar/plenar/web"
)

// Config is plenar's configuration, from flags and PLENAR_* variables.
type Config struct {
	Addr         string // listen address, e.g. ":8080"
	BaseURL      string // public base URL, e.g. https://ratsinfo.musterstadt.de
	DatabaseURL  string // "" means the private cluster in DataDir
	DBMaxConns   string // pool size; "" means defaultMaxConns
	DataDir      string
	FilesDir     string // blobs; "" means DataDir/files
	LogFormat    string // text or json
	LogLevel     string // debug, info, warn or error
	MetricsToken string
	// TrustedProxies: reverse proxies whose X-Forwarded-For is believed
	// (comma-separated addresses and CIDR prefixes).
	TrustedProxies string
}

// setting describes one Config field: its flag, variable, default and check.
type setting struct {
	flag, env, def, usage string
	dst                   func(*Config) *string
	check                 func(string) error
}

// serveSettings are the settings of serve; dbSettings those of the
// commands that only need the database.
func serveSettings() []string {
	return []string{"addr", "base-url", "database-url", "db-max-conns", "data-dir", "files-dir", "log-format",
		"log-level", "metrics-token", "trusted-proxies"}
}

func dbSettings() []string {
	return []string{"database-url", "db-max-conns", "data-dir", "files-dir", "log-format", "log-level"}
}

func settings() []setting {
	return []setting{
		{"addr", "PLENAR_ADDR", ":8080", "listen address", func(c *Config) *string { return &c.Addr }, checkAddr},
		{"base-url", "PLENAR_BASE_URL", "http://localhost:8080", "public base URL (https:// in production)",
			func(c *Config) *string { return &c.BaseURL }, checkBaseURL},
		{"database-url", "PLENAR_DATABASE_URL", "", "PostgreSQL URL; empty: a private cluster in the data directory",
			func(c *Config) *string { return &c.DatabaseURL }, nil},
		{"db-max-conns", "PLENAR_DB_MAX_CONNS", "", fmt.Sprintf("database connections per process (1–%d); empty: %d per CPU, at least %d",
			maxPoolConns, poolConnsPerCPU, minPoolConns),
			func(c *Config) *string { return &c.DBMaxConns }, checkMaxConns},
		{"data-dir", "PLENAR_DATA_DIR", "./data", "data directory (files, index, private PostgreSQL)",
			func(c *Config) *string { return &c.DataDir }, checkNotEmpty},
		{"files-dir", "PLENAR_FILES_DIR", "", "directory of the files' blobs, shared by every process of a deployment; empty: <data dir>/files",
			func(c *Config) *string { return &c.FilesDir }, nil},
		{"log-format", "PLENAR_LOG_FORMAT", "text", "log format: text or json",
			func(c *Config) *string { return &c.LogFormat }, oneOf("text", "json")},
		{"log-level", "PLENAR_LOG_LEVEL", "info", "log level: debug, info, warn or error",
			func(c *Config) *string { return &c.LogLevel }, oneOf("debug", "info", "warn", "error")},
		{"metrics-token", "PLENAR_METRICS_TOKEN", "", "bearer token for /metrics from non-loopback addresses",
			func(c *Config) *string { return &c.MetricsToken }, nil},
		{"trusted-proxies", "PLENAR_TRUSTED_PROXIES", "", "reverse proxies (addresses, CIDR prefixes, comma-separated) whose X-Forwarded-For names the client",
			func(c *Config) *string { return &c.TrustedProxies }, func(v string) error {
				_, err := web.ParseTrustedProxies(v)
				return err
			}},
	}
}

// errFlagParse means the flag package rejected the command line and has
// already said why.
var errFlagParse = errors.New("bad command line")

func (a *app) flagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("plenar "+name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errFlagParse
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// bind registers the named settings as flags on fs, with the environment
// as defaults; call check after fs.Parse.
func (a *app) bind(cfg *Config, fs *flag.FlagSet, names ...string) {
	for _, s := range settings() {
		if !contains(names, s.flag) {
			continue
		}
		def := s.def
		if v, ok := a.env(s.env); ok {
			def = v
		}
		fs.StringVar(s.dst(cfg), s.flag, def, s.usage+" ($"+s.env+")")
	}
}

// check validates the bound settings; an error names the flag or the
// variable the bad value came from.
func (a *app) check(cfg *Config, fs *flag.FlagSet) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, s := range settings() {
		if fs.Lookup(s.flag) == nil || s.check == nil {
			continue
		}
		v := *s.dst(cfg)
		if err := s.check(v); err != nil {
			src := "default"
			if set[s.flag] {
				src = "--" + s.flag
			} else if _, ok := a.env(s.env); ok {
				src = s.env
			}
			return usagef("%s=%q: %v", src, v, err)
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func checkNotEmpty(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("must not be empty")
	}
	return nil
}

func checkAddr(v string) error {
	if _, _, err := net.SplitHostPort(v); err != nil {
		return fmt.Errorf("want host:port or :port: %w", err)
	}
	return nil
}

func checkBaseURL(v string) error {
	u, err := url.Parse(v)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("want an absolute http:// or https:// URL")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return errors.New("must not have a query or fragment")
	}
	return nil
}

func oneOf(allowed ...string) func(string) error {
	return func(v string) error {
		if !contains(allowed, v) {
			return fmt.Errorf("want one of %s", strings.Join(allowed, ", "))
		}
		return nil
	}
}

// insecureCookies reports whether cookies must do without the Secure flag:
// the public base URL is plain http (local development).
func (c Config) insecureCookies() bool { return strings.HasPrefix(c.BaseURL, "http://") }

// logger builds the process's one slog handler.
func (c Config) logger(w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.LogLevel)) // checked by oneOf
	opt := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opt))
	}
	return slog.New(slog.NewTextHandler(w, opt))
}

// The default pool: enough connections that a request never waits for one
// while another request's query runs (PostgreSQL's work is mostly I/O wait
// and network round trips at these sizes), few enough that several
// Plenar processes fit into PostgreSQL's default max_connections of 100.
// The LISTEN connections (sessions, live, search) come on top of the pool.
// docs/BENCHMARKS.md ("Public pages under load") shows the measurements.
const (
	poolConnsPerCPU = 4
	minPoolConns    = 8
	maxPoolConns    = 500
)

// maxConns is the pool size: DBMaxConns, or the default for this machine.
func (c Config) maxConns() int32 {
	if n, err := strconv.Atoi(c.DBMaxConns); err == nil && c.DBMaxConns != "" {
		return int32(n)
	}
	return int32(max(minPoolConns, poolConnsPerCPU*runtime.GOMAXPROCS(0)))
}

func checkMaxConns(v string) error {
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPoolConns {
		return fmt.Errorf("want a number of connections from 1 to %d", maxPoolConns)
	}
	return nil
}

// filesDir is where the blobs of files live.
func (c Config) filesDir() string {
	if c.FilesDir != "" {
		return c.FilesDir
	}
	return filepath.Join(c.DataDir, "files")
}
