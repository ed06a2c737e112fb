package council_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/migrations/pgtest"
)

// recorder is an AccountMailer that remembers the messages it is asked
// to queue (council imports no mail package; the outbox itself is tested
// in council/mail and, end to end, in web/register_test.go).
type recorder struct{ got []council.AccountMail }

func (r *recorder) AccountMail(_ context.Context, _ council.DBTX, m council.AccountMail) error {
	r.got = append(r.got, m)
	return nil
}

func TestRegisterVerifyCleanup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	s := council.NewStore(pool)
	var rec recorder
	if err := s.Register(ctx, council.Registration{Email: "a@example.org", Password: "ein langes Passwort", Lang: "en"}, &rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.got) != 1 || rec.got[0].Kind != council.MailVerify || rec.got[0].Token == "" || rec.got[0].Lang != "en" {
		t.Fatalf("mails %+v", rec.got)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM email_verifications WHERE token_hash = sha256(convert_to($1, 'UTF8'))`, rec.got[0].Token); n != 1 {
		t.Errorf("the token's SHA-256 stored %d times", n)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM email_verifications WHERE token_hash = convert_to($1, 'UTF8')`, rec.got[0].Token); n != 0 {
		t.Error("the token is stored in plain")
	}
	// Not yet expired: kept.
	if n, err := s.DeleteUnverified(ctx, time.Now().Add(-council.VerificationTTL)); err != nil || n != 0 {
		t.Errorf("DeleteUnverified of a fresh account = %d, %v", n, err)
	}
	if err := s.ResendVerification(ctx, "A@example.org", "de", &rec); err != nil || len(rec.got) != 2 || rec.got[1].Kind != council.MailVerify {
		t.Fatalf("resend: %v, %+v", err, rec.got)
	}
	if _, err := s.VerifyEmail(ctx, "wrong"); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("wrong token: %v", err)
	}
	u, err := s.VerifyEmail(ctx, rec.got[1].Token)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.VerifyEmail(ctx, rec.got[0].Token); !errors.Is(err, council.ErrNotFound) {
		t.Errorf("the older token after verifying: %v, want ErrNotFound", err)
	}
	if a, _ := s.Account(ctx, u.ID); !a.Verified {
		t.Error("not verified")
	}
	if err := s.ResendVerification(ctx, "a@example.org", "de", &rec); err != nil || rec.got[2].Kind != council.MailAccountExists {
		t.Errorf("resend to a verified account: %v, %+v", err, rec.got)
	}
	if err := s.ResendVerification(ctx, "nobody@example.org", "de", &rec); err != nil || len(rec.got) != 3 {
		t.Errorf("resend to no account: %v, %d mails", err, len(rec.got))
	}
	if err := s.ConfirmResidence(ctx, u.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetBirthYear(ctx, u.ID, 1980); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Account(ctx, u.ID); !a.ResidenceConfirmed || a.BirthYear != 1980 {
		t.Errorf("account %+v", a)
	}
	// An expired unverified registration is deleted.
	if err := s.Register(ctx, council.Registration{Email: "b@example.org", Password: "ein langes Passwort"}, &rec); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DeleteUnverified(ctx, time.Now().Add(time.Minute)); err != nil || n != 1 {
		t.Errorf("DeleteUnverified = %d, %v; want the unverified one only", n, err)
	}
}
