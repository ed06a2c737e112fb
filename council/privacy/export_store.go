package privacy

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/plenar/plenar/council"
)

// exportSections are every table with a user's personal data, as one
// query each whose $1 is the user's id: the export is exactly this list
// (docs/ARCHITECTURE.md, "Privacy"). A new table with personal data is one
// line here. Secrets (password hash, TOTP secret, session tokens, passkeys'
// keys, token hashes) are never selected.
var exportSections = []struct{ name, table, query string }{
	{"profile", "users", `SELECT id, email, display_name, role, lang, publish_name, group_name, residence_confirmed,
		birth_year, email_verified, totp_enabled, disabled, created, modified FROM users WHERE id = $1`},
	{"person", "persons", `SELECT p.id, p.family_name, p.given_name, p.title, p.form_of_address, p.affix, p.gender, p.email,
		p.phone, p.created, p.modified FROM persons p JOIN users u ON u.person_id = p.id WHERE u.id = $1`},
	{"memberships", "memberships", `SELECT o.name AS organization, m.role, m.voting_right, m.start_date, m.end_date
		FROM memberships m JOIN organizations o ON o.id = m.organization_id JOIN users u ON u.person_id = m.person_id
		WHERE u.id = $1 AND NOT m.deleted ORDER BY m.start_date`},
	{"logins", "logins", `SELECT id, at, method, user_agent, addr, last_seen FROM logins WHERE user_id = $1 ORDER BY at`},
	{"passkeys", "passkeys", `SELECT id, name, created, last_used, transports, encode(aaguid, 'hex') AS aaguid, user_verified,
		backup_eligible, backup_state FROM passkeys WHERE user_id = $1 ORDER BY created`},
	{"email_verifications", "email_verifications", `SELECT created, expires FROM email_verifications WHERE user_id = $1 ORDER BY created`},
	{"mail_optouts", "mail_optouts", `SELECT o.list, o.created FROM mail_optouts o JOIN users u ON o.address = lower(u.email)
		WHERE u.id = $1 ORDER BY o.created`},
	{"mail", "mail_outbox", `SELECT m.created, m.kind, m.list, m.subject, m.state, m.sent_at FROM mail_outbox m
		JOIN users u ON lower(m.recipient) = lower(u.email) WHERE u.id = $1 ORDER BY m.created`},
	{"initiatives", "initiatives", `SELECT id, kind, paper_type, title, text, reasoning, state, created, modified FROM initiatives
		WHERE author_id = $1 AND NOT deleted ORDER BY created`},
	{"signatures", "initiative_signatures", `SELECT s.initiative_id, i.title, s.signed_at FROM initiative_signatures s
		JOIN initiatives i ON i.id = s.initiative_id WHERE s.user_id = $1 ORDER BY s.signed_at`},
	{"questions", "questions", `SELECT q.id, m.name AS meeting, m.start_at AS meeting_start, q.number, q.text, q.state, q.reason,
		q.note, q.answer_mode, q.answer, q.created, q.answered_at FROM questions q
		JOIN agenda_items i ON i.id = q.item_id JOIN meetings m ON m.id = i.meeting_id
		WHERE q.asker_id = $1 AND NOT q.deleted ORDER BY q.created`},
	{"login_failures", "login_failures", `SELECT f.at FROM login_failures f JOIN users u ON lower(f.account) = lower(u.email)
		WHERE u.id = $1 ORDER BY f.at`},
	{"unsubscribe_links", "mail_unsubscribe_tokens", `SELECT t.list, t.created FROM mail_unsubscribe_tokens t
		JOIN users u ON lower(t.address) = lower(u.email) WHERE u.id = $1 ORDER BY t.created`},
	{"follows", "alert_follows", `SELECT kind, target_id, query, label, frequency, created FROM alert_follows
		WHERE user_id = $1 ORDER BY created`},
	{"alert_feed", "alert_feed_tokens", `SELECT created FROM alert_feed_tokens WHERE user_id = $1`},
	{"childcare_claims", "childcare_claims", `SELECT c.id, m.name AS meeting, m.start_at AS meeting_start, c.minutes, c.amount_cents,
		c.note, c.state, c.reason, c.submitted_at, c.decided_at FROM childcare_claims c JOIN meetings m ON m.id = c.meeting_id
		WHERE c.user_id = $1 ORDER BY c.submitted_at`},
	{"abuse_reports", "abuse_reports", `SELECT id, target_kind, target_id, reason, note, created, resolved_at FROM abuse_reports
		WHERE reporter_id = $1 ORDER BY created`},
}

// ExportSections are the names of the export's sections, in order.
func ExportSections() []string {
	out := make([]string, len(exportSections))
	for i, s := range exportSections {
		out[i] = s.name
	}
	return out
}

// ExportTables are the tables the export reads.
func ExportTables() []string {
	out := make([]string, len(exportSections))
	for i, s := range exportSections {
		out[i] = s.table
	}
	return out
}

// Export is everything Plenar keeps about one user (Art. 15, 20 DSGVO):
// one section per table, each a JSON array of rows.
type Export struct {
	Format    string                     `json:"format"` // "plenar-personal-data/1"
	Generated time.Time                  `json:"generated"`
	UserID    council.ID                 `json:"user_id"`
	Sections  map[string]json.RawMessage `json:"sections"`
}

// ExportFormat names the export's layout.
const ExportFormat = "plenar-personal-data/1"

// Export gathers all personal data of user in one snapshot (a repeatable
// read transaction). An unknown or erased user is ErrNotFound.
func (s *Store) Export(ctx context.Context, user council.ID, now time.Time) (Export, error) {
	out := Export{Format: ExportFormat, Generated: now.UTC(), UserID: user, Sections: map[string]json.RawMessage{}}
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return out, fmt.Errorf("export %s: %w", user, council.TranslateError(err))
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY`); err != nil {
		return out, fmt.Errorf("export %s: %w", user, council.TranslateError(err))
	}
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND erased IS NULL)`, user).Scan(&exists); err != nil {
		return out, fmt.Errorf("export %s: %w", user, council.TranslateError(err))
	}
	if !exists {
		return out, fmt.Errorf("export %s: %w", user, council.ErrNotFound)
	}
	for _, sec := range exportSections {
		var b []byte
		if err := tx.QueryRow(ctx, `SELECT coalesce(jsonb_agg(to_jsonb(t)), '[]'::jsonb) FROM (`+sec.query+`) t`,
			user).Scan(&b); err != nil {
			return out, fmt.Errorf("export %s of %s: %w", sec.name, user, council.TranslateError(err))
		}
		out.Sections[sec.name] = b
	}
	return out, nil
}
