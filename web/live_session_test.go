package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/live"
	liveweb "github.com/plenar/plenar/web/live"
)

// loginUser logs u (password testPassword, no second factor) in and
// returns the client with its session cookie.
func (e *liveEnv) loginUser(t *testing.T, u council.User) *http.Client {
	t.Helper()
	c := e.anon()
	resp := e.postForm(t, c, "/login", url.Values{"email": {u.Email}, "password": {testPassword}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: status %d", u.Email, resp.StatusCode)
	}
	return c
}

// clientWithCookie is a client that sends only ck to the node.
func (e *liveEnv) clientWithCookie(t *testing.T, ck *http.Cookie) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	liveMust(t, "cookie jar", err)
	u, err := url.Parse(e.ts.URL)
	liveMust(t, "url", err)
	jar.SetCookies(u, []*http.Cookie{{Name: ck.Name, Value: ck.Value}})
	return &http.Client{Jar: jar}
}

// waitClosed reads conn until the server closes it and returns the close
// code (a bounded wait: the read fails after 20 s without a close).
func waitClosed(t *testing.T, conn *websocket.Conn) int {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		_, _, err := conn.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		t.Fatalf("the socket stayed open: %v", err)
		return 0
	}
}

// TestLiveWSSessionEnd: a member's live websocket receives the non-public
// part's item; when the member's session ends — logout on the same node
// or on another one, a password or second-factor reset, a disabled
// account, ending it from another session on the account page, expiry —
// the socket closes with 4001, and the session's cookie
// opens only the public view afterwards (the closing socket does not
// bring the session back). The sockets run on a second node on the same
// database wherever the session ends elsewhere.
func TestLiveWSSessionEnd(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t)
	n := e.otherNode(t)
	ctx := context.Background()
	clerk := e.clerkActor(t)
	e.do(t, clerk, live.Start{})
	e.do(t, clerk, live.SetPart{Part: live.PartNonPublic})
	e.do(t, clerk, live.NextItem{})

	for _, c := range []struct {
		name string
		node *liveEnv // where the socket runs
		end  func(t *testing.T, c *http.Client, u council.User, token string)
	}{
		{"logout on the same node", e, func(t *testing.T, c *http.Client, _ council.User, _ string) {
			resp := e.postForm(t, c, "/logout", nil)
			resp.Body.Close()
		}},
		{"logout on another node", n, func(t *testing.T, c *http.Client, _ council.User, _ string) {
			resp := e.postForm(t, c, "/logout", nil)
			resp.Body.Close()
		}},
		{"password reset", n, func(t *testing.T, _ *http.Client, u council.User, _ string) {
			hash, err := council.HashPassword("another password entirely")
			liveMust(t, "hash", err)
			liveMust(t, "reset password", e.council.SetPassword(ctx, u.ID, hash))
		}},
		{"second factor reset", n, func(t *testing.T, _ *http.Client, u council.User, _ string) {
			liveMust(t, "reset 2fa", e.council.SetTOTP(ctx, u.ID, "", false))
		}},
		{"account disabled", n, func(t *testing.T, _ *http.Client, u council.User, _ string) {
			liveMust(t, "disable", e.council.SetUserDisabled(ctx, u.ID, true))
		}},
		{"ended from another session on the account page", n, func(t *testing.T, _ *http.Client, u council.User, token string) {
			id, err := e.council.LoginOfSession(ctx, token)
			liveMust(t, "login of the session", err)
			resp := e.postForm(t, e.loginUser(t, u), "/account/sessions/"+id.String()+"/end", nil)
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("end the session: status %d", resp.StatusCode)
			}
		}},
		{"session expired", n, func(t *testing.T, _ *http.Client, _ council.User, token string) {
			_, err := e.srv.pool.Exec(ctx, `UPDATE sessions SET expiry = now() - interval '1 second' WHERE token = $1`, token)
			liveMust(t, "expire session", err)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := e.newMember(t, e.persons[1])
			client := e.loginUser(t, u)
			ck := e.sessionCookie(client)
			conn := c.node.dial(t, client, "")
			m := readMsg(t, conn)
			if m.Type != live.TypeSnapshot || m.Snapshot.Role != live.RoleMember || m.Snapshot.Item == nil ||
				m.Snapshot.Item.Title != liveSecretTitle {
				t.Fatalf("member snapshot: %+v, want the member's with the non-public item", m.Snapshot)
			}
			c.end(t, client, u, ck.Value)
			start := time.Now()
			if code := waitClosed(t, conn); code != liveweb.CloseSession {
				t.Fatalf("close code %d, want %d (session ended)", code, liveweb.CloseSession)
			}
			// The session stays ended, also once the socket's request
			// is done: its cookie opens the public view.
			for c.node.sockets.Load() > 0 {
				if time.Since(start) > 20*time.Second {
					t.Fatalf("%d websocket requests still being handled", c.node.sockets.Load())
				}
				time.Sleep(10 * time.Millisecond)
			}
			again := c.node.dial(t, c.node.clientWithCookie(t, ck), "")
			m = readMsg(t, again)
			if m.Type != live.TypeSnapshot || m.Snapshot.Audience != live.AudiencePublic || m.Snapshot.Item != nil {
				t.Fatalf("after the end, the old cookie's snapshot: %+v, want the public's", m.Snapshot)
			}
			b, err := json.Marshal(m)
			liveMust(t, "marshal", err)
			if strings.Contains(string(b), liveSecretTitle) {
				t.Errorf("the public snapshot leaks the non-public item: %s", b)
			}
		})
	}
}

// TestLiveSessionEndBrowser: a member's live page in Chromium shows the
// non-public item; when the member's password is reset (another process,
// e.g. `plenar user reset-password`), live.js reloads the page on the
// close code 4001, and the member page sends the visitor to the login —
// the secret title is gone.
func TestLiveSessionEndBrowser(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t)
	clerk := e.clerkActor(t)
	e.do(t, clerk, live.Start{})
	e.do(t, clerk, live.SetPart{Part: live.PartNonPublic})
	e.do(t, clerk, live.NextItem{})
	u := e.newMember(t, e.persons[1])
	b := newBrowser(t)
	browserLogin(t, b, e.ts.URL, u)
	navigate(t, b, e.ts.URL+"/meetings/"+e.meeting.ID.String()+"/live/member")
	waitText(t, b, `[data-live="item"]`, liveSecretTitle)
	if _, err := chromedp.Run(b, chromedp.Evaluate[bool](`window.__plenarOld = true`)); err != nil {
		t.Fatal(err)
	}
	hash, err := council.HashPassword("another password entirely")
	liveMust(t, "hash", err)
	liveMust(t, "reset password", e.council.SetPassword(context.Background(), u.ID, hash))
	waitNewDocument(t, b, "the member page after the password reset")
	if p := pathOf(t, b, e.ts.URL); !strings.HasPrefix(p, "/login?") {
		t.Errorf("after the reset the page is %s, want the login", p)
	}
	html, err := chromedp.Run(b, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	liveMust(t, "page", err)
	mustNotContain(t, "page after the reset", html, liveSecretTitle)
}

// TestLiveWSCommandAfterSessionEnd: a command sent on a member's socket
// after the member's session ended is not run as the member (refused, or
// the socket closes first), and the socket closes with 4001.
func TestLiveWSCommandAfterSessionEnd(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t)
	clerk := e.clerkActor(t)
	e.do(t, clerk, live.Start{})
	u := e.newMember(t, e.persons[1])
	conn := e.dial(t, e.loginUser(t, u), "")
	if m := readMsg(t, conn); m.Snapshot == nil || m.Snapshot.Role != live.RoleMember {
		t.Fatalf("member snapshot: %+v", m)
	}
	liveMust(t, "disable", e.council.SetUserDisabled(context.Background(), u.ID, true))
	const text = "nach dem Ende der Sitzung"
	sendCmd(t, conn, "late", live.CmdComplain, `,"text":"`+text+`"`)
	if code := waitClosed(t, conn); code != liveweb.CloseSession {
		t.Fatalf("close code %d, want %d", code, liveweb.CloseSession)
	}
	snap, err := e.hub.Snapshot(context.Background(), e.meeting.ID, clerk)
	liveMust(t, "snapshot", err)
	for _, c := range snap.Complaints {
		if c.Text == text {
			t.Errorf("the complaint sent after the session ended was recorded: %+v", c)
		}
	}
}

// TestLiveWSSessionEndNotified: with the periodic check out of the way, a
// session ended elsewhere — a password reset in another process, a logout
// on another node — still closes the member's socket: the ending is
// announced on council.SessionsChannel and the node's watcher wakes its
// sockets.
func TestLiveWSSessionEndNotified(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t)
	n := e.otherNode(t)
	n.srv.wake.Every = time.Hour // before any socket: only a notification can wake them
	e.do(t, e.clerkActor(t), live.Start{})
	for _, c := range []struct {
		name string
		end  func(t *testing.T, c *http.Client, u council.User)
	}{
		{"password reset", func(t *testing.T, _ *http.Client, u council.User) {
			hash, err := council.HashPassword("another password entirely")
			liveMust(t, "hash", err)
			liveMust(t, "reset password", e.council.SetPassword(context.Background(), u.ID, hash))
		}},
		{"logout on another node", func(t *testing.T, c *http.Client, _ council.User) {
			resp := e.postForm(t, c, "/logout", nil)
			resp.Body.Close()
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := e.newMember(t, e.persons[1])
			client := e.loginUser(t, u)
			conn := n.dial(t, client, "")
			if m := readMsg(t, conn); m.Snapshot == nil || m.Snapshot.Role != live.RoleMember {
				t.Fatalf("member snapshot: %+v", m)
			}
			c.end(t, client, u)
			if code := waitClosed(t, conn); code != liveweb.CloseSession {
				t.Fatalf("close code %d, want %d", code, liveweb.CloseSession)
			}
		})
	}
}

// TestLiveWSKeepsSessionAlive: a member who follows a long session only
// through the live websocket (no page requests) is not logged out by the
// idle timeout: the open socket moves the session's idle expiry forward,
// never past the session's absolute deadline.
func TestLiveWSKeepsSessionAlive(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t)
	e.srv.wake.Every = 20 * time.Millisecond
	e.srv.wake.Touch = 0 // keep alive at every check
	ctx := context.Background()
	e.do(t, e.clerkActor(t), live.Start{})

	u := e.newMember(t, e.persons[1])
	client := e.loginUser(t, u)
	token := e.sessionCookie(client).Value
	conn := e.dial(t, client, "")
	if m := readMsg(t, conn); m.Type != live.TypeSnapshot || m.Snapshot.Role != live.RoleMember {
		t.Fatalf("first message %+v, want the member's snapshot", m)
	}
	// The idle timeout is about to end the session.
	_, err := e.srv.pool.Exec(ctx, `UPDATE sessions SET expiry = now() + interval '2 seconds' WHERE token = $1`, token)
	liveMust(t, "shorten the session", err)
	var left time.Duration
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		liveMust(t, "read expiry", e.srv.pool.QueryRow(ctx,
			`SELECT coalesce(extract(epoch FROM expiry - now()), 0) * interval '1 second' FROM sessions WHERE token = $1`, token).Scan(&left))
		if left > time.Hour {
			break
		}
		if time.Since(start) > 30*time.Second {
			t.Fatalf("the session's expiry is %v away after 30 s of an open socket, want it kept alive (about %v)", left, sessionIdle)
		}
	}
	if left > sessionIdle+time.Minute {
		t.Errorf("expiry %v away, want at most the idle timeout %v", left, sessionIdle)
	}
	// Never past the absolute deadline: another session of the member,
	// 10 s before its deadline, is kept alive only until the deadline.
	other := e.sessionCookie(e.loginUser(t, u)).Value
	_, err = e.srv.pool.Exec(ctx, `UPDATE sessions SET expiry = now() + interval '2 seconds' WHERE token = $1`, other)
	liveMust(t, "shorten the other session", err)
	deadline := time.Now().Add(10 * time.Second)
	e.srv.touch(ctx, &sockSession{token: other, user: u.ID, deadline: deadline}, time.Now())
	var expiry time.Time
	liveMust(t, "read expiry", e.srv.pool.QueryRow(ctx, `SELECT expiry FROM sessions WHERE token = $1`, other).Scan(&expiry))
	if d := expiry.Sub(deadline); d < -time.Second || d > time.Second {
		t.Errorf("expiry %v after the touch, want the deadline %v", expiry, deadline)
	}
	conn.Close()
}
