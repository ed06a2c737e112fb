package migrations_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/plenar/plenar/migrations"
	"github.com/plenar/plenar/migrations/pgtest"
)

func TestUpIsCompleteAndIdempotent(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	ctx := context.Background()
	if err := migrations.Up(ctx, pool, nil); err != nil {
		t.Fatalf("second Up: %v", err)
	}
	n, err := migrations.Pending(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("pending migrations after Up = %d, want 0", n)
	}
	for _, table := range []string{"bodies", "organizations", "persons", "memberships", "papers",
		"consultations", "meetings", "agenda_items", "locations", "legislative_terms", "users",
		"sessions", "outbox", "audit"} {
		var ok bool
		if err := pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", table).Scan(&ok); err != nil || !ok {
			t.Errorf("table %s missing (err %v)", table, err)
		}
	}
}

// TestSessionEpochDown rolls 00002 back and forward again.
func TestSessionEpochDown(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	ctx := context.Background()
	column := func() bool {
		t.Helper()
		var ok bool
		if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.columns
			WHERE table_name = 'users' AND column_name = 'session_epoch')`).Scan(&ok); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !column() {
		t.Fatal("users.session_epoch missing after Up")
	}
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 1); err != nil {
		t.Fatalf("down to 1: %v", err)
	}
	if column() {
		t.Error("users.session_epoch still there after down to 1")
	}
	if err := migrations.Up(ctx, pool, nil); err != nil {
		t.Fatalf("Up after down: %v", err)
	}
	if !column() {
		t.Error("users.session_epoch missing after Up again")
	}
}

// TestAnalyze: after a bulk insert the planner knows nothing of the new
// rows (reltuples -1 on a table never analysed) until Analyze.
func TestAnalyze(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `CREATE TABLE bulk (n int); INSERT INTO bulk SELECT generate_series(1, 5000)`); err != nil {
		t.Fatal(err)
	}
	estimate := func() float64 {
		var n float64
		if err := pool.QueryRow(ctx, `SELECT reltuples FROM pg_class WHERE oid = 'bulk'::regclass`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := estimate(); n != -1 {
		t.Fatalf("before Analyze: reltuples %v, want -1 (never analysed)", n)
	}
	if err := migrations.Analyze(ctx, pool, nil); err != nil {
		t.Fatal(err)
	}
	if n := estimate(); n != 5000 {
		t.Errorf("after Analyze: reltuples %v, want 5000", n)
	}
}
