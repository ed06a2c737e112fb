package privacy_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Fixed ids of the fixture (SQL below).
const (
	bodyID      = "00000000-0000-0000-0000-0000000000b0"
	userV       = "00000000-0000-0000-0000-0000000000c1" // verified citizen, old
	signerA     = "00000000-0000-0000-0000-0000000000c2"
	signerB     = "00000000-0000-0000-0000-0000000000c3"
	initA       = "00000000-0000-0000-0000-0000000000a1" // admitted long ago: signatures expire
	initB       = "00000000-0000-0000-0000-0000000000a2" // collecting
	initC       = "00000000-0000-0000-0000-0000000000a3" // admitted lately
	meetingOld  = "00000000-0000-0000-0000-0000000000d1" // minutes approved long ago
	meetingNew  = "00000000-0000-0000-0000-0000000000d2" // minutes approved lately
	itemOld     = "00000000-0000-0000-0000-0000000000e1"
	itemNew     = "00000000-0000-0000-0000-0000000000e2"
	personID    = "00000000-0000-0000-0000-0000000000f1"
	paperA      = "00000000-0000-0000-0000-000000000101"
	paperC      = "00000000-0000-0000-0000-000000000103"
	expiredMark = "expired" // every row the retention must change contains it (or is listed in expectedIDs)
)

// retentionFixture has, for every data class, rows past their period
// (marked "expired", or named by id) and rows within it, and the legal
// record of two meetings (minutes, attendance, presence).
const retentionFixture = `
INSERT INTO bodies (id, name) VALUES ('` + bodyID + `', 'Musterstadt');
INSERT INTO persons (id, body_id, family_name, given_name) VALUES ('` + personID + `', '` + bodyID + `', 'Rat', 'Rita');

-- unverified accounts
INSERT INTO users (email, password_hash, role, email_verified, created) VALUES
  ('expired-unverified@example.org', 'x', 'citizen', NULL, now() - interval '400 days'),
  ('fresh-unverified@example.org', 'x', 'citizen', NULL, now() - interval '1 hour');
INSERT INTO users (id, email, password_hash, role, created) VALUES
  ('` + userV + `', 'verified@example.org', 'x', 'citizen', now() - interval '400 days'),
  ('` + signerA + `', 'signer-a@example.org', 'x', 'citizen', now() - interval '400 days'),
  ('` + signerB + `', 'signer-b@example.org', 'x', 'citizen', now() - interval '400 days');
INSERT INTO email_verifications (token_hash, user_id, expires, created) VALUES
  ('expired-link'::bytea, '` + userV + `', now() - interval '396 days', now() - interval '399 days');
INSERT INTO email_verifications (token_hash, user_id, expires, created)
  SELECT 'fresh-link'::bytea, id, now() + interval '2 days', now() - interval '1 hour' FROM users WHERE email = 'fresh-unverified@example.org';

-- logins and sessions
INSERT INTO logins (user_id, at, method, user_agent, addr, last_seen) VALUES
  ('` + userV + `', now() - interval '100 days', 'password', 'expired Firefox', '192.0.2.0/24', now() - interval '100 days'),
  ('` + userV + `', now() - interval '1 day', 'password', 'Firefox, Linux', '192.0.2.0/24', now() - interval '1 day');
INSERT INTO sessions (token, data, expiry) VALUES
  ('expired-session', '\x00', now() - interval '1 minute'),
  ('live-session', '\x00', now() + interval '1 hour');

-- client addresses
INSERT INTO login_failures (account, addr, at) VALUES
  ('expired@example.org', '198.51.100.1', now() - interval '2 days'),
  ('someone@example.org', '198.51.100.2', now() - interval '1 hour');
INSERT INTO account_requests (addr, at) VALUES
  ('expired-203.0.113.1', now() - interval '2 days'),
  ('203.0.113.2', now() - interval '1 hour');

-- signatures
INSERT INTO papers (id, body_id, name, paper_type) VALUES
  ('` + paperA + `', '` + bodyID + `', 'Einwohnerantrag A', 'citizens_motion'),
  ('` + paperC + `', '` + bodyID + `', 'Einwohnerantrag C', 'citizens_motion');
INSERT INTO initiatives (id, body_id, kind, author_id, title, text, state, paper_id, deadline) VALUES
  ('` + initA + `', '` + bodyID + `', 'citizens', '` + userV + `', 'Antrag A', 'Text A', 'admitted', '` + paperA + `', NULL),
  ('` + initB + `', '` + bodyID + `', 'citizens', '` + userV + `', 'Antrag B', 'Text B', 'collecting', NULL, current_date + 30),
  ('` + initC + `', '` + bodyID + `', 'citizens', '` + userV + `', 'Antrag C', 'Text C', 'admitted', '` + paperC + `', NULL);
INSERT INTO initiative_events (initiative_id, at, state) VALUES
  ('` + initA + `', now() - interval '500 days', 'collecting'),
  ('` + initA + `', now() - interval '400 days', 'admitted'),
  ('` + initB + `', now() - interval '10 days', 'collecting'),
  ('` + initC + `', now() - interval '500 days', 'collecting'),
  ('` + initC + `', now() - interval '10 days', 'admitted');
INSERT INTO initiative_signatures (initiative_id, user_id, signed_at) VALUES
  ('` + initA + `', '` + signerA + `', now() - interval '450 days'),
  ('` + initA + `', '` + signerB + `', now() - interval '450 days'),
  ('` + initB + `', '` + signerA + `', now() - interval '5 days'),
  ('` + initC + `', '` + signerA + `', now() - interval '450 days');

-- meetings, their question times, minutes and live records
INSERT INTO meetings (id, body_id, name, start_at, state) VALUES
  ('` + meetingOld + `', '` + bodyID + `', 'Rat 2025', now() - interval '500 days', 'closed'),
  ('` + meetingNew + `', '` + bodyID + `', 'Rat 2026', now() - interval '20 days', 'closed');
INSERT INTO agenda_items (id, meeting_id, position, number, name) VALUES
  ('` + itemOld + `', '` + meetingOld + `', 1, '1', 'Einwohnerfragestunde'),
  ('` + itemNew + `', '` + meetingNew + `', 1, '1', 'Einwohnerfragestunde');
INSERT INTO question_times (item_id) VALUES ('` + itemOld + `'), ('` + itemNew + `');
INSERT INTO questions (item_id, asker_id, number, text, norm, state, answer_mode, answer, answered_at, modified, reason, published_at) VALUES
  ('` + itemOld + `', '` + userV + `', 1, 'expired answered question', 'a1', 'answered', 'written', 'Antwort', now() - interval '400 days', now() - interval '400 days', '', now() - interval '450 days'),
  ('` + itemOld + `', '` + userV + `', 2, 'expired rejected question', 'a2', 'rejected', '', '', NULL, now() - interval '400 days', 'offensive', NULL),
  ('` + itemOld + `', '` + userV + `', 3, 'published question still waiting', 'a3', 'published', '', '', NULL, now() - interval '1 day', '', now() - interval '450 days'),
  ('` + itemNew + `', '` + userV + `', 1, 'answered question within its period', 'b1', 'answered', 'written', 'Antwort', now() - interval '10 days', now() - interval '10 days', '', now() - interval '20 days');
UPDATE questions SET note = 'expired note' WHERE number = 2 AND item_id = '` + itemOld + `';
INSERT INTO questions (item_id, asker_id, number, text, norm, state, note, modified) VALUES
  ('` + itemNew + `', '` + userV + `', 2, 'submitted question with a note', 'b2', 'submitted', 'kept note', now() - interval '400 days');
INSERT INTO questions (item_id, asker_id, number, text, norm, state, note, modified, published_at) VALUES
  ('` + itemOld + `', '` + userV + `', 4, 'published question with an expired moderator note', 'a4', 'published', 'note', now() - interval '400 days', now() - interval '450 days');
INSERT INTO minutes (meeting_id, state, approved_at, frozen, hash, public_hash) VALUES
  ('` + meetingOld + `', 'approved', now() - interval '400 days', '{"attendance": ["Rita Rat"]}', 'h1', 'p1'),
  ('` + meetingNew + `', 'approved', now() - interval '5 days', '{"attendance": ["Rita Rat"]}', 'h2', 'p2');
INSERT INTO live_sessions (meeting_id, statutory_seats, closed_at) VALUES
  ('` + meetingOld + `', 1, now() - interval '500 days'), ('` + meetingNew + `', 1, now() - interval '20 days');
INSERT INTO live_roster (meeting_id, person_id, name, voting, position) VALUES
  ('` + meetingOld + `', '` + personID + `', 'Rita Rat', true, 1), ('` + meetingNew + `', '` + personID + `', 'Rita Rat', true, 1);
INSERT INTO live_presence (meeting_id, person_id, mode, since) VALUES
  ('` + meetingOld + `', '` + personID + `', 'remote', now() - interval '500 days'),
  ('` + meetingNew + `', '` + personID + `', 'remote', now() - interval '20 days');
INSERT INTO live_attendance (meeting_id, person_id, mode, at, via) VALUES
  ('` + meetingOld + `', '` + personID + `', 'remote', now() - interval '500 days', 'system'),
  ('` + meetingNew + `', '` + personID + `', 'remote', now() - interval '20 days', 'system');
INSERT INTO live_media (meeting_id, person_id, epoch, connected, at) VALUES
  ('` + meetingOld + `', '` + personID + `', 1, false, now() - interval '500 days'),
  ('` + meetingNew + `', '` + personID + `', 1, false, now() - interval '20 days');

-- the votes of the old meeting (a named poll, closed long ago)
INSERT INTO polls (id, meeting_id, item_id, position, kind, question, rule, profile, state, remote, statutory, present,
    conflicted, eligible, opened_at, closed_at, yes, no, abstain, invalid, ballots, outcome) VALUES
  ('00000000-0000-0000-0000-000000000301', '` + meetingOld + `', '` + itemOld + `', 1, 'named', 'Beschluss', 'simple', 'NW',
   'closed', true, 1, 1, 0, 1, now() - interval '500 days', now() - interval '500 days', 1, 0, 0, 0, 1, 'adopted');
INSERT INTO poll_eligible (poll_id, person_id, name, mode, position) VALUES
  ('00000000-0000-0000-0000-000000000301', '` + personID + `', 'Rita Rat', 'remote', 1);
INSERT INTO poll_voters (poll_id, person_id, via) VALUES ('00000000-0000-0000-0000-000000000301', '` + personID + `', 'self');
INSERT INTO poll_choices (poll_id, person_id, choice, via, at) VALUES
  ('00000000-0000-0000-0000-000000000301', '` + personID + `', '{yes}', 'self', now() - interval '500 days');

-- moderation
INSERT INTO abuse_reports (target_kind, target_id, reason, note, reporter_id, created, resolved_at, resolution) VALUES
  ('initiative', '` + initA + `', 'spam', 'expired report', '` + userV + `', now() - interval '450 days', now() - interval '400 days', 'done'),
  ('initiative', '` + initA + `', 'spam', 'resolved lately', '` + userV + `', now() - interval '20 days', now() - interval '10 days', 'done'),
  ('initiative', '` + initA + `', 'spam', 'still open', '` + userV + `', now() - interval '450 days', NULL, '');

-- childcare claims: decided twelve years ago (expired), decided lately,
-- and one still waiting for its decision
INSERT INTO persons (id, body_id, family_name, given_name) VALUES ('00000000-0000-0000-0000-0000000000f2', '` + bodyID + `', 'Rat', 'Rolf');
INSERT INTO childcare_claims (meeting_id, person_id, user_id, minutes, amount_cents, note, state, submitted_at, decided_at) VALUES
  ('` + meetingOld + `', '` + personID + `', '` + userV + `', 180, 4500, 'expired claim', 'approved', now() - interval '12 years', now() - interval '12 years'),
  ('` + meetingNew + `', '` + personID + `', '` + userV + `', 120, 3000, 'decided lately', 'approved', now() - interval '2 years', now() - interval '2 years'),
  ('` + meetingOld + `', '00000000-0000-0000-0000-0000000000f2', '` + userV + `', 60, 1500, 'still waiting', 'submitted', now() - interval '12 years', NULL);

-- mail
INSERT INTO mail_outbox (message_id, recipient, lang, kind, subject, body_text, state, created) VALUES
  ('m1@x', 'verified@example.org', 'de', 'transactional', 'expired sent', 'b', 'sent', now() - interval '40 days'),
  ('m2@x', 'verified@example.org', 'de', 'transactional', 'sent lately', 'b', 'sent', now() - interval '1 day'),
  ('m3@x', 'verified@example.org', 'de', 'transactional', 'queued long', 'b', 'queued', now() - interval '40 days');
`

// seedRetention loads retentionFixture into pool.
func seedRetention(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), retentionFixture); err != nil {
		t.Fatalf("fixture: %v", err)
	}
}
