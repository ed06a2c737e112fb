package alerts_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/alerts"
	"github.com/plenar/plenar/council/mail"
	"github.com/plenar/plenar/migrations/pgtest"
)

// BenchmarkDigest is the target of issue 20, point 3: a daily digest run
// for 10,000 subscribers (each following a body, a paper or a person)
// with 200 changes (new public papers, each with its lead body and an
// originator) prepares every message — one set-based query for the news,
// one transaction with COPY into the outbox — in at most 30 s on the
// project's machine (docs/BENCHMARKS.md, "Alert digests"). Each iteration
// starts from the same state: no digest prepared, the outbox empty.
func BenchmarkDigest(b *testing.B) {
	ctx := context.Background()
	pool := pgtest.New(b)
	cs := council.NewStore(pool)
	body, err := cs.CreateBody(ctx, council.Body{Name: "Stadt Benchheim"})
	if err != nil {
		b.Fatal(err)
	}
	const subscribers, changes, orgs, persons = 10000, 200, 20, 50
	var orgIDs, personIDs []council.ID
	for i := range orgs {
		o, err := cs.SaveOrganization(ctx, council.Organization{BodyID: body.ID, Name: fmt.Sprintf("Ausschuss %d", i), Kind: council.KindCommittee})
		if err != nil {
			b.Fatal(err)
		}
		orgIDs = append(orgIDs, o.ID)
	}
	for i := range persons {
		p, err := cs.SavePerson(ctx, council.Person{BodyID: body.ID, GivenName: "Rita", FamilyName: fmt.Sprintf("Rat %d", i)})
		if err != nil {
			b.Fatal(err)
		}
		personIDs = append(personIDs, p.ID)
	}
	// The 200 papers exist (as drafts) so that subscribers can follow
	// them; the changes are their submission below.
	var paperIDs []council.ID
	for i := range changes {
		p, err := cs.SavePaper(ctx, council.Paper{BodyID: body.ID, Name: fmt.Sprintf("Antrag %d zur Verkehrswende", i), Type: council.PaperMotion,
			Public: true, LeadOrgID: orgIDs[i%orgs], Originators: []council.Originator{{PersonID: personIDs[i%persons]}}})
		if err != nil {
			b.Fatal(err)
		}
		paperIDs = append(paperIDs, p.ID)
	}
	// 10,000 verified citizens, each following one body, paper or person
	// (fixtures in bulk: CreateUser hashes and audits one at a time).
	if _, err := pool.Exec(ctx, `INSERT INTO users (email, password_hash, role, lang)
		SELECT 'buerger' || g || '@bench.example', 'x', 'citizen', CASE WHEN g % 4 = 0 THEN 'en' ELSE 'de' END
		FROM generate_series(1, $1) g`, subscribers); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO alert_follows (user_id, kind, target_id, label, frequency, last_seq)
		SELECT u.id, k.kind, k.target, 'Folge ' || u.n, 'daily', (SELECT max(id) FROM outbox)
		FROM (SELECT id, row_number() OVER (ORDER BY email) AS n FROM users WHERE email LIKE '%@bench.example') u
		CROSS JOIN LATERAL (SELECT CASE u.n % 3 WHEN 0 THEN 'organization' WHEN 1 THEN 'paper' ELSE 'person' END AS kind,
			CASE u.n % 3 WHEN 0 THEN ($1::uuid[])[1 + u.n % $4] WHEN 1 THEN ($2::uuid[])[1 + u.n % $5] ELSE ($3::uuid[])[1 + u.n % $6] END AS target) k`,
		orgIDs, paperIDs, personIDs, orgs, changes, persons); err != nil {
		b.Fatal(err)
	}
	for _, id := range paperIDs {
		if _, err := cs.Submit(ctx, id, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	tpl, err := mail.ParseTemplates()
	if err != nil {
		b.Fatal(err)
	}
	d := &alerts.Digester{Store: alerts.NewStore(pool), Mail: mail.NewStore(pool, "https://ratsinfo.benchheim.example"), Templates: tpl,
		BaseURL: "https://ratsinfo.benchheim.example", Site: "Benchheim"}
	now := time.Date(2026, 12, 8, 6, 0, 0, 0, time.UTC)
	var lastSeq int64
	if err := pool.QueryRow(ctx, `SELECT min(last_seq) FROM alert_follows`).Scan(&lastSeq); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		if _, err := pool.Exec(ctx, `UPDATE alert_follows SET last_period = '', last_seq = $1`, lastSeq); err != nil {
			b.Fatal(err)
		}
		if _, err := pool.Exec(ctx, `TRUNCATE mail_outbox, mail_unsubscribe_tokens`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		n, err := d.Run(ctx, alerts.Daily, now)
		if err != nil {
			b.Fatal(err)
		}
		if n != subscribers {
			b.Fatalf("queued %d digests, want %d", n, subscribers)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/run")
	}
}
