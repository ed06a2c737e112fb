package pgcluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// socketPort names the socket (.s.PGSQL.5432) when there is no TCP port.
const socketPort = 5432

// maxSocketPath is the longest socket path we use; the kernel allows 107
// bytes and PostgreSQL appends ".lock" to the socket name for its lock file.
const maxSocketPath = 100

// fallbackRoot holds clusters whose data directory the postgres user cannot
// reach (as root only).
const fallbackRoot = "/var/lib/plenar"

// Options configure a Cluster.
type Options struct {
	// DataDir is Plenar's data directory; the cluster lives in
	// DataDir/postgres, or in a fallback folder (see the package comment).
	DataDir string
	// Port is a TCP port on 127.0.0.1 to listen on as well; 0 means the
	// Unix socket only (no TCP at all).
	Port int
	// Database is created on first start; "" means "plenar".
	Database string
	// Fast trades durability for speed (fsync off): throw-away test
	// clusters only.
	Fast bool
	Log  *slog.Logger
}

// Cluster is a private PostgreSQL cluster. Its methods must not be called
// concurrently.
type Cluster struct {
	opt     Options
	dir     string // PGDATA
	realDir string // dir with symbolic links resolved, to recognise our processes
	sockDir string
	srv     server
	owner   owner
	log     *slog.Logger
}

// New locates the cluster for opt.DataDir and the server binaries to run it;
// it creates folders but starts nothing. Errors: ErrNoServer.
func New(ctx context.Context, opt Options) (*Cluster, error) {
	if opt.Database == "" {
		opt.Database = "plenar"
	}
	log := opt.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	abs, err := filepath.Abs(opt.DataDir)
	if err != nil {
		return nil, fmt.Errorf("data directory %s: %w", opt.DataDir, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	o, err := currentOwner()
	if err != nil {
		return nil, err
	}
	c := &Cluster{opt: opt, owner: o, log: log}
	if c.dir, err = c.locate(ctx, abs); err != nil {
		return nil, err
	}
	c.sockDir = socketDir(c.dir)
	want := ""
	if b, err := os.ReadFile(filepath.Join(c.dir, "PG_VERSION")); err == nil {
		want = strings.TrimSpace(string(b))
	}
	if c.srv, err = findServer(ctx, want); err != nil {
		return nil, err
	}
	return c, nil
}

// Dir returns the cluster folder (PGDATA).
func (c *Cluster) Dir() string { return c.dir }

// SocketDir returns the folder of the Unix socket.
func (c *Cluster) SocketDir() string { return c.sockDir }

// ConnString returns a pgx connection URL for the database over the Unix
// socket, as the superuser "postgres".
func (c *Cluster) ConnString() string { return c.connString(c.opt.Database) }

func (c *Cluster) connString(db string) string {
	q := url.Values{"host": {c.sockDir}, "port": {strconv.Itoa(c.port())}, "sslmode": {"disable"}}
	return "postgres://postgres@/" + url.PathEscape(db) + "?" + q.Encode()
}

func (c *Cluster) port() int {
	if c.opt.Port > 0 {
		return c.opt.Port
	}
	return socketPort
}

// locate picks the cluster folder: <data dir>/postgres when its owner can
// use it, else a folder under /var/lib/plenar named after the data dir.
func (c *Cluster) locate(ctx context.Context, dataDir string) (string, error) {
	primary := filepath.Join(dataDir, "postgres")
	if c.owner.name == "" {
		return primary, nil
	}
	fallback := filepath.Join(fallbackRoot, shortHash(dataDir), "postgres")
	if exists(filepath.Join(primary, "PG_VERSION")) {
		return primary, nil
	}
	if exists(filepath.Join(fallback, "PG_VERSION")) {
		c.log.Info("PostgreSQL cluster lives outside the data directory, which user postgres cannot reach",
			"data_dir", dataDir, "cluster_dir", fallback)
		return fallback, nil
	}
	created := false
	if err := os.Mkdir(primary, 0o700); err == nil {
		created = true
	} else if !errors.Is(err, os.ErrExist) {
		return "", fmt.Errorf("create %s: %w", primary, err)
	}
	if err := c.owner.chown(primary); err != nil {
		return "", err
	}
	if c.owner.canUse(ctx, primary) {
		return primary, nil
	}
	if created {
		_ = os.Remove(primary)
	}
	c.log.Warn("user postgres cannot reach the data directory (a parent folder lacks o+x); "+
		"the PostgreSQL cluster goes to a fallback folder instead",
		"data_dir", dataDir, "cluster_dir", fallback)
	if err := os.MkdirAll(filepath.Dir(fallback), 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", filepath.Dir(fallback), err)
	}
	for _, d := range []string{fallbackRoot, filepath.Dir(fallback)} {
		if err := os.Chmod(d, 0o755); err != nil {
			return "", fmt.Errorf("make %s reachable: %w", d, err)
		}
	}
	return fallback, nil
}

// socketDir is the cluster folder itself, or /tmp/plenar-<hash> when the
// socket path would be too long.
func socketDir(clusterDir string) string {
	if len(clusterDir)+len("/.s.PGSQL.65535") <= maxSocketPath {
		return clusterDir
	}
	return "/tmp/plenar-" + shortHash(clusterDir)
}

func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:6])
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Start creates the cluster on first use, clears what a crashed earlier run
// left behind, starts PostgreSQL and creates the database.
func (c *Cluster) Start(ctx context.Context) error {
	if !exists(filepath.Join(c.dir, "PG_VERSION")) {
		if err := c.initdb(ctx); err != nil {
			return err
		}
	}
	if err := c.writeConf(); err != nil {
		return err
	}
	if err := c.prepareSocketDir(); err != nil {
		return err
	}
	var err error
	if c.realDir, err = filepath.EvalSymlinks(c.dir); err != nil {
		return fmt.Errorf("resolve %s: %w", c.dir, err)
	}
	if err := c.clearLeftovers(ctx); err != nil {
		return err
	}
	logFile := c.logFile()
	c.log.Info("starting PostgreSQL", "cluster_dir", c.dir, "socket_dir", c.sockDir, "version", c.srv.major, "log", logFile)
	out, err := c.owner.command(ctx, filepath.Join(c.srv.bin, "pg_ctl"), "start", "-w", "-t", "120", "-s",
		"-D", c.dir, "-l", logFile).CombinedOutput()
	if err != nil {
		return fmt.Errorf("start PostgreSQL in %s: %w: %s%s", c.dir, err, strings.TrimSpace(string(out)), tail(logFile))
	}
	if err := c.ensureDatabase(ctx); err != nil {
		_ = c.Stop(context.WithoutCancel(ctx))
		return err
	}
	return nil
}

// Stop shuts PostgreSQL down (fast mode: open transactions are rolled
// back) and waits for it. Stopping a stopped cluster is not an error.
func (c *Cluster) Stop(ctx context.Context) error {
	running, err := c.Running(ctx)
	if err != nil {
		return err
	}
	if !running {
		return nil
	}
	c.log.Info("stopping PostgreSQL", "cluster_dir", c.dir)
	out, err := c.owner.command(ctx, filepath.Join(c.srv.bin, "pg_ctl"), "stop", "-m", "fast", "-w", "-t", "60", "-s",
		"-D", c.dir).CombinedOutput()
	if err != nil {
		return fmt.Errorf("stop PostgreSQL in %s: %w: %s", c.dir, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Running reports whether a PostgreSQL server runs on the cluster.
func (c *Cluster) Running(ctx context.Context) (bool, error) {
	if !exists(filepath.Join(c.dir, "PG_VERSION")) {
		return false, nil
	}
	err := c.owner.command(ctx, filepath.Join(c.srv.bin, "pg_ctl"), "status", "-D", c.dir).Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &exit) && exit.ExitCode() == 3: // not running
		return false, nil
	default:
		return false, fmt.Errorf("pg_ctl status %s: %w", c.dir, err)
	}
}

func (c *Cluster) initdb(ctx context.Context) error {
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", c.dir, err)
	}
	if err := c.owner.chown(c.dir); err != nil {
		return err
	}
	c.log.Info("creating PostgreSQL cluster", "cluster_dir", c.dir, "version", c.srv.major)
	base := []string{"-D", c.dir, "-U", "postgres", "--auth=trust", "-E", "UTF8"}
	var errs []error
	// C.UTF-8 gives lower()/upper() for umlauts; --no-locale works everywhere.
	for _, loc := range []string{"--locale=C.UTF-8", "--no-locale"} {
		out, err := c.owner.command(ctx, filepath.Join(c.srv.bin, "initdb"), append(base, loc)...).CombinedOutput()
		if err == nil {
			break
		}
		errs = append(errs, fmt.Errorf("initdb %s: %w: %s", loc, err, strings.TrimSpace(string(out))))
	}
	if len(errs) == 2 {
		return fmt.Errorf("create PostgreSQL cluster in %s: %w", c.dir, errors.Join(errs...))
	}
	f, err := os.OpenFile(filepath.Join(c.dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("open postgresql.conf: %w", err)
	}
	_, err = fmt.Fprint(f, "\n# Plenar writes plenar.conf at every start.\ninclude_if_exists = 'plenar.conf'\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("append to postgresql.conf: %w", err)
	}
	return nil
}

// writeConf writes the settings that depend on where the cluster runs.
func (c *Cluster) writeConf() error {
	listen := ""
	if c.opt.Port > 0 {
		listen = "127.0.0.1"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Written by plenar at every start; put your own settings into postgresql.conf.\n")
	fmt.Fprintf(&b, "listen_addresses = %s\n", quote(listen))
	fmt.Fprintf(&b, "port = %d\n", c.port())
	fmt.Fprintf(&b, "unix_socket_directories = %s\n", quote(c.sockDir))
	fmt.Fprintf(&b, "unix_socket_permissions = 0700\n")
	if c.opt.Fast {
		fmt.Fprintf(&b, "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 300\n")
	}
	path := filepath.Join(c.dir, "plenar.conf")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return c.owner.chown(path)
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// prepareSocketDir creates a socket folder outside the cluster folder,
// private to the owner, refusing one that somebody else prepared.
func (c *Cluster) prepareSocketDir() error {
	if c.sockDir == c.dir {
		return nil
	}
	if err := os.Mkdir(c.sockDir, 0o700); err == nil {
		if err := c.owner.chown(c.sockDir); err != nil {
			return err
		}
	} else if !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("create socket folder: %w", err)
	}
	fi, err := os.Lstat(c.sockDir)
	if err != nil {
		return fmt.Errorf("socket folder: %w", err)
	}
	st, ok := fi.Sys().(*syscallStat)
	if !fi.IsDir() || fi.Mode().Perm() != 0o700 || (ok && int(st.Uid) != c.owner.uid) {
		return fmt.Errorf("socket folder %s is not a private folder of uid %d; remove it", c.sockDir, c.owner.uid)
	}
	return nil
}

// ensureDatabase creates the database on first start.
func (c *Cluster) ensureDatabase(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.connString("postgres"))
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL in %s: %w", c.dir, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", c.opt.Database).Scan(&ok); err != nil {
		return fmt.Errorf("look for database %s: %w", c.opt.Database, err)
	}
	if ok {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{c.opt.Database}.Sanitize())
	var pgErr *pgconn.PgError
	if err != nil && !(errors.As(err, &pgErr) && pgErr.Code == "42P04") { // duplicate_database
		return fmt.Errorf("create database %s: %w", c.opt.Database, err)
	}
	c.log.Info("created database", "database", c.opt.Database)
	return nil
}

// tail returns the end of a log file for an error message.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return "\n--- " + path + " ---\n" + strings.TrimSpace(string(b))
}
