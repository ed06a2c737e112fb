package mail_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/mail"
	"github.com/plenar/plenar/council/mail/mailtest"
	"github.com/plenar/plenar/migrations/pgtest"
)

// TestEnqueueBatch: a batch queues every message at once with its own
// unsubscribe link (read back from a real SMTP server); an address that
// unsubscribed from the list is left out; a coalescing message is
// refused and nothing is queued.
func TestEnqueueBatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	srv := mailtest.Start(t, mailtest.Options{})
	st := mail.NewStore(pool, "https://ratsinfo.musterstadt.example")
	msg := func(to string) mail.Message {
		return mail.Message{To: to, Kind: mail.Bulk, List: "alert-1", Subject: "Neu: Radweg", Text: "Neues zum Radweg", HTML: "<p>Neues</p>"}
	}
	if _, err := pool.Exec(ctx, `INSERT INTO mail_optouts (address, list) VALUES ('weg@example.org', 'alert-1')`); err != nil {
		t.Fatal(err)
	}
	var ids []council.ID
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var err error
		ids, err = st.EnqueueBatch(ctx, tx, []mail.Message{msg("a@example.org"), msg("Weg@example.org"), msg("b@example.org")})
		return err
	})
	if err != nil || len(ids) != 3 || ids[0] == council.NilID || ids[1] != council.NilID || ids[2] == council.NilID {
		t.Fatalf("EnqueueBatch = %v, %v", ids, err)
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		m := msg("c@example.org")
		m.Coalesce = "x"
		_, err := st.EnqueueBatch(ctx, tx, []mail.Message{msg("d@example.org"), m})
		return err
	})
	if err == nil {
		t.Error("a coalescing message was accepted")
	}
	if n, err := sender(t, pool, srv).RunOnce(ctx); err != nil || n != 2 {
		t.Fatalf("sent %d, %v; want 2", n, err)
	}
	links := map[string]bool{}
	for _, m := range srv.Messages() {
		u := m.Header.Get("List-Unsubscribe")
		if u == "" || m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || links[u] {
			t.Errorf("%s: List-Unsubscribe %q", m.To, u)
		}
		links[u] = true
		list, err := st.Unsubscribe(ctx, u[len("<https://ratsinfo.musterstadt.example/unsubscribe?t="):len(u)-1])
		if err != nil || list != "alert-1" {
			t.Errorf("%s: unsubscribe = %q, %v", m.To, list, err)
		}
	}
}
