package httperr

import (
	"errors"

	"github.com/plenar/plenar/council"
)

// LogAttrs are the log attributes of a refused request's error: its text
// and, for a database refusal, the driver's error, which names the
// constraint and the SQLSTATE that the user never sees.
func LogAttrs(err error) []any {
	attrs := []any{"err", err}
	var ue *council.UserError
	if errors.As(err, &ue) && ue.Cause != nil {
		attrs = append(attrs, "cause", ue.Cause)
	}
	return attrs
}
