package httperr

import (
	"errors"
	"net/http"

	"github.com/plenar/plenar/council"
)

// ErrMethodNotAllowed is the error of a route that exists for other
// methods: 405.
var ErrMethodNotAllowed = errors.New("method not allowed")

// Status returns the HTTP status for err: 413 for a body over its limit
// (*http.MaxBytesError), 405 for ErrMethodNotAllowed, otherwise the status
// of its kind (KindStatus).
func Status(err error) int {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrMethodNotAllowed):
		return http.StatusMethodNotAllowed
	}
	return KindStatus(council.KindOf(err))
}

// KindStatus is the table: the HTTP status of each error kind, 500 for
// KindInternal and unknown kinds.
func KindStatus(k council.Kind) int {
	switch k {
	case council.KindNotFound:
		return http.StatusNotFound
	case council.KindInvalid:
		return http.StatusBadRequest
	case council.KindConflict:
		return http.StatusConflict
	case council.KindUnauthorized:
		return http.StatusUnauthorized
	case council.KindForbidden:
		return http.StatusForbidden
	case council.KindUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
