package oparl

import (
	"encoding/json"
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

// TestErrorStatus: the API answers every error kind with the status of
// web/httperr's table, the one web's pages use, as an OParl error object;
// a database refusal shows the user's words, not the constraint.
func TestErrorStatus(t *testing.T) {
	t.Parallel()
	h := &Handler{log: slog.New(slog.DiscardHandler)}
	serve := func(err error) (int, apiError) {
		t.Helper()
		rec := httptest.NewRecorder()
		h.serve(func(*http.Request) (any, error) { return nil, err }).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/oparl/v1.1/x", nil))
		var out apiError
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("error body %q: %v", rec.Body, err)
		}
		return rec.Code, out
	}
	for _, k := range council.Kinds() {
		err := errors.New("boom password=secret")
		if k.Err() != nil {
			err = fmt.Errorf("op: %w", k.Err())
		}
		want := httperr.KindStatus(k)
		status, body := serve(err)
		if status != want || body.Status != want || body.Type != schemaBase+"Error" {
			t.Errorf("kind %s: %d %+v, want %d", k, status, body, want)
		}
		if strings.Contains(body.Message, "secret") {
			t.Errorf("kind %s: message %q shows an internal error's text", k, body.Message)
		}
	}
	if status, _ := serve(fmt.Errorf("%w: use GET or HEAD", httperr.ErrMethodNotAllowed)); status != http.StatusMethodNotAllowed {
		t.Errorf("method not allowed: %d, want 405", status)
	}
	for _, tc := range []struct {
		code   string
		status int
		msg    string
	}{
		{"23505", http.StatusConflict, "this entry already exists"},
		{"23514", http.StatusBadRequest, "a value is not valid"},
	} {
		refusal := council.TranslateError(&pgconn.PgError{Code: tc.code, ConstraintName: "secret_check",
			Message: `new row violates check constraint "secret_check"`})
		status, body := serve(fmt.Errorf("load: %w", refusal))
		if status != tc.status || !strings.Contains(body.Message, tc.msg) {
			t.Errorf("SQLSTATE %s: %d %+v, want %d with %q", tc.code, status, body, tc.status, tc.msg)
		}
		for _, bad := range []string{"secret_check", "SQLSTATE", "violates", "constraint"} {
			if strings.Contains(body.Message, bad) {
				t.Errorf("SQLSTATE %s: message %q shows %q", tc.code, body.Message, bad)
			}
		}
	}
}
