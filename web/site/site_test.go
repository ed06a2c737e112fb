package site

import (
	"crypto/tls"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/plenar/plenar/council"
)

// TestHideMissing: a store's not-found becomes the one not-found error
// that does not say whether the object exists; other errors pass.
func TestHideMissing(t *testing.T) {
	id := council.NewID()
	err := HideMissing(errors.Join(errors.New("load paper: no rows"), council.ErrNotFound), "paper", id)
	if !errors.Is(err, council.ErrNotFound) || err.Error() != NotFound("paper", id).Error() {
		t.Errorf("HideMissing(not found) = %v, want %v", err, NotFound("paper", id))
	}
	if err := HideMissing(council.ErrForbidden, "paper", id); !errors.Is(err, council.ErrForbidden) {
		t.Errorf("HideMissing(forbidden) = %v, want it passed on", err)
	}
}

func TestBaseURL(t *testing.T) {
	r := httptest.NewRequest("GET", "http://rat.example/papers", nil)
	for _, c := range []struct {
		configured string
		tls        bool
		want       string
	}{
		{"https://ratsinfo.musterstadt.de/", false, "https://ratsinfo.musterstadt.de"},
		{"", false, "http://rat.example"},
		{"", true, "https://rat.example"},
	} {
		r.TLS = nil
		if c.tls {
			r.TLS = &tls.ConnectionState{}
		}
		if got := BaseURL(c.configured, r); got != c.want {
			t.Errorf("BaseURL(%q, tls %t) = %q, want %q", c.configured, c.tls, got, c.want)
		}
	}
}
