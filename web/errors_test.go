package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/web/httperr"
	"github.com/plenar/plenar/web/site"
)

// lockedBuffer is a log sink that a test reads while the server writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// dbWords are what no page or JSON error may show: the database's words.
var dbWords = []string{"SQLSTATE", "violates", "duplicate key", "constraint"}

// addConstraints runs ddl on e's database.
func (e *testEnv) addConstraints(t *testing.T, ddl ...string) {
	t.Helper()
	for _, q := range ddl {
		if _, err := e.srv.pool.Exec(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// TestDatabaseRefusalsPage: a unique and a check violation reached through
// the back office's organization form answer 409 and 400 with a page that
// says what went wrong in the user's language and shows neither the
// constraint nor SQL; the constraint's name goes to the log.
//
// The form's own checks catch every rule the schema has today before
// PostgreSQL sees it, so the test adds two rules only the database knows:
// one organization per name and body, and websites on https only.
func TestDatabaseRefusalsPage(t *testing.T) {
	t.Parallel()
	logs := &lockedBuffer{}
	e := newTestEnvLog(t, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	e.addConstraints(t,
		`CREATE UNIQUE INDEX organizations_test_one_name ON organizations (body_id, name) WHERE NOT deleted`,
		`ALTER TABLE organizations ADD CONSTRAINT organizations_test_https CHECK (website = '' OR website LIKE 'https://%')`)
	clerk, _ := e.login(t, council.RoleClerk)
	e.mustRedirect(t, clerk, "/admin/organizations", url.Values{"name": {"Bauausschuss"}, "kind": {"committee"}}, "/admin/organizations/")

	dup := url.Values{"name": {"Bauausschuss"}, "kind": {"committee"}}
	insecure := url.Values{"name": {"Jugendhilfeausschuss"}, "kind": {"committee"}, "website": {"http://example.org/jha"}}
	for _, tc := range []struct {
		name, path string
		form       url.Values
		status     int
		msg        string
		constraint string
	}{
		{"unique", "/admin/organizations", dup, 409, "Diesen Eintrag gibt es schon.", "organizations_test_one_name"},
		{"unique, English", "/admin/organizations?lang=en", dup, 409, "This entry already exists.", "organizations_test_one_name"},
		{"check", "/admin/organizations", insecure, 400, "Ein Wert ist ungültig.", "organizations_test_https"},
		{"check, English", "/admin/organizations?lang=en", insecure, 400, "A value is not valid.", "organizations_test_https"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := e.adminPost(t, clerk, tc.path, tc.form)
			if status != tc.status {
				t.Fatalf("POST %s %v: got %d, want %d\n%s", tc.path, tc.form, status, tc.status, excerpt(body))
			}
			mustContain(t, tc.name, body, tc.msg)
			mustNotContain(t, tc.name, body, append([]string{tc.constraint}, dbWords...)...)
			if !strings.Contains(logs.String(), tc.constraint) {
				t.Errorf("%s: the log does not name the constraint %s", tc.name, tc.constraint)
			}
		})
	}
	if orgs, err := e.council.Organizations(context.Background(), e.body.ID); err != nil || len(orgs) != 1 {
		t.Errorf("after the refused forms: %d organizations (err %v), want 1", len(orgs), err)
	}
}

// TestDatabaseRefusalsJSON: the same through the JSON API — creating a
// live media token with a label taken or one a check refuses — answers
// {"error": {"status": 409 or 400, "message": …}} in the user's words.
func TestDatabaseRefusalsJSON(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t)
	e.addConstraints(t,
		`CREATE UNIQUE INDEX media_tokens_test_one_label ON media_tokens (meeting_id, label)`,
		`ALTER TABLE media_tokens ADD CONSTRAINT media_tokens_test_no_brackets CHECK (label !~ '[<>]')`)
	clerk, _ := e.login(t, council.RoleClerk)
	path := "/admin/meetings/" + e.meeting.ID.String() + "/live/tokens"
	resp := e.postForm(t, clerk, path, url.Values{"label": {"OBS Saal"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("first token: %d", resp.StatusCode)
	}
	for _, tc := range []struct {
		name, query, label string
		status             int
		msg, constraint    string
	}{
		{"unique", "", "OBS Saal", 409, "Diesen Eintrag gibt es schon.", "media_tokens_test_one_label"},
		{"unique, English", "?lang=en", "OBS Saal", 409, "This entry already exists.", "media_tokens_test_one_label"},
		{"check", "", "<OBS>", 400, "Ein Wert ist ungültig.", "media_tokens_test_no_brackets"},
		{"check, English", "?lang=en", "<OBS>", 400, "A value is not valid.", "media_tokens_test_no_brackets"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := e.postForm(t, clerk, path+tc.query, url.Values{"label": {tc.label}})
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			var out struct {
				Error struct {
					Status  int    `json:"status"`
					Message string `json:"message"`
				} `json:"error"`
			}
			if err := json.Unmarshal(b, &out); err != nil || resp.StatusCode != tc.status || out.Error.Status != tc.status ||
				out.Error.Message != tc.msg {
				t.Fatalf("POST %s label %q: %d %s (%v), want %d with %q", path+tc.query, tc.label, resp.StatusCode, b, err, tc.status, tc.msg)
			}
			mustNotContain(t, tc.name, string(b), append([]string{tc.constraint, "media_tokens"}, dbWords...)...)
		})
	}
}

// newOfflineServer is a Server whose database never answers, for tests of
// the adapters alone.
func newOfflineServer(t *testing.T, log *slog.Logger) *Server {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	srv, err := New(Options{Pool: pool, Log: log, Version: "test", InsecureCookies: true})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// TestAdaptersUseTheTable: the page and JSON adapters answer every error
// kind with httperr's status, and a database refusal with the user's
// words only (the plain adapter of WHIP and WHEP: web/live's
// TestPlainUsesTheTable).
func TestAdaptersUseTheTable(t *testing.T) {
	t.Parallel()
	srv := newOfflineServer(t, slog.New(slog.DiscardHandler))
	refusal := council.TranslateError(&pgconn.PgError{Code: "23505", ConstraintName: "secret_key",
		Message: `duplicate key value violates unique constraint "secret_key"`})
	type adapter func(site.HandlerFunc) http.HandlerFunc
	for name, adapt := range map[string]adapter{"page": srv.h, "json": srv.api} {
		for _, k := range council.Kinds() {
			err := errors.New("boom")
			if k.Err() != nil {
				err = fmt.Errorf("op: %w", k.Err())
			}
			rec := httptest.NewRecorder()
			adapt(func(http.ResponseWriter, *http.Request) error { return err }).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x", nil))
			if want := httperr.KindStatus(k); rec.Code != want {
				t.Errorf("%s adapter, kind %s: status %d, want %d", name, k, rec.Code, want)
			}
		}
		rec := httptest.NewRecorder()
		adapt(func(http.ResponseWriter, *http.Request) error { return fmt.Errorf("save: %w", refusal) }).
			ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x?lang=en", nil))
		body := rec.Body.String()
		if rec.Code != http.StatusConflict || !strings.Contains(body, "already exists") {
			t.Errorf("%s adapter, unique violation: %d %.300s", name, rec.Code, body)
		}
		mustNotContain(t, name+" adapter", body, append([]string{"secret_key"}, dbWords...)...)
	}
}

// headerCounter counts WriteHeader calls that reach it.
type headerCounter struct {
	http.ResponseWriter
	calls int
}

func (c *headerCounter) WriteHeader(status int) {
	c.calls++
	c.ResponseWriter.WriteHeader(status)
}

// TestMethodNotAllowed: the 405 page writes its header once, with
// Content-Language, through the server's real stack (whose error log
// would say "superfluous WriteHeader") and when called on its own.
func TestMethodNotAllowed(t *testing.T) {
	t.Parallel()
	srv := newOfflineServer(t, slog.New(slog.DiscardHandler))
	errLog := &lockedBuffer{}
	ts := httptest.NewUnstartedServer(srv)
	ts.Config.ErrorLog = log.New(errLog, "", 0)
	ts.Start()
	t.Cleanup(ts.Close)
	for _, lang := range []string{"de", "en"} {
		req, err := http.NewRequest(http.MethodDelete, ts.URL+"/healthz?lang="+lang, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := map[string]string{"de": "Diese Methode ist hier nicht erlaubt.", "en": "This method is not allowed here."}[lang]
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Content-Language") != lang ||
			!strings.Contains(string(b), want) {
			t.Errorf("DELETE /healthz?lang=%s: %d, Content-Language %q, want 405, %s and %q", lang, resp.StatusCode,
				resp.Header.Get("Content-Language"), lang, want)
		}
	}
	if s := errLog.String(); s != "" {
		t.Errorf("the server's error log: %s", s)
	}
	// On its own, under chi's writer wrapper that hides a second call.
	w := &headerCounter{ResponseWriter: httptest.NewRecorder()}
	srv.methodNotAllowed(w, httptest.NewRequest(http.MethodPut, "/meetings", nil))
	rec := w.ResponseWriter.(*httptest.ResponseRecorder)
	if w.calls != 1 || rec.Code != http.StatusMethodNotAllowed || rec.Result().Header.Get("Content-Language") != "de" {
		t.Errorf("methodNotAllowed: %d WriteHeader calls, status %d, Content-Language %q; want 1, 405, de",
			w.calls, rec.Code, rec.Result().Header.Get("Content-Language"))
	}
}

// TestClientGoneIsNoServerError: a request whose client went away (its
// context canceled) is not logged as a failed request nor rendered; the
// metrics see 499. A canceled context of the server's own still fails.
func TestClientGoneIsNoServerError(t *testing.T) {
	t.Parallel()
	var logs syncLog
	e := newTestEnvLog(t, slog.New(slog.NewTextHandler(&logs, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequestWithContext(ctx, http.MethodGet, "/search?q=Haushalt", nil)
	w := httptest.NewRecorder()
	e.srv.fail(w, r, fmt.Errorf("search: %w", context.Canceled))
	if w.Code != 499 || w.Body.Len() != 0 || strings.Contains(logs.String(), "request failed") {
		t.Errorf("client gone: status %d, %d bytes, log %q; want 499, nothing rendered, nothing logged", w.Code, w.Body.Len(), logs.String())
	}
	live := httptest.NewRequest(http.MethodGet, "/search?q=Haushalt", nil)
	w = httptest.NewRecorder()
	e.srv.fail(w, live, fmt.Errorf("search: %w", context.Canceled))
	if w.Code != http.StatusInternalServerError || !strings.Contains(logs.String(), "request failed") {
		t.Errorf("canceled inside the server, client still there: status %d, log %q; want a logged 500", w.Code, logs.String())
	}
}

// syncLog is a log buffer safe for the server's goroutines.
type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.b.Write(p) }
func (l *syncLog) String() string              { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }
