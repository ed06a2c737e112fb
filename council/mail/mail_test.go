package mail_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/mail"
	"github.com/plenar/plenar/council/mail/mailtest"
	"github.com/plenar/plenar/migrations/pgtest"
)

const from = "Ratsinfo Musterstadt <ratsinfo@musterstadt.example>"

func sender(t *testing.T, pool *pgxpool.Pool, srv *mailtest.Server) *mail.Sender {
	t.Helper()
	cfg, err := mail.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	return &mail.Sender{Pool: pool, SMTP: cfg, From: from, Timeout: 10 * time.Second}
}

// enqueue queues ms in one transaction, as a store does with its change.
func enqueue(t *testing.T, pool *pgxpool.Pool, st *mail.Store, ms ...mail.Message) []council.ID {
	t.Helper()
	ctx := context.Background()
	var ids []council.ID
	err := council.Tx(ctx, pool, func(tx council.DBTXTx) error {
		for _, m := range ms {
			id, err := st.Enqueue(ctx, tx, m)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestSendTextHTMLHeadersUnsubscribe(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	srv := mailtest.Start(t, mailtest.Options{})
	st := mail.NewStore(pool, "https://ratsinfo.musterstadt.example")
	tpl, err := mail.ParseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	verify := mail.Message{To: "anna@example.org", Kind: mail.Transactional}
	if err := tpl.Render(&verify, mail.TplVerify, mail.German, mail.VerifyData{Site: "Musterstadt", Link: "https://x.example/verify?token=abc", Name: "<b>Anna</b>", Days: 3}); err != nil {
		t.Fatal(err)
	}
	bulk := mail.Message{To: "Ben@Example.org", Lang: mail.English, Kind: mail.Bulk, List: "notifications",
		Subject: "New agenda", Text: "The agenda is out.", HTML: "<p>The agenda is out.</p>"}
	ids := enqueue(t, pool, st, verify, bulk)

	if n, err := sender(t, pool, srv).RunOnce(ctx); err != nil || n != 2 {
		t.Fatalf("RunOnce = %d, %v; want 2 messages", n, err)
	}
	got := map[string]mailtest.Received{}
	for _, m := range srv.Messages() {
		got[m.To] = m
	}
	v, b := got["anna@example.org"], got["Ben@Example.org"]
	o, err := st.Outgoing(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if o.State != mail.Sent || o.SentAt.IsZero() || v.MessageID != o.MessageID || !strings.HasSuffix(o.MessageID, "@ratsinfo.musterstadt.example") {
		t.Errorf("verification: state %s, Message-ID %q at the server vs %q in the outbox", o.State, v.MessageID, o.MessageID)
	}
	if v.Subject != "Bitte bestätigen Sie Ihre E-Mail-Adresse" || !strings.Contains(v.Text, "https://x.example/verify?token=abc") ||
		!strings.Contains(v.Text, "angelegt") || v.Header.Get("Content-Language") != "de" {
		t.Errorf("German verification mail: subject %q, language %q, text:\n%s", v.Subject, v.Header.Get("Content-Language"), v.Text)
	}
	if !strings.Contains(v.HTML, `lang="de"`) || !strings.Contains(v.HTML, "&lt;b&gt;Anna&lt;/b&gt;") || strings.Contains(v.HTML, "<b>Anna") {
		t.Errorf("HTML part does not escape the name or lacks lang:\n%s", v.HTML)
	}
	if v.Header.Get("List-Unsubscribe") != "" || v.Header.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("transactional headers: List-Unsubscribe %q, Auto-Submitted %q", v.Header.Get("List-Unsubscribe"), v.Header.Get("Auto-Submitted"))
	}
	lu := b.Header.Get("List-Unsubscribe")
	if !strings.HasPrefix(lu, "<https://ratsinfo.musterstadt.example/unsubscribe?t=") || b.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" ||
		b.Header.Get("Content-Language") != "en" || !strings.Contains(b.Text, "Unsubscribe: https://") || !strings.Contains(b.HTML, "Unsubscribe") {
		t.Fatalf("bulk message: List-Unsubscribe %q, -Post %q, language %q\n%s\n%s", lu, b.Header.Get("List-Unsubscribe-Post"),
			b.Header.Get("Content-Language"), b.Text, b.HTML)
	}
	token := strings.TrimSuffix(lu[strings.Index(lu, "?t=")+3:], ">")
	if list, err := st.Unsubscribe(ctx, token); err != nil || list != "notifications" {
		t.Fatalf("Unsubscribe = %q, %v", list, err)
	}
	if _, err := st.Unsubscribe(ctx, token); err != nil {
		t.Errorf("second Unsubscribe: %v, want none", err)
	}
	if _, err := st.Unsubscribe(ctx, "nonsense"); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("unknown token: %v, want ErrNotFound", err)
	}
	if err := council.Tx(ctx, pool, func(tx council.DBTXTx) error {
		_, err := st.Enqueue(ctx, tx, bulk)
		return err
	}); !errors.Is(err, mail.ErrOptedOut) {
		t.Errorf("bulk to an opted-out address: %v, want ErrOptedOut", err)
	}
	// Transactional mail still reaches the address.
	bulk.Kind, bulk.List = mail.Transactional, ""
	enqueue(t, pool, st, bulk)
}

func TestEnqueueRejects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	st := mail.NewStore(pool, "http://localhost:8080")
	ok := mail.Message{To: "a@example.org", Subject: "s", Text: "t"}
	for name, mod := range map[string]func(*mail.Message){
		"address":   func(m *mail.Message) { m.To = "not an address" },
		"two":       func(m *mail.Message) { m.To = "a@example.org, b@example.org" },
		"name":      func(m *mail.Message) { m.To = "A <a@example.org>" },
		"subject":   func(m *mail.Message) { m.Subject = "a\r\nBcc: x@example.org" },
		"header":    func(m *mail.Message) { m.Headers = map[string]string{"X-A": "b\r\nBcc: x@example.org"} },
		"lang":      func(m *mail.Message) { m.Lang = "fr" },
		"bulk":      func(m *mail.Message) { m.Kind = mail.Bulk },
		"oversize":  func(m *mail.Message) { m.Text = strings.Repeat("x", 300<<10) },
		"no text":   func(m *mail.Message) { m.Text = "" },
		"long subj": func(m *mail.Message) { m.Subject = strings.Repeat("s", 301) },
	} {
		m := ok
		mod(&m)
		err := council.Tx(ctx, pool, func(tx council.DBTXTx) error { _, err := st.Enqueue(ctx, tx, m); return err })
		if !errors.Is(err, council.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM mail_outbox`); n != 0 {
		t.Errorf("%d rows stored from bad messages", n)
	}
}

// TestRetryTemporaryFailPermanent: a 4xx refusal waits for the back-off
// and is sent later; a 5xx refusal fails for good at once; the server
// going away counts as temporary.
func TestRetryTemporaryFailPermanent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	srv := mailtest.Start(t, mailtest.Options{})
	var mu sync.Mutex
	refuse := map[string]error{"temp@example.org": mailtest.Temporary, "perm@example.org": mailtest.Permanent}
	srv.OnRcpt = func(to string) error {
		mu.Lock()
		defer mu.Unlock()
		return refuse[to]
	}
	st := mail.NewStore(pool, "http://localhost:8080")
	ids := enqueue(t, pool, st, mail.Message{To: "temp@example.org", Subject: "a", Text: "a"},
		mail.Message{To: "perm@example.org", Subject: "b", Text: "b"}, mail.Message{To: "ok@example.org", Subject: "c", Text: "c"})
	s := sender(t, pool, srv)
	if _, err := s.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	temp, _ := st.Outgoing(ctx, ids[0])
	perm, _ := st.Outgoing(ctx, ids[1])
	okm, _ := st.Outgoing(ctx, ids[2])
	if temp.State != mail.Queued || temp.Attempts != 1 || !strings.Contains(temp.LastError, "451") || !temp.NextAt.After(time.Now().Add(10*time.Second)) {
		t.Errorf("4xx: state %s, attempts %d, error %q, next %s; want queued with back-off", temp.State, temp.Attempts, temp.LastError, temp.NextAt)
	}
	if perm.State != mail.Failed || !strings.Contains(perm.LastError, "550") {
		t.Errorf("5xx: state %s, error %q; want failed", perm.State, perm.LastError)
	}
	if okm.State != mail.Sent || len(srv.Messages()) != 1 {
		t.Errorf("the good message: %s, %d at the server", okm.State, len(srv.Messages()))
	}
	// Nothing is due now: the back-off holds.
	if n, err := s.RunOnce(ctx); err != nil || n != 0 {
		t.Errorf("RunOnce during the back-off = %d, %v; want nothing claimed", n, err)
	}
	mu.Lock()
	delete(refuse, "temp@example.org")
	mu.Unlock()
	if _, err := pool.Exec(ctx, `UPDATE mail_outbox SET next_attempt_at = now() WHERE id = $1`, ids[0]); err != nil {
		t.Fatal(err)
	}
	if n, err := s.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("RunOnce after the back-off = %d, %v", n, err)
	}
	if temp, _ = st.Outgoing(ctx, ids[0]); temp.State != mail.Sent || temp.Attempts != 2 {
		t.Errorf("after the retry: %s after %d attempts, want sent after 2", temp.State, temp.Attempts)
	}
	if c := srv.CountByMessageID(); c[temp.MessageID] != 1 || c[perm.MessageID] != 0 {
		t.Errorf("at the server: %v", c)
	}

	// The last attempt fails for good; a server that is not there is temporary.
	gone := mail.Sender{Pool: pool, SMTP: mail.SMTPConfig{Host: "127.0.0.1", Port: 1, TLS: mail.TLSNone}, From: from, MaxAttempts: 2}
	id := enqueue(t, pool, st, mail.Message{To: "late@example.org", Subject: "d", Text: "d"})[0]
	for range 2 {
		if _, err := gone.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(ctx, `UPDATE mail_outbox SET next_attempt_at = now() WHERE id = $1 AND state = 'queued'`, id); err != nil {
			t.Fatal(err)
		}
	}
	if o, _ := st.Outgoing(ctx, id); o.State != mail.Failed || o.Attempts != 2 {
		t.Errorf("unreachable server, 2 attempts allowed: %s after %d", o.State, o.Attempts)
	}
}

func TestBackoff(t *testing.T) {
	s := &mail.Sender{BaseDelay: time.Minute, MaxDelay: time.Hour}
	for n, want := range map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 4: 8 * time.Minute, 30: time.Hour} {
		for range 20 {
			if d := s.Backoff(n); d < want/2 || d > want {
				t.Errorf("Backoff(%d) = %s, want between %s and %s", n, d, want/2, want)
			}
		}
	}
}

// TestTwoSendersNoDuplicate: two senders work through one outbox side by
// side (FOR UPDATE SKIP LOCKED); every message arrives exactly once.
func TestTwoSendersNoDuplicate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	srv := mailtest.Start(t, mailtest.Options{})
	st := mail.NewStore(pool, "http://localhost:8080")
	const n = 40
	var ms []mail.Message
	for i := range n {
		ms = append(ms, mail.Message{To: fmt.Sprintf("r%d@example.org", i), Subject: "s", Text: "t"})
	}
	enqueue(t, pool, st, ms...)
	var wg sync.WaitGroup
	for range 2 {
		s := sender(t, pool, srv)
		s.Batch = 3
		wg.Go(func() {
			for {
				did, err := s.RunOnce(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				if did == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	counts := srv.CountByMessageID()
	if len(counts) != n {
		t.Errorf("%d distinct messages arrived, want %d", len(counts), n)
	}
	for id, c := range counts {
		if c != 1 {
			t.Errorf("message %s arrived %d times", id, c)
		}
	}
	if c, _ := st.Counts(ctx); c[mail.Sent] != n {
		t.Errorf("outbox states %v, want %d sent", c, n)
	}
}

// TestTakeOver: rows claimed by a sender that died (its database session,
// and with it its lock, ended) are taken over at once; a row that died
// after its final dot is sent again and counted as a possible duplicate;
// rows of a living sender are never taken.
func TestTakeOver(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	srv := mailtest.Start(t, mailtest.Options{})
	st := mail.NewStore(pool, "http://localhost:8080")
	ids := enqueue(t, pool, st, mail.Message{To: "a@example.org", Subject: "a", Text: "a"},
		mail.Message{To: "b@example.org", Subject: "b", Text: "b"}, mail.Message{To: "c@example.org", Subject: "c", Text: "c"})
	// A "dead" sender: key 77 held by nobody. A living one: key 78, held.
	live, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Release()
	if _, err := live.Exec(ctx, `SELECT pg_advisory_lock($1, 78)`, int32(0x6d61696c)); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = live.Exec(ctx, `SELECT pg_advisory_unlock_all()`) }()
	for i, set := range []string{"state = 'sending', claimed_by = 77", "state = 'committing', claimed_by = 77", "state = 'sending', claimed_by = 78"} {
		if _, err := pool.Exec(ctx, `UPDATE mail_outbox SET `+set+`, attempts = 1 WHERE id = $1`, ids[i]); err != nil {
			t.Fatal(err)
		}
	}
	s := sender(t, pool, srv)
	if n, err := s.RunOnce(ctx); err != nil || n != 2 {
		t.Fatalf("RunOnce = %d, %v; want the 2 rows of the dead sender", n, err)
	}
	if d := s.Stats().PossibleDuplicates.Load(); d != 1 {
		t.Errorf("possible duplicates %d, want 1 (the row left committing)", d)
	}
	for i, want := range []mail.State{mail.Sent, mail.Sent, mail.Sending} {
		if o, _ := st.Outgoing(ctx, ids[i]); o.State != want {
			t.Errorf("row %d: %s, want %s", i, o.State, want)
		}
	}
}

// TestSTARTTLSAndAuth: STARTTLS required with login succeeds against a
// server that offers it, and is refused by a server without it (the
// message waits, nothing goes out in plain text).
func TestSTARTTLSAndAuth(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	st := mail.NewStore(pool, "http://localhost:8080")
	tlsSrv := mailtest.Start(t, mailtest.Options{StartTLS: true, User: "plenar", Password: "s3cret/+"})
	cfg, err := mail.ParseURL("smtp://plenar:s3cret%2F+@" + tlsSrv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.TLS != mail.TLSRequired || cfg.Password != "s3cret/+" {
		t.Fatalf("parsed %+v", cfg)
	}
	cfg.TLSConfig = tlsSrv.ClientTLS()
	id := enqueue(t, pool, st, mail.Message{To: "a@example.org", Subject: "a", Text: "a"})[0]
	s := &mail.Sender{Pool: pool, SMTP: cfg, From: from}
	if _, err := s.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if o, _ := st.Outgoing(ctx, id); o.State != mail.Sent || len(tlsSrv.Messages()) != 1 {
		t.Fatalf("over STARTTLS with login: %s, last error %q", o.State, o.LastError)
	}

	plain := mailtest.Start(t, mailtest.Options{})
	cfg, _ = mail.ParseURL("smtp://" + plain.Addr) // STARTTLS required by default
	id = enqueue(t, pool, st, mail.Message{To: "b@example.org", Subject: "b", Text: "b"})[0]
	if _, err := (&mail.Sender{Pool: pool, SMTP: cfg, From: from}).RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if o, _ := st.Outgoing(ctx, id); o.State != mail.Queued || len(plain.Messages()) != 0 {
		t.Errorf("STARTTLS required, server without it: %s, %d messages went out", o.State, len(plain.Messages()))
	}
}

func TestParseURL(t *testing.T) {
	for raw, want := range map[string]string{
		"smtp://mail.example.org":                        "smtp://mail.example.org:587",
		"smtp://u:p@mail.example.org:25?starttls=none":   "smtp://u@mail.example.org:25?starttls=none",
		"smtps://mail.example.org":                       "smtps://mail.example.org:465",
		"smtp://mail.example.org?starttls=opportunistic": "smtp://mail.example.org:587?starttls=opportunistic",
		"http://mail.example.org":                        "",
		"smtp://":                                        "",
		"smtp://mail.example.org:99999":                  "",
		"smtp://mail.example.org?starttls=sometimes":     "",
	} {
		c, err := mail.ParseURL(raw)
		switch {
		case want == "" && !errors.Is(err, council.ErrInvalid):
			t.Errorf("ParseURL(%q) = %v, %v; want ErrInvalid", raw, c, err)
		case want != "" && (err != nil || c.String() != want):
			t.Errorf("ParseURL(%q) = %q, %v; want %q", raw, c.String(), err, want)
		}
	}
}
