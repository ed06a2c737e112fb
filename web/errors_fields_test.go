package web

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/plenar/plenar/council"
)

// TestUserMessageFieldErrors: validation errors that reach the error page
// (a hand-made request past the form) are shown in the user's language,
// never as raw translation keys ("invalid input: name: err.required").
func TestUserMessageFieldErrors(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	fe := council.FieldErrors{"name": council.MsgRequired, "end": council.MsgDateOrder}
	for lang, want := range map[string][]string{
		"de": {"Die Eingabe ist unvollständig oder ungültig:", "name – Bitte ausfüllen."},
		"en": {"The input is incomplete or not valid:", "name – Please fill this in."},
	} {
		r := httptest.NewRequest("POST", "/admin/organizations", nil)
		r = r.WithContext(context.WithValue(r.Context(), stateKey{}, &requestState{lang: lang}))
		got := e.srv.userMessage(r, fe)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: message %q, want %q in it", lang, got, w)
			}
		}
		if strings.Contains(got, "err.") {
			t.Errorf("%s: message %q shows a translation key", lang, got)
		}
	}
}
