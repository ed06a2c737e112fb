package privacy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/privacy"
	"github.com/plenar/plenar/migrations/pgtest"
)

// TestExportHasAllOfAUsersData: the export of a user with data in every
// table has every item, and no secret.
func TestExportHasAllOfAUsersData(t *testing.T) {
	pool := pgtest.New(t)
	seedUsers(t, pool)
	ex, err := privacy.NewStore(pool).Export(context.Background(), uuid.MustParse(zoraID), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(ex)
	if err != nil {
		t.Fatal(err)
	}
	all := string(b)
	for _, name := range privacy.ExportSections() {
		var rows []map[string]any
		if err := json.Unmarshal(ex.Sections[name], &rows); err != nil || len(rows) == 0 {
			t.Errorf("section %s is empty (%v): %s", name, err, ex.Sections[name])
		}
	}
	for _, want := range []string{"Zora Zimtstern", "zora.zimt@example.org", "Zimtfreunde", "2001", "Jugendrat",
		"Zimt-Browser, Linux", "203.0.113.0/24", "Zoras Laptop", "member_agenda_changes", "Hallo Zora Zimtstern",
		"Mehr Bänke am Fluss", "Entwurf von Zora Zimtstern", "Wann kommen die Bänke?", "Notiz an Zimtstern",
		"gemeldet von Zora", "Zimtstern-Radweg", "Babysitterin für Zimtstern", zoraInit} {
		if !strings.Contains(all, want) {
			t.Errorf("export lacks %q", want)
		}
	}
	for _, secret := range []string{"argon2-SECRET-HASH", "TOTPSECRET", "zora-session-token", "PUBLICKEY", "olga", "Olga"} {
		if strings.Contains(all, secret) {
			t.Errorf("export has %q", secret)
		}
	}
}

// TestExportCoversEveryPersonalTable: every table with a column marked
// pii:* is in the export, or named here as holding no user's data.
func TestExportCoversEveryPersonalTable(t *testing.T) {
	pool := pgtest.New(t)
	notOfAUser := []string{
		"files", "import_files", // documents of the council
		"account_requests", // addresses of the account forms, linked to no account (one day)
	}
	for _, tb := range piiColumns(t, pool) {
		table := strings.SplitN(tb, ".", 2)[0]
		if !slices.Contains(privacy.ExportTables(), table) && !slices.Contains(notOfAUser, table) {
			t.Errorf("%s has personal data (pii:*) but is not in the export (council/privacy exportSections)", tb)
		}
	}
}

// piiColumns lists table.column of every column commented pii:*.
func piiColumns(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT c.relname || '.' || a.attname
		FROM pg_description d JOIN pg_class c ON c.oid = d.objoid AND c.relkind = 'r'
		JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid
		WHERE d.description LIKE 'pii:%' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if len(out) < 20 {
		t.Fatalf("only %d pii columns found: %v", len(out), out)
	}
	return out
}

// TestErasureLeavesNoPersonalDataButKeepsTheRecord: after erasure no
// column marked pii:* holds any of the user's markers; her public motion
// stays with its signature count, her published question stays, her
// sessions are gone; the other user keeps everything.
func TestErasureLeavesNoPersonalDataButKeepsTheRecord(t *testing.T) {
	pool := pgtest.New(t)
	ctx := context.Background()
	seedUsers(t, pool)
	st := privacy.NewStore(pool)
	signatures := pgtest.Count(t, pool, `SELECT count(*) FROM initiative_signatures WHERE initiative_id = $1`, zoraInit)
	pseudonym, err := st.Erase(council.WithActor(ctx, uuid.MustParse(zoraID)), uuid.MustParse(zoraID), time.Now())
	if err != nil {
		t.Fatalf("Erase: %v", err)
	}
	if !strings.HasPrefix(pseudonym, "gelöschtes Konto ") || len(pseudonym) != len("gelöschtes Konto 7F3A") {
		t.Errorf("pseudonym %q", pseudonym)
	}
	for _, col := range piiColumns(t, pool) {
		parts := strings.SplitN(col, ".", 2)
		for _, m := range zoraMarkers {
			q := fmt.Sprintf(`SELECT count(*) FROM %q WHERE %q::text ILIKE '%%' || $1 || '%%'`, parts[0], parts[1])
			if n := pgtest.Count(t, pool, q, m); n > 0 {
				t.Errorf("%s still holds %q (%d rows)", col, m, n)
			}
		}
	}
	// Nor any other column of the account or her texts.
	for _, m := range zoraMarkers {
		if n := pgtest.Count(t, pool, `SELECT count(*) FROM users u WHERE to_jsonb(u)::text ILIKE '%' || $1 || '%'`, m); n > 0 {
			t.Errorf("users still holds %q", m)
		}
		if n := pgtest.Count(t, pool, `SELECT count(*) FROM questions q WHERE to_jsonb(q)::text ILIKE '%' || $1 || '%'`, m); n > 0 {
			t.Errorf("questions still hold %q", m)
		}
		if n := pgtest.Count(t, pool, `SELECT count(*) FROM initiatives i WHERE to_jsonb(i)::text ILIKE '%' || $1 || '%'`, m); n > 0 {
			t.Errorf("initiatives still hold %q", m)
		}
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM initiatives i WHERE id = $1 AND initiative_public(i)`, zoraInit); n != 1 {
		t.Error("her public motion is gone")
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM initiative_signatures WHERE initiative_id = $1`, zoraInit); n != signatures {
		t.Errorf("the motion has %d signatures after the erasure, want %d", n, signatures)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM questions WHERE text = 'Wann kommen die Bänke?' AND NOT deleted`); n != 1 {
		t.Error("her published question is gone")
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM childcare_claims WHERE user_id = $1 AND amount_cents = 3750 AND note = ''`, zoraID); n != 1 {
		t.Error("her childcare claim (a payment voucher) is not kept without its note")
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM sessions WHERE token = 'zora-session-token'`); n != 0 {
		t.Error("her session still stands")
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM users WHERE id = $1 AND deleted AND disabled AND erased IS NOT NULL AND display_name = $2`, zoraID, pseudonym); n != 1 {
		t.Error("the account is not marked erased under its pseudonym")
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM audit WHERE entity = 'user' AND entity_id = $1 AND changes ? 'erased'`, zoraID); n != 1 {
		t.Error("no audit row of the erasure")
	}
	// Olga keeps hers.
	for _, q := range []string{`SELECT count(*) FROM users WHERE email = 'olga@example.org' AND display_name = 'Olga Ohnesorg'`,
		`SELECT count(*) FROM sessions WHERE token = 'olga-session-token'`,
		`SELECT count(*) FROM mail_outbox WHERE recipient = 'olga@example.org'`,
		`SELECT count(*) FROM initiative_signatures WHERE user_id = '` + otherID + `'`} {
		if pgtest.Count(t, pool, q) != 1 {
			t.Errorf("the other user lost data: %s", q)
		}
	}
	if _, err := st.Erase(ctx, uuid.MustParse(zoraID), time.Now()); err == nil || council.KindOf(err) != council.KindConflict {
		t.Errorf("erasing again = %v, want a conflict", err)
	}
	if _, err := st.Export(ctx, uuid.MustParse(zoraID), time.Now()); council.KindOf(err) != council.KindNotFound {
		t.Errorf("export of an erased account = %v, want not found", err)
	}
}
