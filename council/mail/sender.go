package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"github.com/plenar/plenar/council"
)

// Sender delivers the outbox over SMTP (docs/ARCHITECTURE.md, "Mail").
// Several senders, in one process or several, share the outbox: each
// claims due rows with FOR UPDATE SKIP LOCKED under an advisory lock its
// own database session holds, so rows of a sender that died are taken
// over at once and rows of a living one never.
//
// A message is marked committing before the final dot of its SMTP DATA
// and sent right after the server's 250, on the sender's own connection.
// A crash before the dot never sends twice (an SMTP server discards a
// transaction without its dot); only a crash between the dot and the
// sent mark — one SMTP reply and one UPDATE — leaves it unknown whether
// the server accepted, and then the message is sent again, with the same
// Message-ID (at-least-once in that window; the take-over is logged and
// counted as a possible duplicate).
type Sender struct {
	Pool *pgxpool.Pool
	SMTP SMTPConfig
	From string // the envelope and header sender, e.g. "Ratsinfo Musterstadt <ratsinfo@musterstadt.de>"
	Log  *slog.Logger

	Poll        time.Duration // idle wait between looks when no notification comes; default 5 s
	Timeout     time.Duration // SMTP connect and per-message timeout; default 30 s
	Batch       int           // rows claimed at once (one SMTP connection); default 20
	MaxAttempts int           // attempts before a message fails for good; default 10
	BaseDelay   time.Duration // back-off after the first failed attempt; default 30 s, doubling
	MaxDelay    time.Duration // longest back-off; default 6 h
	Retention   time.Duration // sent and failed rows are deleted after this; default 30 days

	stats Stats
}

// Stats counts what a Sender did since it started.
type Stats struct {
	Sent, Retried, Failed, PossibleDuplicates atomic.Int64
}

// Stats returns the sender's counters (for metrics).
func (s *Sender) Stats() *Stats { return &s.stats }

func (s *Sender) defaults() {
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	if s.Poll <= 0 {
		s.Poll = 5 * time.Second
	}
	if s.Timeout <= 0 {
		s.Timeout = 30 * time.Second
	}
	if s.Batch <= 0 {
		s.Batch = 20
	}
	if s.MaxAttempts <= 0 {
		s.MaxAttempts = 10
	}
	if s.BaseDelay <= 0 {
		s.BaseDelay = 30 * time.Second
	}
	if s.MaxDelay <= 0 {
		s.MaxDelay = 6 * time.Hour
	}
	if s.Retention <= 0 {
		s.Retention = 30 * 24 * time.Hour
	}
}

// Backoff is the wait after failed attempt n (1, 2, …): BaseDelay doubled
// per attempt up to MaxDelay, with jitter (between half and all of it),
// so that many messages refused at once do not come back at once.
func (s *Sender) Backoff(n int) time.Duration {
	s.defaults()
	d := s.BaseDelay << min(max(n-1, 0), 20)
	if d <= 0 || d > s.MaxDelay {
		d = s.MaxDelay
	}
	return d/2 + rand.N(d/2+1)
}

// Run delivers due messages until ctx ends, then returns ctx's error. It
// wakes on Channel (Enqueue's notification) and every Poll, and deletes
// old sent and failed rows hourly.
func (s *Sender) Run(ctx context.Context) error {
	s.defaults()
	wake := make(chan struct{}, 1)
	poke := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	go func() {
		council.ListenRetry(ctx, s.Pool, []string{Channel}, s.Log, "mail", poke, func(string, string) { poke() })
	}()
	var cc *claimConn
	defer func() {
		if cc != nil {
			cc.close(ctx)
		}
	}()
	lastPurge := time.Time{}
	for {
		var err error
		if cc == nil {
			cc, err = openClaimConn(ctx, s.Pool)
		}
		did := 0
		if err == nil {
			did, err = s.runOnce(ctx, cc)
		}
		if err != nil && ctx.Err() == nil {
			s.Log.Warn("mail sender", "err", err)
			// A new session (and key): rows claimed under the old one
			// become free, so nothing stays stuck behind a broken one.
			if cc != nil {
				cc.close(ctx)
				cc = nil
			}
		}
		if time.Since(lastPurge) > time.Hour && err == nil {
			now := time.Now()
			if n, err := NewStore(s.Pool, "").Purge(ctx, now.Add(-s.Retention), now.AddDate(-1, 0, 0)); err != nil {
				s.Log.Warn("mail purge", "err", err)
			} else if n > 0 {
				s.Log.Info("mail purged", "messages", n)
			}
			lastPurge = now
		}
		if did > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
		case <-time.After(s.Poll):
		}
	}
}

// RunOnce claims one batch of due messages and delivers it on its own
// claim connection, which it closes again; it reports how many it
// claimed. For tests and tools; Run keeps its connection.
func (s *Sender) RunOnce(ctx context.Context) (int, error) {
	s.defaults()
	cc, err := openClaimConn(ctx, s.Pool)
	if err != nil {
		return 0, err
	}
	defer cc.close(ctx)
	return s.runOnce(ctx, cc)
}

func (s *Sender) runOnce(ctx context.Context, cc *claimConn) (int, error) {
	batch, err := cc.claim(ctx, s.Batch)
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	var client *smtp.Client
	defer func() {
		if client != nil {
			_ = client.Quit()
			_ = client.Close()
		}
	}()
	for i, m := range batch {
		log := s.Log.With("mail_id", m.ID, "message_id", m.MessageID, "attempt", m.Attempts)
		if m.prev == Committing {
			s.stats.PossibleDuplicates.Add(1)
			log.Warn("mail: a sender died after the final dot of this message; the server may have accepted it, sending it again with the same Message-ID")
		}
		if client == nil {
			client, err = s.SMTP.dial(ctx, s.Timeout)
			if err != nil {
				// Nothing of the batch went out: every row waits and tries again.
				for _, r := range batch[i:] {
					if rerr := s.failed(ctx, cc, r, Sending, err, log); rerr != nil {
						return len(batch), rerr
					}
				}
				return len(batch), nil
			}
		}
		ok, err := s.deliver(ctx, cc, client, m, log)
		if err != nil {
			return len(batch), err // a database error: Run starts over on a new session
		}
		if !ok { // the connection is in an unknown state: a new one for the next message
			_ = client.Close()
			client = nil
		}
	}
	return len(batch), nil
}

// deliver runs the SMTP transaction of m on client and records the
// outcome. It reports whether client can carry the next message; err is
// a database error (m stays claimed, to be taken over).
func (s *Sender) deliver(ctx context.Context, cc *claimConn, client *smtp.Client, m claimed, log *slog.Logger) (bool, error) {
	msg, err := s.build(m.Outgoing)
	if err != nil {
		return true, s.failed(ctx, cc, m, Sending, fmt.Errorf("%w: %w", errPermanent, err), log)
	}
	if err := client.UpdateDeadline(s.Timeout); err != nil {
		return false, s.failed(ctx, cc, m, Sending, err, log)
	}
	from, _ := msg.GetSender(false)
	w, err := begin(client, from, m.To)
	if err == nil {
		_, err = msg.WriteTo(w)
	}
	if err != nil {
		reusable := replied(err) && client.Reset() == nil
		return reusable, s.failed(ctx, cc, m, Sending, err, log)
	}
	// Everything but the final dot is written: past this point the
	// server may accept the message.
	if err := cc.committing(ctx, m.ID); err != nil {
		// Without the dot the server discards the transaction.
		return false, err
	}
	if err := w.Close(); err != nil {
		if !replied(err) {
			// No answer after the dot: the server may or may not have
			// the message. Sent again later (at-least-once).
			s.stats.PossibleDuplicates.Add(1)
			log.Warn("mail: no reply after the final dot; it may have been accepted, sending it again later", "err", err)
		}
		return replied(err) && client.Reset() == nil, s.failed(ctx, cc, m, Committing, err, log)
	}
	// Accepted: record it before anything else.
	var serr error
	for range 3 {
		if serr = cc.sent(ctx, m.ID); serr == nil || errors.Is(serr, errNotMine) {
			break
		}
	}
	if serr != nil {
		log.Error("mail accepted by the SMTP server but not marked sent; it may be sent again", "err", serr)
		return true, serr
	}
	s.stats.Sent.Add(1)
	log.Info("mail sent", "kind", m.Kind)
	return true, nil
}

// begin opens the SMTP transaction: MAIL FROM, RCPT TO, DATA.
func begin(client *smtp.Client, from, to string) (interface {
	Write([]byte) (int, error)
	Close() error
}, error) {
	if err := client.Mail(from); err != nil {
		return nil, err
	}
	if err := client.Rcpt(to); err != nil {
		return nil, err
	}
	return client.Data()
}

// errPermanent marks failures that no retry can mend.
var errPermanent = errors.New("permanent")

// failed records a failed attempt of m (state from): a permanent refusal
// (5xx, a message that cannot be built) or the last attempt fails it for
// good, anything else waits for the back-off.
func (s *Sender) failed(ctx context.Context, cc *claimConn, m claimed, from State, cause error, log *slog.Logger) error {
	final := permanent(cause) || errors.Is(cause, errPermanent) || m.Attempts >= s.MaxAttempts
	delay := time.Duration(0)
	if !final {
		delay = s.Backoff(m.Attempts)
		s.stats.Retried.Add(1)
		log.Warn("mail not sent; will retry", "err", cause, "retry_in", delay.Round(time.Second).String())
	} else {
		s.stats.Failed.Add(1)
		log.Error("mail failed for good", "err", cause)
	}
	err := cc.retry(ctx, m.ID, from, final, delay, cause.Error())
	if errors.Is(err, errNotMine) {
		return nil
	}
	return err
}

// build makes the go-mail message of m: From, To, Subject, the stable
// Message-ID, the Date of queueing, Content-Language, the text part and
// the HTML alternative, m's headers and its attachments.
func (s *Sender) build(m Outgoing) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.From(s.From); err != nil {
		return nil, fmt.Errorf("from %q: %w", s.From, err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDateWithValue(m.Created)
	msg.SetGenHeader(gomail.Header("Content-Language"), m.Lang)
	for k, v := range m.Headers {
		msg.SetGenHeader(gomail.Header(k), v)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	for _, a := range m.Attachments {
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.Type))); err != nil {
			return nil, fmt.Errorf("attachment %s: %w", a.Name, err)
		}
	}
	return msg, nil
}
