package main

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/mail"
	"github.com/plenar/plenar/council/mail/mailtest"
	"github.com/plenar/plenar/migrations/pgtest"
)

// TestMailOutboxSurvivesSIGKILL is issue 20's target: plenar serve is
// killed with SIGKILL twice in the middle of an SMTP transaction — once
// while the server holds RCPT TO (the row is "sending"), once after the
// whole message and its final dot arrived but before the server answered
// (the row is "committing"; the server then refuses, as it would for a
// dropped client) — and restarted each time. Every message queued arrives
// exactly once at the SMTP server, counted by Message-ID.
func TestMailOutboxSurvivesSIGKILL(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dbURL := pgtest.URL(t)
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	smtpd := mailtest.Start(t, mailtest.Options{})
	var mu sync.Mutex
	hold := map[string]chan error{} // recipient → the answer the test gives after the kill
	reached := make(chan string, 4)
	wait := func(to string) error {
		mu.Lock()
		ch := hold[to]
		mu.Unlock()
		if ch == nil {
			return nil
		}
		reached <- to
		return <-ch
	}
	smtpd.OnRcpt = func(to string) error {
		if to == "hold-rcpt@example.org" {
			return wait(to)
		}
		return nil
	}
	smtpd.OnData = func(r mailtest.Received) error {
		if r.To == "hold-dot@example.org" {
			return wait(r.To)
		}
		return nil
	}
	st := mail.NewStore(pool, "http://127.0.0.1")
	enqueue := func(prefix string, n int, extra string) map[string]council.ID {
		ids := map[string]council.ID{}
		err := council.Tx(ctx, pool, func(tx council.DBTXTx) error {
			rcpts := []string{}
			for i := range n {
				rcpts = append(rcpts, fmt.Sprintf("%s%d@example.org", prefix, i))
				if i == n/2 {
					rcpts = append(rcpts, extra)
				}
			}
			for _, to := range rcpts {
				id, err := st.Enqueue(ctx, tx, mail.Message{To: to, Subject: "Test " + to, Text: "Hallo " + to})
				if err != nil {
					return err
				}
				ids[to] = id
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	srv := &voteServer{dbURL: dbURL, dataDir: t.TempDir(), env: []string{"PLENAR_SMTP_URL=" + smtpd.URL()}}
	defer srv.stop()
	allSent := func(want int) {
		t.Helper()
		for {
			c, err := st.Counts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if c[mail.Sent] == want {
				return
			}
			select {
			case <-ctx.Done():
				t.Fatalf("outbox %v, want %d sent; serve's log:\n%s", c, want, srv.log.String())
			case <-time.After(100 * time.Millisecond):
			}
		}
	}

	total := 0
	for round, held := range []string{"hold-rcpt@example.org", "hold-dot@example.org"} {
		answer := make(chan error, 1)
		mu.Lock()
		hold[held] = answer
		mu.Unlock()
		ids := enqueue(fmt.Sprintf("r%d-", round), 12, held)
		total += len(ids)
		if err := srv.start(ctx); err != nil {
			t.Fatal(err)
		}
		select {
		case <-reached:
		case <-ctx.Done():
			t.Fatalf("round %d: the sender never reached %s; log:\n%s", round, held, srv.log.String())
		}
		o, err := st.Outgoing(ctx, ids[held])
		if err != nil {
			t.Fatal(err)
		}
		want := []mail.State{mail.Sending, mail.Committing}[round]
		if o.State != want {
			t.Errorf("round %d: held message is %s, want %s", round, o.State, want)
		}
		srv.kill()
		mu.Lock()
		delete(hold, held)
		mu.Unlock()
		answer <- mailtest.Temporary // the client is gone: the transaction is not accepted
		if err := srv.start(ctx); err != nil {
			t.Fatal(err)
		}
		allSent(total)
		srv.stop()
	}
	counts := smtpd.CountByMessageID()
	var rows int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM mail_outbox WHERE state = 'sent'`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if len(counts) != total || rows != total {
		t.Errorf("%d distinct messages at the server, %d sent in the outbox; want %d", len(counts), rows, total)
	}
	for id, n := range counts {
		if n != 1 {
			t.Errorf("message %s arrived %d times", id, n)
		}
	}
}
