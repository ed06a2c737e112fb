package privacy_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council/privacy"
	"github.com/plenar/plenar/migrations/pgtest"
)

// snapshot returns every row of every table of the schema as JSON text,
// by table.
func snapshot(t *testing.T, pool *pgxpool.Pool) map[string]map[string]bool {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]bool{}
	for _, tb := range tables {
		set := map[string]bool{}
		rs, err := pool.Query(ctx, fmt.Sprintf(`SELECT to_jsonb(t)::text FROM %q t`, tb))
		if err != nil {
			t.Fatal(err)
		}
		for rs.Next() {
			var s string
			if err := rs.Scan(&s); err != nil {
				t.Fatal(err)
			}
			set[s] = true
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		out[tb] = set
	}
	return out
}

// TestRetentionDeletesExpiredAndNothingElse: the retention job deletes or
// pseudonymises exactly the rows past their class's period — every other
// row of every table, the legal record (minutes, attendance, presence,
// motions, papers) included, is the same afterwards; signatures keep
// counting; the run is logged and audited with its counts per class.
func TestRetentionDeletesExpiredAndNothingElse(t *testing.T) {
	pool := pgtest.New(t)
	ctx := context.Background()
	seedRetention(t, pool)
	before := snapshot(t, pool)
	// The legal record is in the fixture, so "untouched" below means something.
	for _, tb := range []string{"minutes", "polls", "poll_choices", "live_attendance", "live_presence", "papers", "initiatives", "questions"} {
		if len(before[tb]) == 0 {
			t.Fatalf("fixture has no %s", tb)
		}
	}
	signaturesBefore := pgtest.Count(t, pool, `SELECT count(*) FROM initiative_signatures WHERE initiative_id = $1`, initA)

	var logged strings.Builder
	job := &privacy.Job{Store: privacy.NewStore(pool), Log: slog.New(slog.NewTextHandler(&logged, nil)),
		Tasks: map[privacy.Class]privacy.Task{privacy.Recordings: func(context.Context, time.Time) (int64, error) { return 2, nil }}}
	counts, err := job.Once(ctx)
	if err != nil {
		t.Fatalf("Once: %v", err)
	}
	after := snapshot(t, pool)

	// Rows the retention must change without an "expired" text of their
	// own: the signatures of motion A, the media record of the old meeting.
	expected := func(table, row string) bool {
		switch table {
		case "initiative_signatures":
			return strings.Contains(row, initA)
		case "email_verifications": // the token's bytes in hex
			return strings.Contains(row, fmt.Sprintf("%x", expiredMark))
		case "live_media":
			return strings.Contains(row, meetingOld)
		}
		return strings.Contains(row, expiredMark)
	}
	for tb, rows := range before {
		for row := range rows {
			gone := !after[tb][row]
			if gone && !expected(tb, row) {
				t.Errorf("%s: row changed or deleted that is within its period: %s", tb, row)
			}
			if !gone && expected(tb, row) {
				t.Errorf("%s: expired row left as it was: %s", tb, row)
			}
		}
	}
	for tb, rows := range after {
		for row := range rows {
			if before[tb][row] || tb == "audit" {
				continue
			}
			if strings.Contains(row, "expired ") && tb != "questions" {
				t.Errorf("%s: expired data still there: %s", tb, row)
			}
		}
	}
	// Pseudonymised, not deleted: the signatures of A count, without signers.
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM initiative_signatures WHERE initiative_id = $1 AND user_id IS NULL`, initA); n != signaturesBefore || n != 2 {
		t.Errorf("motion A: %d anonymous signatures, want %d", n, signaturesBefore)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM questions WHERE text = 'expired answered question' AND asker_id IS NULL AND NOT deleted`); n != 1 {
		t.Errorf("the old answered question: %d kept without its asker, want 1", n)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM questions WHERE text LIKE 'expired rejected%' OR note = 'expired note'`); n != 0 {
		t.Errorf("the old rejected question's text or note is still there (%d)", n)
	}

	want := privacy.Counts{privacy.UnverifiedAccounts: 2, privacy.Logins: 2, privacy.NetworkAddresses: 2,
		privacy.Signatures: 2, privacy.Questions: 2, privacy.Moderation: 2, privacy.LivePresence: 1, privacy.Mail: 1,
		privacy.Recordings: 2}
	for c, n := range want {
		if counts[c] != n {
			t.Errorf("count of %s = %d, want %d (all: %v)", c, counts[c], n, counts)
		}
		if !strings.Contains(logged.String(), fmt.Sprintf("class=%s count=%d", c, n)) {
			t.Errorf("log has no line for %s with %d: %s", c, n, logged.String())
		}
	}
	at, audited, err := privacy.NewStore(pool).LastRun(ctx)
	if err != nil || at.IsZero() || audited[privacy.Signatures] != 2 || audited[privacy.Recordings] != 2 {
		t.Errorf("audit of the run: %v %v %v", at, audited, err)
	}

	// A second run finds nothing more.
	again, err := job.Once(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for c, n := range again {
		if n != 0 && c != privacy.Recordings {
			t.Errorf("second run: %s deleted %d more", c, n)
		}
	}
}

// TestRetentionRules: the city's periods are stored and used, a bad one
// is refused with a field error and nothing stored.
func TestRetentionRules(t *testing.T) {
	pool := pgtest.New(t)
	ctx := context.Background()
	st := privacy.NewStore(pool)
	rules, err := st.Rules(ctx)
	if err != nil || len(rules) != len(privacy.Classes) {
		t.Fatalf("Rules = %d, %v", len(rules), err)
	}
	for _, r := range rules {
		if !r.External && r.Days != r.Default {
			t.Errorf("%s: %d days, want the default %d", r.Class, r.Days, r.Default)
		}
	}
	err = st.SetRules(ctx, map[privacy.Class]int{privacy.Logins: 30, privacy.Questions: 0}, time.Now())
	if err == nil || !strings.Contains(err.Error(), "questions") {
		t.Fatalf("SetRules with 0 days = %v, want a field error on questions", err)
	}
	if n := pgtest.Count(t, pool, `SELECT days FROM retention_rules WHERE class = 'logins'`); n != 90 {
		t.Errorf("after a refused change logins keep %d days, want 90", n)
	}
	if err := st.SetRules(ctx, map[privacy.Class]int{privacy.Logins: 30}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := st.SetRules(ctx, map[privacy.Class]int{privacy.Recordings: 30}, time.Now()); err == nil {
		t.Error("SetRules of the recordings (set by PLENAR_RECORDING_RETENTION) was accepted")
	}
	if _, err := pool.Exec(ctx, `INSERT INTO users (email, password_hash, role) VALUES ('a@example.org', 'x', 'citizen');
		INSERT INTO logins (user_id, at, method) SELECT id, now() - interval '40 days', 'password' FROM users`); err != nil {
		t.Fatal(err)
	}
	counts, err := st.Expire(ctx, time.Now())
	if err != nil || counts[privacy.Logins] != 1 {
		t.Errorf("with 30 days a 40-day-old login: counts %v, %v", counts, err)
	}
}
