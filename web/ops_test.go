package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// TestOperatorEndpoints covers the stable interfaces operators rely on:
// /healthz, /metrics (loopback or token only) and the security headers.
func TestOperatorEndpoints(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.srv.opt.MetricsToken = "s3cret-token"
	c := e.anon()

	if status, body := e.get(t, c, "/healthz"); status != http.StatusOK || strings.TrimSpace(body) != "ok" {
		t.Errorf("GET /healthz = %d %q, want 200 ok", status, body)
	}
	e.get(t, c, "/") // one request so the counters have a route
	status, body := e.get(t, c, "/metrics")
	if status != http.StatusOK {
		t.Fatalf("GET /metrics from loopback = %d, want 200", status)
	}
	mustContain(t, "metrics", body, `plenar_http_requests_total{method="GET",route="/",status="200"}`,
		"plenar_http_request_duration_seconds_bucket", `plenar_build_info{version="test"} 1`,
		`plenar_db_pool_connections{state="idle"}`, "plenar_db_pool_max_connections", "go_goroutines")

	remote := func(auth string) int {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		req.RemoteAddr = "203.0.113.7:40000"
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, req)
		return rec.Code
	}
	for _, tc := range []struct {
		auth string
		want int
	}{{"", http.StatusNotFound}, {"Bearer wrong", http.StatusNotFound}, {"Bearer s3cret-token", http.StatusOK}} {
		if got := remote(tc.auth); got != tc.want {
			t.Errorf("GET /metrics from a remote address with Authorization %q = %d, want %d", tc.auth, got, tc.want)
		}
	}
	// Behind a proxy (X-Forwarded-For) loopback alone is not enough.
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/metrics", nil)
	req.Header.Set("X-Forwarded-For", "198.51.100.1")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics via a proxy without token = %d, want 404", resp.StatusCode)
	}

	resp, err = c.Get(e.ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for h, want := range map[string]string{
		"Content-Security-Policy": "script-src 'self'",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "strict-origin-when-cross-origin",
	} {
		if got := resp.Header.Get(h); !strings.Contains(got, want) {
			t.Errorf("header %s = %q, want it to contain %q", h, got, want)
		}
	}
	if strings.Contains(resp.Header.Get("Content-Security-Policy"), "unsafe-inline") {
		t.Errorf("CSP allows unsafe-inline: %q", resp.Header.Get("Content-Security-Policy"))
	}
}

// TestHSTS: Strict-Transport-Security only with an https:// base URL (a
// plain-HTTP site must not pin browsers to HTTPS it does not serve).
func TestHSTS(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	for _, tc := range []struct{ base, want string }{
		{"http://plenar.test", ""},
		{"https://ratsinfo.musterstadt.example", "max-age=63072000; includeSubDomains"},
		{"HTTPS://ratsinfo.musterstadt.example/", "max-age=63072000; includeSubDomains"},
	} {
		srv, err := New(Options{Pool: e.srv.pool, BaseURL: tc.base, Version: "test"})
		if err != nil {
			t.Fatalf("New(BaseURL %s): %v", tc.base, err)
		}
		for _, path := range []string{"/", "/nowhere", "/healthz"} {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if got := rec.Header().Get("Strict-Transport-Security"); got != tc.want {
				t.Errorf("base URL %s, GET %s: Strict-Transport-Security = %q, want %q", tc.base, path, got, tc.want)
			}
		}
	}
}

// TestBadRequests checks that garbage gets a clear status and page.
func TestBadRequests(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.anon()
	for _, tc := range []struct {
		method, path string
		body         io.Reader
		want         int
		text         string
	}{
		{http.MethodGet, "/nowhere", nil, http.StatusNotFound, "Diese Seite gibt es nicht."},
		{http.MethodGet, "/meetings/not-a-uuid", nil, http.StatusBadRequest, "ungültig"},
		{http.MethodGet, "/meetings/7d0a5c55-4b3f-4c1e-9a51-5b8f1b9d0a11", nil, http.StatusNotFound, "Diese Seite gibt es nicht."},
		{http.MethodGet, "/papers/7d0a5c55-4b3f-4c1e-9a51-5b8f1b9d0a11?lang=en", nil, http.StatusNotFound, "This page does not exist."},
		{http.MethodDelete, "/meetings", nil, http.StatusMethodNotAllowed, "nicht erlaubt"},
		{http.MethodPut, "/healthz", nil, http.StatusMethodNotAllowed, ""},
		{http.MethodPost, "/login", strings.NewReader(strings.Repeat("x", 2<<20)), http.StatusRequestEntityTooLarge, ""},
	} {
		req, err := http.NewRequest(tc.method, e.ts.URL+tc.path, tc.body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", e.ts.URL)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.method, tc.path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s %s = %d, want %d", tc.method, tc.path, resp.StatusCode, tc.want)
		}
		if tc.text != "" && !strings.Contains(string(b), tc.text) {
			t.Errorf("%s %s: page lacks %q", tc.method, tc.path, tc.text)
		}
	}
}

// TestDatabaseDown: with PostgreSQL unreachable, pages answer 503 with a
// page (no crash, no driver message) and /healthz says 503.
func TestDatabaseDown(t *testing.T) {
	t.Parallel()
	pool, err := pgxpool.New(context.Background(), "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	srv, err := New(Options{Pool: pool, Version: "test", InsecureCookies: true})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	for _, path := range []string{"/healthz", "/", "/meetings", "/papers", "/bodies"} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("GET %s with the database down = %d, want 503", path, resp.StatusCode)
		}
		if strings.Contains(string(b), "127.0.0.1:1") || strings.Contains(string(b), "dial") {
			t.Errorf("GET %s: the 503 page shows the driver's message: %.200s", path, b)
		}
	}
}
