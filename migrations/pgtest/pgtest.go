// Package pgtest hands each test a fresh PostgreSQL database with Plenar's
// schema. The schema is migrated once per test binary into a template
// database named after a hash of the migration files; every test then gets
// "CREATE DATABASE … TEMPLATE …" and the database is dropped in t.Cleanup.
//
// The server comes from PLENAR_TEST_DATABASE_URL (default: the local server
// at 127.0.0.1:5432). When none answers, tests skip with the reason, except
// under CI=true, where they fail.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/migrations"
)

// DefaultURL is the server tests use when PLENAR_TEST_DATABASE_URL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

type template struct {
	once sync.Once
	name string
	err  error
}

// tmpl is the per-binary template database; a sync.Once guarding a value
// derived from the embedded migrations, not mutable configuration.
var tmpl template

// ServerURL returns the admin URL of the test server.
func ServerURL() string {
	if u := os.Getenv("PLENAR_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// Unavailable fails (under CI=true) or skips t with reason.
func Unavailable(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("required test dependency missing under CI=true: %s", reason)
	}
	t.Skipf("skipping: %s (set CI=true to make this a failure)", reason)
}

// URL creates a fresh migrated database for t and returns its URL.
func URL(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, ServerURL())
	if err != nil {
		Unavailable(t, fmt.Sprintf("no PostgreSQL at %s: %v", ServerURL(), err))
	}
	defer admin.Close(ctx)

	tmpl.once.Do(func() { tmpl.name, tmpl.err = ensureTemplate(ctx, admin) })
	if tmpl.err != nil {
		t.Fatalf("prepare template database: %v", tmpl.err)
	}
	name := "plenar_test_" + randomHex(8)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE "+pgx.Identifier{tmpl.name}.Sanitize()); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, ServerURL())
		if err != nil {
			t.Logf("drop test database %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	return withDatabase(t, ServerURL(), name)
}

// Count runs query, which selects one integer such as count(*), and fails
// t on an error.
func Count(t testing.TB, pool *pgxpool.Pool, query string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// New returns a pool on a fresh migrated database, closed in t.Cleanup.
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	u := URL(t)
	pool, err := pgxpool.New(context.Background(), u)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func withDatabase(t testing.TB, server, name string) string {
	t.Helper()
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("parse %s: %v", server, err)
	}
	u.Path = "/" + name
	return u.String()
}

// ensureTemplate creates the template database for the current migrations
// once per server; concurrent test binaries serialise on an advisory lock.
func ensureTemplate(ctx context.Context, admin *pgx.Conn) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS(), p)
		if err != nil {
			return err
		}
		h.Write([]byte(p))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", err
	}
	name := "plenar_tmpl_" + hex.EncodeToString(h.Sum(nil))[:16]
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(724109)"); err != nil {
		return "", err
	}
	defer admin.Exec(context.Background(), "SELECT pg_advisory_unlock(724109)")
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_build"
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{building}.Sanitize()+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{building}.Sanitize()); err != nil {
		return "", err
	}
	u, err := url.Parse(ServerURL())
	if err != nil {
		return "", err
	}
	u.Path = "/" + building
	pool, err := pgxpool.New(ctx, u.String())
	if err != nil {
		return "", err
	}
	err = migrations.Up(ctx, pool, nil)
	pool.Close()
	if err != nil {
		return "", err
	}
	// Rename only when complete, so a crash never leaves a half-built template.
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{building}.Sanitize()+" RENAME TO "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", err
	}
	return name, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
