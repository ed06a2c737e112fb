package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/migrations/pgtest"
)

// BenchmarkPortal measures the public pages on demo-sized data (2,700
// papers, 450 meetings with 10 agenda items each, 100 persons), seeded
// with bulk SQL. Run: go test -run '^$' -bench Portal -benchtime 50x ./web
func BenchmarkPortal(b *testing.B) {
	ctx := context.Background()
	pool := pgtest.New(b)
	srv, err := New(Options{Pool: pool, Version: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	b.Cleanup(ts.Close)
	cs := council.NewStore(pool)
	body, err := cs.CreateBody(ctx, council.Body{Name: "Stadt Musterstadt"})
	if err != nil {
		b.Fatal(err)
	}
	rat, err := cs.SaveOrganization(ctx, council.Organization{BodyID: body.ID, Name: "Stadtrat", Kind: council.KindCouncil})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 12 {
		kind := council.KindCommittee
		if i >= 8 {
			kind = council.KindPartyGroup
		}
		if _, err := cs.SaveOrganization(ctx, council.Organization{BodyID: body.ID, Name: fmt.Sprintf("Gremium %02d", i), Kind: kind}); err != nil {
			b.Fatal(err)
		}
	}
	for _, q := range []string{
		`INSERT INTO persons (body_id, family_name, given_name, email) SELECT $1, 'Person ' || g, 'Vorname', 'p' || g || '@example.org' FROM generate_series(1, 100) g`,
		`INSERT INTO memberships (person_id, organization_id, role, voting_right) SELECT p.id, o.id, 'Mitglied', true
			FROM persons p JOIN organizations o ON o.body_id = p.body_id WHERE p.body_id = $1 AND (o.kind = 'council' OR abs(hashtext(p.id::text || o.id::text)) % 6 = 0)`,
		`INSERT INTO papers (body_id, name, paper_type, date, text, status, public, reference, ref_prefix, ref_year, ref_seq)
			SELECT $1, 'Vorlage ' || g, 'motion', date '2019-01-01' + g, 'Text', 'in_consultation', g % 10 <> 0, 'A' || g || '/20', 'A', 2020, g
			FROM generate_series(1, 2700) g`,
		`INSERT INTO paper_events (paper_id, status) SELECT id, 'submitted' FROM papers WHERE body_id = $1`,
		`INSERT INTO meetings (body_id, name, start_at, state) SELECT $1, 'Sitzung ' || g, now() + (g - 225) * interval '1 day' * 1.6,
			CASE WHEN g < 225 THEN 'closed' ELSE 'invited' END FROM generate_series(1, 450) g`,
		`INSERT INTO meeting_organizations (meeting_id, organization_id) SELECT m.id, (SELECT o.id FROM organizations o
			WHERE o.body_id = $1 AND o.kind IN ('council','committee') ORDER BY abs(hashtext(m.id::text || o.id::text)) LIMIT 1) FROM meetings m`,
		`INSERT INTO agenda_items (meeting_id, position, number, name, public, result) SELECT m.id, g, 'Ö ' || g, 'Punkt ' || g, g % 4 <> 0,
			CASE WHEN m.state = 'closed' THEN 'beschlossen' ELSE '' END FROM meetings m, generate_series(0, 9) g`,
		`INSERT INTO consultations (paper_id, organization_id, agenda_item_id, role, authoritative)
			SELECT p.id, mo.organization_id, i.id, 'Entscheidung', true
			FROM (SELECT id, row_number() OVER (ORDER BY id) n FROM papers) p
			JOIN (SELECT id, meeting_id, row_number() OVER (ORDER BY id) n FROM agenda_items) i ON i.n = p.n
			JOIN meeting_organizations mo ON mo.meeting_id = i.meeting_id`,
		`ANALYZE`,
	} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, body.ID)
		}
		if _, err := pool.Exec(ctx, q, args...); err != nil {
			b.Fatalf("seed: %v\n%s", err, q)
		}
	}
	var meeting, paper, person council.ID
	if err := pool.QueryRow(ctx, `SELECT id FROM meetings WHERE state = 'invited' ORDER BY start_at LIMIT 1`).Scan(&meeting); err != nil {
		b.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT paper_id FROM consultations LIMIT 1`).Scan(&paper); err != nil {
		b.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT id FROM persons LIMIT 1`).Scan(&person); err != nil {
		b.Fatal(err)
	}
	month := time.Now().Format("2006-01")
	for _, path := range []string{"/", "/meetings", "/meetings?page=5", "/meetings/month?m=" + month, "/meetings/" + meeting.String(),
		"/bodies", "/bodies/" + rat.ID.String(), "/persons/" + person.String(), "/papers", "/papers?page=50", "/papers/" + paper.String()} {
		b.Run(path, func(b *testing.B) {
			for b.Loop() {
				resp, err := http.Get(ts.URL + path)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("GET %s: status %d", path, resp.StatusCode)
				}
			}
		})
	}
}
