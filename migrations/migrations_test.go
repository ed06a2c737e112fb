package migrations_test

import (
	"context"
	"testing"

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
