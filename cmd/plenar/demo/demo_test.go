package demo_test

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/cmd/plenar/demo"
	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/migrations/pgtest"
)

func TestSeed(t *testing.T) {
	t.Parallel()
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

	// The seed leaves fresh planner statistics (issue 21: without them the
	// home page served 70 instead of 560 requests/s until autovacuum ran).
	for _, table := range []string{"papers", "meetings", "agenda_items", "consultations", "memberships"} {
		rows := pgtest.Count(t, pool, "SELECT count(*) FROM "+table)
		estimate := pgtest.Count(t, pool, `SELECT reltuples::int FROM pg_class WHERE oid = $1::regclass`, table)
		if rows == 0 || estimate != rows {
			t.Errorf("%s: planner estimate %d rows, table has %d: statistics not refreshed after the seed", table, estimate, rows)
		}
	}

	kinds := map[council.OrgKind][2]int{
		council.KindCouncil: {1, 1}, council.KindCommittee: {6, 6}, council.KindDistrictCouncil: {4, 4},
		council.KindYouthCouncil: {1, 1}, council.KindPartyGroup: {5, 5}, council.KindCommunityGroup: {1, 1},
		council.KindAdministration: {8, 20},
	}
	for k, r := range kinds {
		if n := pgtest.Count(t, pool, `SELECT count(*) FROM organizations WHERE kind = $1`, string(k)); n < r[0] || n > r[1] {
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
		{"question states (Einwohnerfragestunde)", `SELECT count(DISTINCT state) FROM questions`, 5, 5},
		{"rejected questions' reasons", `SELECT count(DISTINCT reason) FROM questions WHERE state = 'rejected'`, 3, 3},
		{"public questions", `SELECT count(*) FROM questions q JOIN question_times t ON t.item_id = q.item_id
			JOIN agenda_items i ON i.id = t.item_id JOIN meetings m ON m.id = i.meeting_id WHERE question_public(q, t, i, m)`, 6, 6},
		{"questions whose asker had the floor (audio) in the live session", `SELECT count(*) FROM questions q JOIN agenda_items i ON i.id = q.item_id
			WHERE i.meeting_id = (SELECT meeting_id FROM live_sessions WHERE closed_at IS NULL) AND q.floor_until > q.floor_from AND question_published(q)`, 1, 1},
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
		// Polls held through the live commands (polls.go), in Sachsen-Anhalt.
		{"bodies voting under ST", `SELECT count(*) FROM bodies WHERE voting_profile = 'ST'`, 1, 1},
		{"open polls", `SELECT count(*) FROM polls WHERE kind = 'open' AND state = 'closed'`, 3, 10},
		{"named polls", `SELECT count(*) FROM polls WHERE kind = 'named' AND state = 'closed'`, 3, 10},
		{"secret polls with receipts", `SELECT count(DISTINCT p.id) FROM polls p JOIN poll_secret_ballots b ON b.poll_id = p.id
			WHERE p.kind = 'secret' AND p.state = 'closed'`, 1, 5},
		{"election with a run-off", `SELECT count(*) FROM polls r1 JOIN polls r2 ON r2.previous_id = r1.id
			WHERE r1.kind = 'election' AND r1.outcome = 'runoff' AND r2.round = 2 AND r2.outcome = 'elected'`, 1, 1},
		{"election ballots on paper", `SELECT count(*) FROM poll_voters v JOIN polls p ON p.id = v.poll_id
			WHERE p.kind = 'election' AND v.via <> 'paper'`, 0, 0},
		{"items with several polls", `SELECT count(*) FROM (SELECT item_id FROM polls GROUP BY item_id HAVING count(*) > 1) x`, 3, 10},
		{"qualified majorities", `SELECT count(*) FROM polls WHERE rule <> 'simple' AND rule <> '' AND state = 'closed'`, 1, 10},
		{"ties", `SELECT count(*) FROM polls WHERE (result->>'tie')::boolean AND outcome = 'rejected'`, 1, 5},
		{"cancelled and repeated polls", `SELECT count(*) FROM polls c JOIN polls r ON r.previous_id = c.id
			WHERE c.state = 'cancelled' AND c.reason <> '' AND r.state = 'closed'`, 1, 1},
		{"conflicted members", `SELECT count(*) FROM polls WHERE conflicted > 0`, 2, 5},
		{"remote ballots", `SELECT count(*) FROM poll_voters WHERE via = 'self'`, 10, 200},
		{"sessions with polls: closed, hybrid on an emergency and in presence", `SELECT count(*) FROM live_sessions s
			JOIN meetings m ON m.id = s.meeting_id WHERE m.state = 'closed' AND s.closed_at IS NOT NULL
			AND ((s.mode = 'hybrid' AND s.legal_basis = 'emergency') OR (s.mode = 'presence' AND s.legal_basis = ''))
			AND EXISTS (SELECT 1 FROM polls p WHERE p.meeting_id = m.id)`, 2, 2},
		// The Beschlusskontrolle (trail.go): records in every status.
		{"open implementations", `SELECT count(*) FROM implementations WHERE status = 'open'`, 20, 1000},
		{"implementations in progress", `SELECT count(*) FROM implementations WHERE status = 'in_progress'`, 20, 1000},
		{"overdue implementations", `SELECT count(*) FROM implementations WHERE status IN ('open', 'in_progress') AND due_date < $1::date`, 5, 1000},
		{"done implementations", `SELECT count(*) FROM implementations WHERE status = 'done'`, 10, 1000},
		{"not implemented with a reason", `SELECT count(*) FROM implementations WHERE status = 'not_implemented' AND reason <> ''`, 3, 100},
		{"public implementations", `SELECT count(*) FROM implementations i JOIN papers p ON p.id = i.paper_id WHERE implementation_public(i, p)`, 50, 2000},
		{"implementations with progress notes", `SELECT count(DISTINCT implementation_id) FROM implementation_notes`, 30, 2000},
		{"implementations with a follow-up paper", `SELECT count(DISTINCT implementation_id) FROM implementation_follow_ups`, 1, 500},
		{"implementation events in the future", `SELECT count(*) FROM implementation_events WHERE at > $1`, 0, 0},
		// Participation (initiatives.go): motions in every state.
		{"draft motions", `SELECT count(*) FROM initiatives WHERE state = 'draft'`, 1, 1},
		{"motions collecting signatures", `SELECT count(*) FROM initiatives i WHERE state = 'collecting' AND initiative_public(i)`, 2, 2},
		{"motions near their threshold", `SELECT count(*) FROM initiatives i WHERE state = 'collecting'
			AND (SELECT count(*) FROM initiative_signatures s WHERE s.initiative_id = i.id) BETWEEN i.threshold * 3 / 4 AND i.threshold - 1`, 1, 1},
		{"submitted motions", `SELECT count(*) FROM initiatives WHERE state = 'submitted'`, 3, 3},
		{"admitted motions with their paper", `SELECT count(*) FROM initiatives i JOIN papers p ON p.id = i.paper_id
			WHERE i.state = 'admitted' AND p.paper_type_name <> '' AND paper_published(p)`, 5, 5},
		{"submitted councillor's inquiry, not public", `SELECT count(*) FROM initiatives i WHERE kind = 'councillor' AND state = 'submitted'
			AND paper_type = 'inquiry' AND NOT initiative_public(i)`, 1, 1},
		{"co-signed councillors' inquiry on a coming council agenda, the two councillors its originators", `SELECT count(*) FROM initiatives i
			JOIN papers p ON p.id = i.paper_id JOIN consultations c ON c.paper_id = i.paper_id
			JOIN agenda_items a ON a.id = c.agenda_item_id JOIN meetings m ON m.id = a.meeting_id
			WHERE i.kind = 'councillor' AND i.state = 'admitted' AND NOT initiative_public(i) AND m.start_at > $1
			AND p.paper_type_name = 'Anfrage von Ratsmitgliedern'
			AND (SELECT count(*) FROM paper_originators o WHERE o.paper_id = p.id AND o.person_id IS NOT NULL) = 2`, 1, 1},
		{"youth council's motion routed to the committee's next agenda, with a due date", `SELECT count(*) FROM initiatives i
			JOIN consultations c ON c.paper_id = i.paper_id JOIN organizations o ON o.id = c.organization_id
			JOIN agenda_items a ON a.id = c.agenda_item_id JOIN meetings m ON m.id = a.meeting_id
			WHERE i.kind = 'youth_council' AND i.state = 'admitted' AND o.short_name = 'SozA' AND m.start_at > $1
			AND i.due_date > $1::date`, 1, 1},
		{"admitted citizens' motion on a coming council agenda", `SELECT count(*) FROM initiatives i JOIN consultations c ON c.paper_id = i.paper_id
			JOIN agenda_items a ON a.id = c.agenda_item_id JOIN meetings m ON m.id = a.meeting_id
			WHERE i.kind = 'citizens' AND i.state = 'admitted' AND m.start_at > $1`, 1, 1},
		{"rejected motions with a reason", `SELECT count(*) FROM initiatives WHERE state = 'rejected' AND reason <> ''`, 1, 1},
		{"withdrawn public motions", `SELECT count(*) FROM initiatives i WHERE state = 'withdrawn' AND initiative_public(i)`, 1, 1},
		{"answered group motions", `SELECT count(*) FROM initiatives WHERE kind <> 'citizens' AND answered_at IS NOT NULL`, 1, 1},
		{"overdue group motions", `SELECT count(*) FROM initiatives WHERE kind <> 'citizens' AND state = 'admitted'
			AND answered_at IS NULL AND due_date < $1::date`, 1, 1},
		{"open abuse reports", `SELECT count(*) FROM abuse_reports WHERE resolved_at IS NULL`, 1, 1},
		{"initiative events in the future", `SELECT count(*) FROM initiative_events WHERE at > $1`, 0, 0},
		{"agenda items whose result the polls wrote", `SELECT count(*) FROM agenda_items i
			WHERE EXISTS (SELECT 1 FROM polls p WHERE p.item_id = i.id) AND (i.result LIKE '%angenommen%' OR i.result LIKE '%gewählt%')`, 5, 10},
		{"the demo citizen's follows, a saved search among them", `SELECT count(*) FROM alert_follows f JOIN users u ON u.id = f.user_id
			WHERE u.email = 'buergerin@musterstadt.example'`, 5, 5},
		{"alert digests in the outbox", `SELECT count(*) FROM mail_outbox WHERE list LIKE 'alert-%' AND recipient = 'buergerin@musterstadt.example'`, 2, 4},
	}
	for _, r := range ranges {
		var args []any
		if strings.Contains(r.query, "$1") {
			args = []any{now}
		}
		if n := pgtest.Count(t, pool, r.query, args...); n < r.min || n > r.max {
			t.Errorf("%s: got %d, want %d..%d", r.name, n, r.min, r.max)
		}
	}
	// One council session runs live: started, its second item called.
	if res.Live == council.NilID {
		t.Fatal("Result.Live is empty, want the meeting running live")
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM meetings WHERE state = 'running'`); n != 1 {
		t.Errorf("running meetings: %d, want 1", n)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM live_sessions s JOIN meetings m ON m.id = s.meeting_id
		JOIN agenda_items i ON i.id = s.item_id JOIN organizations o ON o.id = ANY (SELECT organization_id FROM meeting_organizations mo WHERE mo.meeting_id = m.id)
		WHERE s.meeting_id = $1 AND s.closed_at IS NULL AND m.state = 'running' AND o.kind = 'council' AND i.public
		AND m.start_at < $2 AND m.start_at > $2 - interval '1 hour' AND s.mode = 'hybrid' AND s.legal_basis = 'emergency'`, res.Live, now); n != 1 {
		t.Errorf("live session of %s: %d rows, want one open hybrid council session (on an emergency, as ST requires) that began within the hour before the seed, at a public item", res.Live, n)
	}
	// Its room is filled by the roll call, and three members wait to
	// speak, one moved ahead by the chair.
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM live_presence WHERE meeting_id = $1 AND mode = 'room'`, res.Live); n < 10 {
		t.Errorf("live session: %d members in the room, want the roll call's", n)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM live_speakers WHERE meeting_id = $1 AND granted_at IS NULL AND ended_at IS NULL`, res.Live); n != 3 {
		t.Errorf("live session: %d waiting requests to speak, want 3", n)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM live_speakers WHERE meeting_id = $1 AND place > 0`, res.Live); n != 2 {
		t.Errorf("live session: %d requests in the chair's order, want 2 (the point of order stays first)", n)
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

	before := pgtest.Count(t, pool, `SELECT count(*) FROM audit`)
	again, err := demo.SeedWith(ctx, pool, log, demo.Options{Now: now})
	if err != nil {
		t.Fatalf("second Seed: %v", err)
	}
	if again.Seeded || len(again.Logins) == 0 {
		t.Errorf("second Seed: Seeded = %t with %d logins, want false with the logins", again.Seeded, len(again.Logins))
	}
	if after := pgtest.Count(t, pool, `SELECT count(*) FROM audit`); after != before {
		t.Errorf("second Seed wrote %d audit rows, want 0", after-before)
	}
}

// TestSeedDocuments seeds a smaller city (four months of meetings) and
// its documents into a real documents store: every paper has its PDF with
// its title in the text, some papers have a cost breakdown, a site plan or
// a scanned letter, every meeting whose invitation went out has it, every
// meeting that took place has its minutes, the files of non-public
// papers are not public, a second run adds nothing, and the extraction
// worker gets text out of each kind of file, OCR included.
func TestSeedDocuments(t *testing.T) {
	t.Parallel()
	if missing := documents.MissingTools(context.Background()); len(missing) > 0 {
		pgtest.Unavailable(t, "missing tools: "+strings.Join(missing, ", ")+" (Debian: poppler-utils tesseract-ocr tesseract-ocr-deu)")
	}
	if _, err := documents.NewRenderer(""); err != nil {
		pgtest.Unavailable(t, err.Error())
	}
	pool := pgtest.New(t)
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	now := time.Date(2026, 3, 18, 10, 0, 0, 0, time.UTC)
	if _, err := demo.SeedWith(ctx, pool, log, demo.Options{Now: now, Months: 2}); err != nil {
		t.Fatalf("Seed: %v", err)
	}
	fs := documents.NewStore(pool, t.TempDir(), documents.Limits{})
	start := time.Now()
	got, err := demo.SeedDocuments(ctx, pool, fs, log, demo.DocOptions{Now: now})
	if err != nil {
		t.Fatalf("SeedDocuments: %v", err)
	}
	// The recorded session: three chapters of public items of the latest
	// meeting that took place, played from the content-addressed store;
	// a second run adds nothing.
	for run, want := range []int{3, 0} {
		n, err := demo.SeedRecording(ctx, pool, fs)
		if err != nil || n != want {
			t.Fatalf("SeedRecording run %d: %d, %v; want %d", run+1, n, err, want)
		}
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM recordings r JOIN agenda_items i ON i.id = r.agenda_item_id
		JOIN meetings m ON m.id = i.meeting_id WHERE agenda_item_public(i, m) AND m.state = 'closed'`); n != 3 {
		t.Errorf("recorded chapters of public items: %d, want 3", n)
	}
	var recorded council.ID
	if err := pool.QueryRow(ctx, `SELECT meeting_id FROM recordings LIMIT 1`).Scan(&recorded); err != nil {
		t.Fatal(err)
	}
	recs, err := fs.Recordings(ctx, recorded, false)
	if err != nil || len(recs) != 3 {
		t.Fatalf("public recordings: %d, %v", len(recs), err)
	}
	if f, err := fs.OpenRecording(recs[1]); err != nil {
		t.Errorf("second chapter's file: %v", err)
	} else {
		f.Close()
	}
	papers := pgtest.Count(t, pool, `SELECT count(*) FROM papers`)
	t.Logf("documents for %d papers took %s: %+v", papers, time.Since(start).Round(time.Millisecond), got)
	if got.Papers != papers || got.Tables == 0 || got.Plans == 0 || got.Scans != 6 || got.Invitations == 0 || got.Minutes == 0 {
		t.Errorf("counts = %+v, want a PDF for each of %d papers, tables, plans, 6 scans, invitations and minutes", got, papers)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM files`); n != got.Files() {
		t.Errorf("%d file rows, want %d", n, got.Files())
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM file_text_jobs WHERE status = 'pending'`); n != got.Files() {
		t.Errorf("%d pending extraction jobs, want one per file (%d)", n, got.Files())
	}

	ranges := []struct {
		name     string
		query    string
		min, max int
	}{
		{"papers without one main PDF", `SELECT count(*) FROM papers p WHERE (SELECT count(*) FROM paper_files l
			JOIN files f ON f.id = l.file_id WHERE l.paper_id = p.id AND l.role = 'main' AND f.mime_type = 'application/pdf') <> 1`, 0, 0},
		{"cost breakdowns", `SELECT count(*) FROM files f JOIN paper_files l ON l.file_id = f.id
			WHERE l.role = 'auxiliary' AND f.file_name = 'kostenaufstellung.pdf' AND f.mime_type = 'application/pdf'`, 1, 1000},
		{"site plans", `SELECT count(*) FROM files f JOIN paper_files l ON l.file_id = f.id
			WHERE l.role = 'auxiliary' AND f.file_name = 'lageplan.pdf' AND f.mime_type = 'application/pdf'`, 1, 1000},
		{"scans as PNG", `SELECT count(*) FROM files f JOIN paper_files l ON l.file_id = f.id
			WHERE l.role = 'auxiliary' AND f.mime_type = 'image/png'`, 3, 3},
		{"scans as JPEG", `SELECT count(*) FROM files f JOIN paper_files l ON l.file_id = f.id
			WHERE l.role = 'auxiliary' AND f.mime_type = 'image/jpeg'`, 3, 3},
		{"published meetings", `SELECT count(*) FROM meetings WHERE state <> 'planned'`, 20, 1000},
		{"published meetings without invitation", `SELECT count(*) FROM meetings m WHERE m.state <> 'planned'
			AND NOT EXISTS (SELECT 1 FROM meeting_files l JOIN files f ON f.id = l.file_id
				WHERE l.meeting_id = m.id AND l.role = 'invitation' AND f.mime_type = 'application/pdf' AND f.public)`, 0, 0},
		{"planned meetings with invitation", `SELECT count(*) FROM meetings m JOIN meeting_files l ON l.meeting_id = m.id
			WHERE m.state = 'planned'`, 0, 0},
		{"past meetings", `SELECT count(*) FROM meetings WHERE state = 'closed' AND NOT cancelled`, 20, 1000},
		{"approved minutes (Plenar)", `SELECT count(*) FROM minutes WHERE state = 'approved' AND hash <> ''`, 1, 1},
		{"approved minutes published", `SELECT count(*) FROM minutes x JOIN meeting_files l ON l.meeting_id = x.meeting_id
			JOIN files f ON f.id = l.file_id WHERE x.state = 'approved' AND l.role = 'results_protocol' AND f.public`, 1, 1},
		{"draft minutes with the clerk's edits", `SELECT count(DISTINCT x.meeting_id) FROM minutes x JOIN minutes_edits e ON e.meeting_id = x.meeting_id
			WHERE x.state = 'draft'`, 1, 10},
		{"draft minutes published", `SELECT count(*) FROM minutes x JOIN meeting_files l ON l.meeting_id = x.meeting_id
			WHERE x.state = 'draft' AND l.role = 'results_protocol'`, 0, 0},
		{"past meetings without minutes (other than a live session's draft)", `SELECT count(*) FROM meetings m WHERE m.state = 'closed' AND NOT m.cancelled
			AND NOT EXISTS (SELECT 1 FROM minutes x WHERE x.meeting_id = m.id AND x.state = 'draft')
			AND NOT EXISTS (SELECT 1 FROM meeting_files l JOIN files f ON f.id = l.file_id
				WHERE l.meeting_id = m.id AND l.role = 'results_protocol' AND f.mime_type = 'application/pdf' AND f.public)`, 0, 0},
		{"non-public papers with files", `SELECT count(DISTINCT p.id) FROM papers p JOIN paper_files l ON l.paper_id = p.id
			WHERE NOT p.public`, 1, 1000},
		{"files of non-public papers marked public", `SELECT count(*) FROM papers p JOIN paper_files l ON l.paper_id = p.id
			JOIN files f ON f.id = l.file_id WHERE NOT p.public AND f.public`, 0, 0},
		{"files of public papers not marked public", `SELECT count(*) FROM papers p JOIN paper_files l ON l.paper_id = p.id
			JOIN files f ON f.id = l.file_id WHERE p.public AND NOT f.public`, 0, 0},
	}
	for _, r := range ranges {
		if n := pgtest.Count(t, pool, r.query); n < r.min || n > r.max {
			t.Errorf("%s: got %d, want %d..%d", r.name, n, r.min, r.max)
		}
	}

	// Visibility as the portal, OParl and search decide it (Access).
	rows, err := pool.Query(ctx, `SELECT l.file_id, paper_published(p) FROM paper_files l JOIN papers p ON p.id = l.paper_id`)
	if err != nil {
		t.Fatal(err)
	}
	type link struct {
		file   council.ID
		public bool
	}
	links, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (link, error) {
		var l link
		return l, r.Scan(&l.file, &l.public)
	})
	if err != nil {
		t.Fatal(err)
	}
	hidden := 0
	for _, l := range links {
		acc, err := fs.Access(ctx, l.file)
		if err != nil {
			t.Fatal(err)
		}
		if acc.Public != l.public {
			t.Errorf("file %s: Access public = %t, want %t (its paper's visibility)", l.file, acc.Public, l.public)
		}
		if !acc.Public {
			hidden++
		}
	}
	if hidden == 0 {
		t.Error("no paper file is hidden from the public; the demo should have non-public papers with files")
	}

	// Every paper's main file is a PDF with the paper's title in its text.
	rows, err = pool.Query(ctx, `SELECT p.name, f.sha512 FROM papers p JOIN paper_files l ON l.paper_id = p.id AND l.role = 'main'
		JOIN files f ON f.id = l.file_id ORDER BY p.date DESC`)
	if err != nil {
		t.Fatal(err)
	}
	type titled struct{ title, sum string }
	mains, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (titled, error) {
		var x titled
		return x, r.Scan(&x.title, &x.sum)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(mains) != papers {
		t.Errorf("%d main files, want %d", len(mains), papers)
	}
	bad := 0
	for _, m := range mains {
		path, err := fs.Blobs().Path(m.sum)
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftotext", "-enc", "UTF-8", "-q", path, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext %s: %v", path, err)
		}
		// Long words are cut for the layout and lines broken: compare
		// without whitespace.
		if !strings.Contains(tight(string(out)), tight(m.title)) && bad < 5 {
			bad++
			t.Errorf("the PDF of %q lacks its title; text: %.500s", m.title, out)
		}
	}

	// A second run finds nothing missing.
	again, err := demo.SeedDocuments(ctx, pool, fs, log, demo.DocOptions{Now: now})
	if err != nil || again.Files() != 0 {
		t.Errorf("second SeedDocuments = %+v, %v; want nothing stored", again, err)
	}
	// A run stopped after a paper's main file, before its cost breakdown:
	// the next run adds the cost breakdown only. A main file a user
	// deleted stays deleted.
	var cut, gone council.ID
	if err := pool.QueryRow(ctx, `SELECT l.paper_id FROM paper_files l JOIN files f ON f.id = l.file_id
		WHERE f.file_name = 'kostenaufstellung.pdf' LIMIT 1`).Scan(&cut); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `WITH table_file AS (DELETE FROM paper_files l USING files f
			WHERE f.id = l.file_id AND l.paper_id = $1 AND f.file_name = 'kostenaufstellung.pdf' RETURNING l.file_id),
		jobs AS (DELETE FROM file_text_jobs WHERE file_id IN (SELECT file_id FROM table_file))
		DELETE FROM files WHERE id IN (SELECT file_id FROM table_file)`, cut); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT file_id FROM paper_files WHERE role = 'main' AND paper_id <> $1 LIMIT 1`, cut).Scan(&gone); err != nil {
		t.Fatal(err)
	}
	if err := fs.Delete(ctx, gone); err != nil {
		t.Fatal(err)
	}
	resumed, err := demo.SeedDocuments(ctx, pool, fs, log, demo.DocOptions{Now: now})
	if err != nil || resumed != (demo.DocCounts{Tables: 1}) {
		t.Errorf("SeedDocuments after an interruption = %+v, %v; want the one cost breakdown", resumed, err)
	}
	for _, name := range []string{"kostenaufstellung.pdf", "%.pdf"} {
		role := map[string]string{"kostenaufstellung.pdf": "auxiliary", "%.pdf": "main"}[name]
		if n := pgtest.Count(t, pool, `SELECT count(*) FROM paper_files l JOIN files f ON f.id = l.file_id
			WHERE l.paper_id = $1 AND l.role = $2 AND f.file_name LIKE $3`, cut, role, name); n != 1 {
			t.Errorf("%d files %s (%s) after resuming, want 1", n, name, role)
		}
	}

	t.Run("extraction", func(t *testing.T) {
		// One file of each kind, the PNG scan for OCR; the other jobs wait.
		var ids []council.ID
		for _, q := range []string{
			`SELECT l.file_id FROM paper_files l JOIN papers p ON p.id = l.paper_id WHERE l.role = 'main' ORDER BY p.date DESC LIMIT 1`,
			`SELECT file_id FROM paper_files l JOIN files f ON f.id = l.file_id WHERE f.file_name = 'kostenaufstellung.pdf' LIMIT 1`,
			`SELECT file_id FROM paper_files l JOIN files f ON f.id = l.file_id WHERE f.file_name = 'lageplan.pdf' LIMIT 1`,
			`SELECT file_id FROM paper_files l JOIN files f ON f.id = l.file_id WHERE f.mime_type = 'image/png' LIMIT 1`,
			`SELECT file_id FROM meeting_files WHERE role = 'invitation' LIMIT 1`,
			`SELECT file_id FROM meeting_files WHERE role = 'results_protocol' LIMIT 1`,
		} {
			var id council.ID
			if err := pool.QueryRow(ctx, q).Scan(&id); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			ids = append(ids, id)
		}
		if _, err := pool.Exec(ctx, `UPDATE file_text_jobs SET run_after = now() + interval '1 day'
			WHERE file_id <> ALL($1)`, ids); err != nil {
			t.Fatal(err)
		}
		w := &documents.Worker{Store: fs}
		for range ids {
			if did, err := w.RunOnce(ctx); !did || err != nil {
				t.Fatalf("RunOnce = %t, %v; want a job done", did, err)
			}
		}
		wants := [][]string{{"Sachverhalt"}, {"Kostenaufstellung", "Gesamtkosten", "Risikozuschlag"},
			{"Lageplan", "Kartengrundlage"}, {"Musterstadt", "Oberbürgermeisterin", "Mit freundlichen Grüßen"},
			{"Einladung", "Tagesordnung", "Öffentlicher Teil"}, {"Niederschrift", "Anwesenheit", "Ergebnis"}}
		methods := []string{"pdftotext", "pdftotext", "pdftotext", "ocr", "pdftotext", "pdftotext"}
		for i, id := range ids {
			f, err := fs.File(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			j, err := fs.Job(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if !f.HasText || j.Status != documents.JobDone || j.Method != methods[i] {
				t.Errorf("%s: text %t, job %+v; want text by %s", f.FileName, f.HasText, j, methods[i])
			}
			text, _, err := fs.Text(ctx, id, documents.DefaultMaxText)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range wants[i] {
				if !strings.Contains(tight(text), tight(w)) {
					t.Errorf("%s: text lacks %q: %.600s", f.FileName, w, text)
				}
			}
		}
	})
}

// tight drops all whitespace.
func tight(s string) string {
	return strings.Join(strings.Fields(s), "")
}
