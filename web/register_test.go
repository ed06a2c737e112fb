package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/council/mail"
	"github.com/plenar/plenar/council/mail/mailtest"
	"github.com/plenar/plenar/migrations/pgtest"
)

// deliver sends the outbox to smtpd (a real SMTP server) and returns what
// arrived so far.
func (e *testEnv) deliver(t testing.TB, smtpd *mailtest.Server) []mailtest.Received {
	t.Helper()
	cfg, err := mail.ParseURL(smtpd.URL())
	if err != nil {
		t.Fatal(err)
	}
	s := &mail.Sender{Pool: e.srv.pool, SMTP: cfg, From: "Plenar <noreply@plenar.test>"}
	for {
		n, err := s.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return smtpd.Messages()
		}
	}
}

var verifyLink = regexp.MustCompile(`http://plenar\.test(/verify\?token=[A-Za-z0-9_%-]+)`)

func readBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRegisterVerifyLogin: a citizen registers, cannot log in before
// verifying, reads the link from the mail at a real SMTP server, verifies
// and logs in; the script in the name is stored as text and shown escaped;
// a second registration of the address reveals nothing on screen and
// mails "you already have an account"; bad input stores nothing; a flood
// from one e-mail address and from one client address gets 429.
func TestRegisterVerifyLogin(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	ctx := context.Background()
	smtpd := mailtest.Start(t, mailtest.Options{})
	c := e.anon()
	const email, password, name = "Erika.Muster@example.org", "ein langes Passwort", `<script>alert("x")</script>`
	status, page := e.get(t, c, "/register")
	if status != http.StatusOK {
		t.Fatalf("GET /register = %d", status)
	}
	mustContain(t, "register form", page, `name="email"`, `name="publish_name"`, `type="checkbox"`)
	mustNotContain(t, "register form", page, "checked")

	resp := e.postForm(t, c, "/register", url.Values{"email": {email}, "password": {password}, "display_name": {name}})
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Erika.Muster@example.org") {
		t.Fatalf("POST /register = %d:\n%s", resp.StatusCode, body)
	}
	u, err := e.council.UserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := e.council.Account(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != council.RoleCitizen || u.DisplayName != name || acc.Verified || acc.PublishName {
		t.Errorf("registered: role %s, name %q, verified %v, publish %v; want an unverified citizen, name as typed, not published",
			u.Role, u.DisplayName, acc.Verified, acc.PublishName)
	}
	// Not before verifying.
	resp = e.postForm(t, e.anon(), "/login", url.Values{"email": {email}, "password": {password}})
	if body := readBody(t, resp); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "bestätigen Sie zuerst") {
		t.Errorf("login before verifying = %d, want 403 with a clear message", resp.StatusCode)
	}

	msgs := e.deliver(t, smtpd)
	if len(msgs) != 1 || msgs[0].To != email {
		t.Fatalf("%d messages at the SMTP server, want the verification to %s", len(msgs), email)
	}
	m := msgs[0]
	link := verifyLink.FindStringSubmatch(m.Text)
	if link == nil || !strings.Contains(m.HTML, "&lt;script&gt;") || strings.Contains(m.HTML, "<script>") {
		t.Fatalf("verification mail: link %v; HTML must escape the name:\n%s\n%s", link, m.Text, m.HTML)
	}
	status, page = e.get(t, c, link[1])
	if status != http.StatusOK || !strings.Contains(page, "ist bestätigt") {
		t.Fatalf("GET %s = %d", link[1], status)
	}
	if status, _ = e.get(t, c, link[1]); status != http.StatusNotFound {
		t.Errorf("the link a second time = %d, want 404", status)
	}
	resp = e.postForm(t, e.anon(), "/login", url.Values{"email": {email}, "password": {password}})
	if readBody(t, resp); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("login after verifying = %d, want 303", resp.StatusCode)
	}

	// The same address again: the same answer, a mail to the owner.
	resp = e.postForm(t, e.anon(), "/register", url.Values{"email": {strings.ToLower(email)}, "password": {"another password"}})
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Fast geschafft") {
		t.Errorf("registering a taken address = %d, want the same 200", resp.StatusCode)
	}
	msgs = e.deliver(t, smtpd)
	if len(msgs) != 2 || msgs[1].Subject != "Sie haben bereits ein Konto" {
		t.Errorf("after the second registration: %d messages, last %q", len(msgs), msgs[len(msgs)-1].Subject)
	}
	if n := pgtest.Count(t, e.srv.pool, `SELECT count(*) FROM users WHERE lower(email) = lower($1)`, email); n != 1 {
		t.Errorf("%d accounts for the address", n)
	}

	// Bad input: a clear message, nothing stored.
	users := pgtest.Count(t, e.srv.pool, `SELECT count(*) FROM users`)
	for what, f := range map[string]url.Values{
		"malformed e-mail": {"email": {"erika(at)example.org"}, "password": {password}},
		"two addresses":    {"email": {"a@example.org, b@example.org"}, "password": {password}},
		"short password":   {"email": {"kurz@example.org"}, "password": {"kurz"}},
		"oversize name":    {"email": {"lang@example.org"}, "password": {password}, "display_name": {strings.Repeat("n", 101)}},
		"oversize group":   {"email": {"gruppe@example.org"}, "password": {password}, "group_name": {strings.Repeat("g", 201)}},
		"publish no name":  {"email": {"pub@example.org"}, "password": {password}, "publish_name": {"1"}},
		"oversize e-mail":  {"email": {strings.Repeat("e", 250) + "@example.org"}, "password": {password}},
	} {
		resp := e.postForm(t, e.anon(), "/register", f)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `class="field-error"`) {
			t.Errorf("%s: %d, want 422 with a field error", what, resp.StatusCode)
		}
	}
	resp = e.postForm(t, e.anon(), "/register", url.Values{"email": {"x"}, "password": {password}, "display_name": {name}})
	if body := readBody(t, resp); strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;") {
		t.Errorf("the form shown again does not escape the name")
	}
	if n := pgtest.Count(t, e.srv.pool, `SELECT count(*) FROM users`); n != users {
		t.Errorf("bad input stored %d accounts", n-users)
	}

	// Flood from one e-mail address: at most 3 mails an hour to it.
	resp = e.postForm(t, e.anon(), "/register", url.Values{"email": {email}, "password": {password}})
	readBody(t, resp)
	resp = e.postForm(t, e.anon(), "/register", url.Values{"email": {email}, "password": {password}})
	if body := readBody(t, resp); resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" ||
		!strings.Contains(body, "Zu viele Anfragen") {
		t.Errorf("4th mail to one address within an hour = %d, want 429 with Retry-After and a clear message", resp.StatusCode)
	}
	// Flood from one client address: 10 requests an hour.
	var last *http.Response
	for i := range 7 {
		last = e.postForm(t, e.anon(), "/register/resend", url.Values{"email": {"flood" + string(rune('a'+i)) + "@example.org"}})
		readBody(t, last)
	}
	if last.StatusCode != http.StatusTooManyRequests {
		t.Errorf("11th account request from one address = %d, want 429", last.StatusCode)
	}
}

// TestUnsubscribeOneClick: the link of a bulk message shows a button (GET
// changes nothing), and a mail client's one-click POST (RFC 8058: no
// cookie, no CSRF token) records the opt-out.
func TestUnsubscribeOneClick(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	ctx := context.Background()
	st := mail.NewStore(e.srv.pool, "http://plenar.test")
	err := council.Tx(ctx, e.srv.pool, func(tx council.DBTXTx) error {
		_, err := st.Enqueue(ctx, tx, mail.Message{To: "leser@example.org", Kind: mail.Bulk, List: "tagesordnungen",
			Subject: "Neue Tagesordnung", Text: "Die Tagesordnung ist da."})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var headers map[string]string
	if err := e.srv.pool.QueryRow(ctx, `SELECT headers FROM mail_outbox`).Scan(&headers); err != nil {
		t.Fatal(err)
	}
	link := strings.Trim(headers["List-Unsubscribe"], "<>")
	path := strings.TrimPrefix(link, "http://plenar.test")
	status, page := e.get(t, e.anon(), path)
	if status != http.StatusOK || !strings.Contains(page, "tagesordnungen") {
		t.Fatalf("GET %s = %d", path, status)
	}
	if out, _ := st.OptedOut(ctx, "leser@example.org", "tagesordnungen"); out {
		t.Fatal("GET unsubscribed")
	}
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+path, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if readBody(t, resp); resp.StatusCode != http.StatusOK {
		t.Errorf("one-click POST = %d, want 200", resp.StatusCode)
	}
	if out, _ := st.OptedOut(ctx, "Leser@example.org", "tagesordnungen"); !out {
		t.Error("one-click POST did not record the opt-out")
	}
	if status, _ := e.get(t, e.anon(), "/unsubscribe?t=unknown"); status != http.StatusNotFound {
		t.Errorf("unknown token = %d, want 404", status)
	}
}
