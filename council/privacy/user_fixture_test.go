package privacy_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

const (
	zoraID    = "00000000-0000-0000-0000-0000000002a1" // the user with data in every table
	otherID   = "00000000-0000-0000-0000-0000000002a2" // another user, who keeps hers
	zoraInit  = "00000000-0000-0000-0000-0000000002b1" // Zora's public motion
	zoraDraft = "00000000-0000-0000-0000-0000000002b2"
	zoraItem  = "00000000-0000-0000-0000-0000000002c1"
	zoraMeet  = "00000000-0000-0000-0000-0000000002c2"
	zoraPers  = "00000000-0000-0000-0000-0000000002d1"
	zoraOrg   = "00000000-0000-0000-0000-0000000002d2"
	zoraBody  = "00000000-0000-0000-0000-0000000002d3"
)

// The markers of Zora's personal data: her name, group, address, the
// network and device she logged in from, her passkey's name.
var zoraMarkers = []string{"Zimtstern", "zora.zimt@example.org", "Zimtfreunde", "Zoras Laptop", "Zimt-Browser", "203.0.113.0/24"}

// userFixture: Zora, with a row in every table that keeps personal data
// of a user, and Olga, another citizen.
const userFixture = `
INSERT INTO bodies (id, name) VALUES ('` + zoraBody + `', 'Musterstadt');
INSERT INTO organizations (id, body_id, name, kind) VALUES ('` + zoraOrg + `', '` + zoraBody + `', 'Jugendrat', 'youth_council');
INSERT INTO persons (id, body_id, family_name, given_name, email) VALUES ('` + zoraPers + `', '` + zoraBody + `', 'Zimtstern', 'Zora', 'zora.zimt@example.org');
INSERT INTO memberships (person_id, organization_id, role) VALUES ('` + zoraPers + `', '` + zoraOrg + `', 'Mitglied');
INSERT INTO users (id, email, display_name, password_hash, role, group_name, residence_confirmed, birth_year, publish_name, totp_secret, person_id) VALUES
  ('` + zoraID + `', 'zora.zimt@example.org', 'Zora Zimtstern', 'argon2-SECRET-HASH', 'citizen', 'Zimtfreunde', now(), 2001, true, 'TOTPSECRET', '` + zoraPers + `'),
  ('` + otherID + `', 'olga@example.org', 'Olga Ohnesorg', 'x', 'citizen', '', now(), NULL, true, '', NULL);
INSERT INTO logins (user_id, method, user_agent, addr, session_token) VALUES
  ('` + zoraID + `', 'password', 'Zimt-Browser, Linux', '203.0.113.0/24', 'zora-session-token'),
  ('` + otherID + `', 'password', 'Firefox, Linux', '198.51.100.0/24', 'olga-session-token');
INSERT INTO sessions (token, data, expiry) VALUES ('zora-session-token', '\x00', now() + interval '1 hour'),
  ('olga-session-token', '\x00', now() + interval '1 hour');
INSERT INTO passkeys (user_id, credential_id, public_key, name) VALUES ('` + zoraID + `', '\x01', 'PUBLICKEY'::bytea, 'Zoras Laptop');
INSERT INTO email_verifications (token_hash, user_id, expires) VALUES ('\x0102', '` + zoraID + `', now() + interval '1 day');
INSERT INTO login_failures (account, addr) VALUES ('zora.zimt@example.org', '203.0.113.9');
INSERT INTO mail_optouts (address, list) VALUES ('zora.zimt@example.org', 'member_agenda_changes');
INSERT INTO mail_unsubscribe_tokens (token_hash, address, list) VALUES ('\x0a0b', 'zora.zimt@example.org', 'member_agenda_changes');
INSERT INTO mail_outbox (message_id, recipient, lang, kind, subject, body_text) VALUES
  ('z1@x', 'zora.zimt@example.org', 'de', 'transactional', 'Hallo Zora Zimtstern', 'Liebe Zora Zimtstern'),
  ('o1@x', 'olga@example.org', 'de', 'transactional', 'Hallo Olga', 'Liebe Olga');
INSERT INTO initiatives (id, body_id, kind, author_id, title, text, state, deadline) VALUES
  ('` + zoraInit + `', '` + zoraBody + `', 'citizens', '` + zoraID + `', 'Mehr Bänke am Fluss', 'Wir beantragen Bänke.', 'collecting', current_date + 30),
  ('` + zoraDraft + `', '` + zoraBody + `', 'citizens', '` + zoraID + `', 'Entwurf von Zora Zimtstern', 'privat', 'draft', NULL);
INSERT INTO initiative_events (initiative_id, state) VALUES ('` + zoraInit + `', 'collecting');
INSERT INTO initiative_signatures (initiative_id, user_id) VALUES ('` + zoraInit + `', '` + zoraID + `'), ('` + zoraInit + `', '` + otherID + `');
INSERT INTO meetings (id, body_id, name, start_at) VALUES ('` + zoraMeet + `', '` + zoraBody + `', 'Rat', now() + interval '10 days');
INSERT INTO agenda_items (id, meeting_id, position, name) VALUES ('` + zoraItem + `', '` + zoraMeet + `', 1, 'Einwohnerfragestunde');
INSERT INTO question_times (item_id) VALUES ('` + zoraItem + `');
INSERT INTO questions (item_id, asker_id, number, text, norm, state, published_at) VALUES
  ('` + zoraItem + `', '` + zoraID + `', 1, 'Wann kommen die Bänke?', 'q1', 'published', now());
INSERT INTO questions (item_id, asker_id, number, text, norm, state, note) VALUES
  ('` + zoraItem + `', '` + zoraID + `', 2, 'Ich, Zora Zimtstern, frage privat', 'q2', 'submitted', 'Notiz an Zimtstern');
INSERT INTO alert_follows (user_id, kind, query, label, frequency) VALUES
  ('` + zoraID + `', 'search', 'q=zimtstern-radweg', 'Zimtstern-Radweg', 'weekly');
INSERT INTO alert_follows (user_id, kind, target_id, frequency) VALUES ('` + zoraID + `', 'organization', '` + zoraOrg + `', 'daily');
INSERT INTO alert_feed_tokens (user_id, token_hash) VALUES ('` + zoraID + `', '\x0c0d');
INSERT INTO abuse_reports (target_kind, target_id, reason, note, reporter_id) VALUES
  ('initiative', '` + zoraInit + `', 'spam', 'gemeldet von Zora', '` + zoraID + `');
INSERT INTO childcare_claims (meeting_id, person_id, user_id, minutes, amount_cents, note, state, submitted_at) VALUES
  ('` + zoraMeet + `', '` + zoraPers + `', '` + zoraID + `', 150, 3750, 'Babysitterin für Zimtstern', 'submitted', now());
`

func seedUsers(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), userFixture); err != nil {
		t.Fatalf("fixture: %v", err)
	}
}
