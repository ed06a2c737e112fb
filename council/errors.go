package council

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error kinds. Stores and services wrap one of these with %w; the web
// package maps them to HTTP status codes in one table.
var (
	ErrNotFound     = errors.New("not found")
	ErrInvalid      = errors.New("invalid")
	ErrConflict     = errors.New("conflict")
	ErrForbidden    = errors.New("forbidden")
	ErrUnauthorized = errors.New("unauthorized")
	ErrUnavailable  = errors.New("unavailable")
)

// FieldErrors collects validation messages per form field. A message is a
// translation key (e.g. "err.required"), so the web layer can show it in
// the user's language. It matches ErrInvalid with errors.Is.
type FieldErrors map[string]string

// Add records msg for field unless the field already has a message.
func (fe FieldErrors) Add(field, msg string) {
	if _, ok := fe[field]; !ok {
		fe[field] = msg
	}
}

// Err returns fe as an error, or nil when it is empty.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}

func (fe FieldErrors) Error() string {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + fe[k]
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Is makes errors.Is(fe, ErrInvalid) true.
func (fe FieldErrors) Is(target error) bool { return target == ErrInvalid }

// Invalidf returns an error wrapping ErrInvalid with a message.
func Invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}
