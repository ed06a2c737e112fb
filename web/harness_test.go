package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/migrations/pgtest"
)

// testEnv is a Server on a fresh database with one body, served by httptest.
type testEnv struct {
	srv      *Server
	ts       *httptest.Server
	council  *council.Store
	meetings *meetings.Store
	body     council.Body
}

func newTestEnv(t testing.TB) *testEnv {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	if os.Getenv("PLENAR_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return newTestEnvLog(t, log)
}

// newTestEnvLog is newTestEnv with the server logging to log.
func newTestEnvLog(t testing.TB, log *slog.Logger) *testEnv {
	t.Helper()
	return newTestEnvWith(t, log, nil)
}

// newTestEnvWith is newTestEnvLog with options changed by with (nil:
// none) before the server is made.
func newTestEnvWith(t testing.TB, log *slog.Logger, with func(*Options)) *testEnv {
	t.Helper()
	pool := pgtest.New(t)
	opt := Options{Pool: pool, Log: log, BaseURL: "http://plenar.test", Version: "test", InsecureCookies: true,
		DataDir: t.TempDir()}
	if with != nil {
		with(&opt)
	}
	srv, err := New(opt)
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	cs := council.NewStore(pool)
	body, err := cs.CreateBody(context.Background(), council.Body{Name: "Stadt Musterstadt", ShortName: "Musterstadt"})
	if err != nil {
		t.Fatalf("create body: %v", err)
	}
	return &testEnv{srv: srv, ts: ts, council: cs, meetings: meetings.NewStore(pool), body: body}
}

// anon returns a client without a session that does not follow redirects.
func (e *testEnv) anon() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// get fetches path with c and returns status and body.
func (e *testEnv) get(t *testing.T, c *http.Client, path string) (int, string) {
	t.Helper()
	resp, err := c.Get(e.ts.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read: %v", path, err)
	}
	return resp.StatusCode, string(b)
}

// mustContain fails unless body contains every want.
func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: missing %q", what, w)
		}
	}
}

// mustNotContain fails if body contains any of bad.
func mustNotContain(t *testing.T, what, body string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(body, b) {
			t.Errorf("%s: must not contain %q", what, b)
		}
	}
}
