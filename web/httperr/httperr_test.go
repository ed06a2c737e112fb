package httperr_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/web/httperr"
)

// TestKindStatus: every kind council knows has its status, and Status
// finds it through wrapping.
func TestKindStatus(t *testing.T) {
	t.Parallel()
	want := map[council.Kind]int{
		council.KindNotFound:     http.StatusNotFound,
		council.KindInvalid:      http.StatusBadRequest,
		council.KindConflict:     http.StatusConflict,
		council.KindUnauthorized: http.StatusUnauthorized,
		council.KindForbidden:    http.StatusForbidden,
		council.KindUnavailable:  http.StatusServiceUnavailable,
		council.KindInternal:     http.StatusInternalServerError,
	}
	if len(council.Kinds()) != len(want) {
		t.Errorf("council has %d kinds, the test knows %d: give the new one its status", len(council.Kinds()), len(want))
	}
	for _, k := range council.Kinds() {
		w, ok := want[k]
		if !ok {
			t.Errorf("kind %s: no status in the test", k)
			continue
		}
		if got := httperr.KindStatus(k); got != w {
			t.Errorf("KindStatus(%s) = %d, want %d", k, got, w)
		}
		err := fmt.Errorf("op: %w", errors.New("boom"))
		if k.Err() != nil {
			err = fmt.Errorf("op: %w: detail", k.Err())
		}
		if got := httperr.Status(err); got != w {
			t.Errorf("Status(%v) = %d, want %d", err, got, w)
		}
	}
	if got := httperr.KindStatus("teapot"); got != http.StatusInternalServerError {
		t.Errorf("KindStatus(unknown) = %d, want 500", got)
	}
}

// TestStatusTransport: the statuses of the transport's own errors.
func TestStatusTransport(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want int
	}{
		{fmt.Errorf("read form: %w", &http.MaxBytesError{Limit: 5}), http.StatusRequestEntityTooLarge},
		{fmt.Errorf("%w: use GET", httperr.ErrMethodNotAllowed), http.StatusMethodNotAllowed},
		{council.FieldErrors{"name": council.MsgRequired}, http.StatusBadRequest},
		{&council.UserError{Kind: council.ErrConflict, Key: council.MsgExists, Text: "this entry already exists"}, http.StatusConflict},
	} {
		if got := httperr.Status(tc.err); got != tc.want {
			t.Errorf("Status(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}
