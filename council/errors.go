package council

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error kinds. Stores and services wrap one of these with %w; KindOf names
// the kind of an error, and the transports derive what they send from that
// name alone: web/httperr maps it to the HTTP status (pages, the JSON API,
// OParl, WHIP/WHEP), the live protocol sends it as its error code.
var (
	ErrNotFound     = errors.New("not found")
	ErrInvalid      = errors.New("invalid")
	ErrConflict     = errors.New("conflict")
	ErrForbidden    = errors.New("forbidden")
	ErrUnauthorized = errors.New("unauthorized")
	ErrUnavailable  = errors.New("unavailable")
)

// Kind is the name of an error kind, as the live protocol sends it.
type Kind string

// The kinds, one per sentinel error, and KindInternal for every other
// error (a bug or a failure the user cannot mend; its text is never shown).
const (
	KindNotFound     Kind = "not_found"
	KindInvalid      Kind = "invalid"
	KindConflict     Kind = "conflict"
	KindUnauthorized Kind = "unauthorized"
	KindForbidden    Kind = "forbidden"
	KindUnavailable  Kind = "unavailable"
	KindInternal     Kind = "internal"
)

// Kinds returns every kind in the order KindOf tries them, KindInternal
// last.
func Kinds() []Kind {
	return []Kind{KindNotFound, KindInvalid, KindConflict, KindUnauthorized, KindForbidden, KindUnavailable, KindInternal}
}

// Err returns the sentinel error of k (ErrNotFound for KindNotFound …);
// nil for KindInternal and unknown kinds.
func (k Kind) Err() error {
	switch k {
	case KindNotFound:
		return ErrNotFound
	case KindInvalid:
		return ErrInvalid
	case KindConflict:
		return ErrConflict
	case KindUnauthorized:
		return ErrUnauthorized
	case KindForbidden:
		return ErrForbidden
	case KindUnavailable:
		return ErrUnavailable
	}
	return nil
}

// KindOf returns the kind of err: the first of Kinds whose sentinel err
// wraps (errors.Is), KindInternal when it wraps none.
func KindOf(err error) Kind {
	for _, k := range Kinds() {
		if s := k.Err(); s != nil && errors.Is(err, s) {
			return k
		}
	}
	return KindInternal
}

// UserError is an error of one kind whose text is meant for the user: what
// went wrong in their words, never SQL, a constraint's name or a SQLSTATE.
// TranslateError returns one for the database's refusals (a duplicate, a
// value a check rejects). Key is its translation key (see web/i18n), as in
// FieldErrors; Error gives the English text for transports without
// translations (OParl, the live protocol). Cause is the driver's error,
// which names the constraint: it is for the log only.
type UserError struct {
	Kind  error  // ErrConflict, ErrInvalid, …: errors.Is(e, Kind) holds
	Key   string // translation key, e.g. MsgExists
	Text  string // the same message in English
	Cause error  // for the log only; errors.As reaches it
}

func (e *UserError) Error() string { return e.Text }

// Is makes errors.Is(e, e.Kind) true.
func (e *UserError) Is(target error) bool { return target == e.Kind }

// Unwrap returns the cause, so that errors.As still finds the driver's
// error (its Error text is not part of e's).
func (e *UserError) Unwrap() error { return e.Cause }

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
