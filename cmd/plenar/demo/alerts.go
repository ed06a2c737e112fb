package demo

import (
	"context"
	"fmt"
	"net/url"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/alerts"
	"github.com/plenar/plenar/council/mail"
)

// demoBaseURL is the links' site in the demo's digests: plenar serve's
// default base URL.
const demoBaseURL = "http://localhost:8080"

// seedAlerts lets the demo citizen follow the council (daily), a
// committee and the mayor (weekly), the newest public paper (instant) and
// a saved search "Radweg" (daily), and queues the digests of the second
// half of the city's history into the outbox, as the digest job of plenar
// serve would (docs/ARCHITECTURE.md, "Alerts"). The saved search's digest
// follows once serve has its index.
func (s *seeder) seedAlerts(ctx context.Context) error {
	citizen, err := s.cs.UserByEmail(ctx, "buergerin@musterstadt.example")
	if err != nil {
		return err
	}
	st := alerts.NewStore(s.tx)
	var newest *paper
	for _, p := range s.papers {
		if !p.draft && p.p.Public && p.p.Reference != "" && (newest == nil || p.date.After(newest.date)) {
			newest = p
		}
	}
	follows := []struct {
		kind alerts.Kind
		id   council.ID
		freq alerts.Frequency
	}{{alerts.Organization, s.council.org.ID, alerts.Daily}, {alerts.Organization, s.committees[0].org.ID, alerts.Weekly},
		{alerts.Person, s.mayor.ID, alerts.Weekly}}
	if newest != nil {
		follows = append(follows, struct {
			kind alerts.Kind
			id   council.ID
			freq alerts.Frequency
		}{alerts.Paper, newest.p.ID, alerts.Instant})
	}
	for _, f := range follows {
		if _, err := st.Follow(ctx, citizen.ID, f.kind, f.id, "", "", f.freq); err != nil {
			return fmt.Errorf("follow %s: %w", f.kind, err)
		}
	}
	q, label, err := alerts.NormalizeQuery(url.Values{"q": {"Radweg"}})
	if err != nil {
		return err
	}
	if _, err := st.Follow(ctx, citizen.ID, alerts.Search, council.NilID, q, label, alerts.Daily); err != nil {
		return fmt.Errorf("follow search: %w", err)
	}
	// The follows are as old as the second half of the history.
	if _, err := s.tx.Exec(ctx, `UPDATE alert_follows SET last_seq = (SELECT coalesce(max(id), 0) / 2 FROM outbox) WHERE user_id = $1`,
		citizen.ID); err != nil {
		return err
	}
	tpl, err := mail.ParseTemplates()
	if err != nil {
		return err
	}
	d := &alerts.Digester{Store: st, Mail: mail.NewStore(s.tx, demoBaseURL), Templates: tpl, BaseURL: demoBaseURL, Site: "localhost:8080"}
	n, err := d.RunAll(ctx, s.now)
	if err != nil {
		return err
	}
	s.log.Info("demo: alert digests queued", "messages", n)
	return nil
}
