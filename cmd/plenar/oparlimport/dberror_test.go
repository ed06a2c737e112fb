package oparlimport

import (
	"errors"
	"fmt"
	"testing"
)

// TestIsDBError: only errors marked dbError abort a run, however they are
// wrapped; a source's error that happens to read "progress:" does not.
func TestIsDBError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{dbError{errors.New("connection reset")}, true},
		{fmt.Errorf("list x: %w", dbError{fmt.Errorf("progress: %w", errors.New("timeout"))}), true},
		{errors.New("progress: the source's own words"), false},
		{fmt.Errorf("fetch: %w", errors.New("503")), false},
	} {
		if got := isDBError(tc.err); got != tc.want {
			t.Errorf("isDBError(%v) = %t, want %t", tc.err, got, tc.want)
		}
	}
}
