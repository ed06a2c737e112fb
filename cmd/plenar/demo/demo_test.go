package demo_test

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/cmd/plenar/demo"
	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/migrations/pgtest"
)

func count(t *testing.T, pool *pgxpool.Pool, query string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestSeed(t *testing.T) {
	pool := pgtest.New(t)
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	now := time.Date(2026, 3, 18, 10, 0, 0, 0, time.UTC)
	start := time.Now()
	res, err := demo.SeedWith(ctx, pool, log, demo.Options{Now: now})
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}
	t.Logf("seed took %s: %+v", time.Since(start).Round(time.Millisecond), res.Counts)
	if !res.Seeded {
		t.Fatal("Seeded = false on an empty database")
	}

	kinds := map[council.OrgKind][2]int{
		council.KindCouncil: {1, 1}, council.KindCommittee: {6, 6}, council.KindDistrictCouncil: {4, 4},
		council.KindYouthCouncil: {1, 1}, council.KindPartyGroup: {5, 5}, council.KindCommunityGroup: {1, 1},
		council.KindAdministration: {8, 20},
	}
	for k, r := range kinds {
		if n := count(t, pool, `SELECT count(*) FROM organizations WHERE kind = $1`, string(k)); n < r[0] || n > r[1] {
			t.Errorf("organizations of kind %s: got %d, want %d..%d", k, n, r[0], r[1])
		}
	}
	ranges := []struct {
		name     string
		query    string
		min, max int
	}{
		{"council seats now", `SELECT count(*) FROM memberships m JOIN organizations o ON o.id = m.organization_id
			WHERE o.kind = 'council' AND m.voting_right AND (m.end_date IS NULL OR m.end_date >= $1::date)`, 50, 52},
		{"statutory seats", `SELECT statutory_seats FROM organizations WHERE kind = 'council'`, 50, 50},
		{"persons", `SELECT count(*) FROM persons`, 100, 250},
		{"papers", `SELECT count(*) FROM papers`, 2400, 4000},
		{"meetings", `SELECT count(*) FROM meetings`, 400, 700},
		{"closed meetings", `SELECT count(*) FROM meetings WHERE state = 'closed'`, 300, 600},
		{"cancelled meetings", `SELECT count(*) FROM meetings WHERE cancelled`, 1, 30},
		{"future planned meetings", `SELECT count(*) FROM meetings WHERE state = 'planned' AND start_at > $1`, 20, 200},
		{"non-public items", `SELECT count(*) FROM agenda_items WHERE NOT public`, 100, 5000},
		{"non-public papers", `SELECT count(*) FROM papers WHERE NOT public`, 10, 300},
		{"papers without path", `SELECT count(*) FROM papers p WHERE NOT EXISTS (SELECT 1 FROM consultations c WHERE c.paper_id = p.id)`, 0, 0},
		{"duplicate references", `SELECT count(*) FROM (SELECT reference FROM papers WHERE reference IS NOT NULL
			GROUP BY reference HAVING count(*) > 1) d`, 0, 0},
		{"non-public papers on public items", `SELECT count(*) FROM papers p JOIN consultations c ON c.paper_id = p.id
			JOIN agenda_items i ON i.id = c.agenda_item_id WHERE NOT p.public AND i.public`, 0, 0},
		{"amendments with a related paper", `SELECT count(*) FROM papers p JOIN paper_relations r ON r.paper_id = p.id
			WHERE p.paper_type = 'amendment'`, 10, 400},
		{"decided items with results", `SELECT count(*) FROM agenda_items WHERE result LIKE '%beschlossen%'`, 500, 10000},
		{"lorem", `SELECT (SELECT count(*) FROM papers WHERE name ILIKE '%lorem%' OR text ILIKE '%lorem%')
			+ (SELECT count(*) FROM agenda_items WHERE name ILIKE '%lorem%' OR resolution_text ILIKE '%lorem%')`, 0, 0},
		{"papers stuck in consultation for 5 months", `SELECT count(*) FROM papers
			WHERE status = 'in_consultation' AND date < $1::date - 150`, 0, 150},
		{"decided or done papers", `SELECT count(*) FROM papers WHERE status IN ('decided', 'implementation', 'done')`, 1200, 4000},
		{"unfilled placeholders", `SELECT count(*) FROM papers WHERE name LIKE '%{%' OR text LIKE '%{%'`, 0, 0},
	}
	for _, r := range ranges {
		var args []any
		if strings.Contains(r.query, "$1") {
			args = []any{now}
		}
		if n := count(t, pool, r.query, args...); n < r.min || n > r.max {
			t.Errorf("%s: got %d, want %d..%d", r.name, n, r.min, r.max)
		}
	}
	var minItems int
	var avgItems float64
	if err := pool.QueryRow(ctx, `SELECT min(c), avg(c) FROM (SELECT count(*) c FROM agenda_items i
		JOIN meetings m ON m.id = i.meeting_id WHERE NOT m.cancelled GROUP BY m.id) x`).Scan(&minItems, &avgItems); err != nil {
		t.Fatal(err)
	}
	if minItems < 3 || avgItems < 5 || avgItems > 15 {
		t.Errorf("agenda sizes: min %d, average %.1f; want min >= 3, average 5..15", minItems, avgItems)
	}
	if testing.Verbose() {
		rows, err := pool.Query(ctx, `SELECT reference, status, name, left(text, 700) FROM papers
			WHERE reference IS NOT NULL ORDER BY reference LIMIT 6`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var ref, status, name, text string
			if err := rows.Scan(&ref, &status, &name, &text); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s [%s] %s\n%s\n", ref, status, name, text)
		}
		rows.Close()
	}

	store := council.NewStore(pool)
	for _, l := range res.Logins {
		u, err := store.UserByEmail(ctx, l.Email)
		if err != nil {
			t.Errorf("login %s: %v", l.Email, err)
			continue
		}
		if !council.CheckPassword(l.Password, u.PasswordHash) {
			t.Errorf("login %s: password does not match", l.Email)
		}
		if string(u.Role) != l.Role || (l.TOTPSecret != "") != u.TOTPEnabled || u.TOTPSecret != l.TOTPSecret {
			t.Errorf("login %s: got role %s totp %t %q, want %s %q", l.Email, u.Role, u.TOTPEnabled, u.TOTPSecret, l.Role, l.TOTPSecret)
		}
		if u.Role == council.RoleMember && u.PersonID == council.NilID {
			t.Errorf("login %s: member without person", l.Email)
		}
	}

	before := count(t, pool, `SELECT count(*) FROM audit`)
	again, err := demo.SeedWith(ctx, pool, log, demo.Options{Now: now})
	if err != nil {
		t.Fatalf("second Seed: %v", err)
	}
	if again.Seeded || len(again.Logins) == 0 {
		t.Errorf("second Seed: Seeded = %t with %d logins, want false with the logins", again.Seeded, len(again.Logins))
	}
	if after := count(t, pool, `SELECT count(*) FROM audit`); after != before {
		t.Errorf("second Seed wrote %d audit rows, want 0", after-before)
	}
}
