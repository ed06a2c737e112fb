package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/cmd/plenar/pgcluster"
)

// testdb is the helper of "make test": a throw-away PostgreSQL for the
// test suite when none answers at PLENAR_TEST_DATABASE_URL. mode is ping
// (exit 0 when a server answers at --url), start (create and start a
// cluster in --dir on 127.0.0.1, print its URL) or stop (stop it, and
// with --remove delete it).
func (a *app) testdb(ctx context.Context, mode string, args []string) error {
	fs := a.flagSet("testdb " + mode)
	dir := fs.String("dir", "", "folder for the cluster")
	port := fs.Int("port", 0, "TCP port on 127.0.0.1 (default: a free one)")
	remove := fs.Bool("remove", false, "delete the cluster after stopping it")
	url := fs.String("url", "", "server to ping")
	if err := parse(fs, args); err != nil {
		return err
	}
	if mode == "ping" {
		ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, *url)
		if err != nil {
			return fmt.Errorf("no PostgreSQL at %s: %w", *url, err)
		}
		return conn.Close(ctx)
	}
	if *dir == "" {
		return usagef("--dir is required")
	}
	if *port == 0 && mode == "start" {
		p, err := freePort()
		if err != nil {
			return err
		}
		*port = p
	}
	log := Config{LogFormat: "text", LogLevel: "warn"}.logger(a.stderr)
	c, err := pgcluster.New(ctx, pgcluster.Options{DataDir: *dir, Port: *port, Database: "postgres", Fast: true, Log: log})
	if err != nil {
		return err
	}
	switch mode {
	case "start":
		if err := c.Start(ctx); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable\n", *port)
		return nil
	case "stop":
		if err := c.Stop(ctx); err != nil {
			return err
		}
		if *remove {
			if c.SocketDir() != c.Dir() {
				_ = os.RemoveAll(c.SocketDir())
			}
			if err := os.RemoveAll(c.Dir()); err != nil {
				return fmt.Errorf("remove cluster: %w", err)
			}
			if abs, _ := filepath.Abs(*dir); filepath.Dir(c.Dir()) != abs {
				_ = os.RemoveAll(filepath.Dir(c.Dir())) // the /var/lib/plenar fallback
			}
		}
		return nil
	default:
		return usagef("unknown subcommand %q: want ping, start or stop", mode)
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
