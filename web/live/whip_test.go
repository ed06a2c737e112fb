package liveweb

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/web/httperr"
)

// TestPlainUsesTheTable: the plain adapter of WHIP and WHEP answers every
// error kind with httperr's status (401 with a Bearer challenge, 503 with
// Retry-After), and a database refusal with the user's words only (the
// page and JSON adapters' twin is package web's TestAdaptersUseTheTable).
func TestPlainUsesTheTable(t *testing.T) {
	t.Parallel()
	s := &server{Deps: Deps{Log: slog.New(slog.DiscardHandler)}}
	for _, k := range council.Kinds() {
		err := errors.New("boom")
		if k.Err() != nil {
			err = fmt.Errorf("op: %w", k.Err())
		}
		rec := httptest.NewRecorder()
		s.plain(func(http.ResponseWriter, *http.Request) error { return err }).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/x", nil))
		want := httperr.KindStatus(k)
		if rec.Code != want {
			t.Errorf("kind %s: status %d, want %d", k, rec.Code, want)
		}
		if got := rec.Header().Get("WWW-Authenticate"); (want == http.StatusUnauthorized) != strings.HasPrefix(got, "Bearer") {
			t.Errorf("kind %s: WWW-Authenticate %q", k, got)
		}
		if got := rec.Header().Get("Retry-After"); (want == http.StatusServiceUnavailable) != (got == "30") {
			t.Errorf("kind %s: Retry-After %q", k, got)
		}
		if rec.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("kind %s: no CORS header", k)
		}
	}
	refusal := council.TranslateError(&pgconn.PgError{Code: "23505", ConstraintName: "secret_key",
		Message: `duplicate key value violates unique constraint "secret_key"`})
	rec := httptest.NewRecorder()
	s.plain(func(http.ResponseWriter, *http.Request) error { return fmt.Errorf("save: %w", refusal) }).
		ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/x?lang=en", nil))
	body := rec.Body.String()
	if rec.Code != http.StatusConflict || !strings.Contains(body, "already exists") {
		t.Errorf("unique violation: %d %.300s", rec.Code, body)
	}
	for _, bad := range []string{"secret_key", "SQLSTATE", "violates", "duplicate key", "constraint"} {
		if strings.Contains(body, bad) {
			t.Errorf("unique violation: the answer %q contains %q", body, bad)
		}
	}
}
