package council

import (
	"fmt"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
)

// MinPasswordLength is the shortest password accepted (NIST SP 800-63B).
const MinPasswordLength = 10

// HashPassword returns an argon2id PHC string for password, with the
// RFC 9106 "second recommended" parameters (64 MiB, 3 passes).
// Errors: ErrInvalid when the password is too short or too long.
func HashPassword(password string) (string, error) {
	n := utf8.RuneCountInString(password)
	if n < MinPasswordLength {
		return "", fmt.Errorf("%w: password must have at least %d characters", ErrInvalid, MinPasswordLength)
	}
	if len(password) > 1024 {
		return "", fmt.Errorf("%w: password too long", ErrInvalid)
	}
	p := &argon2id.Params{Memory: 64 * 1024, Iterations: 3, Parallelism: 2, SaltLength: 16, KeyLength: 32}
	h, err := argon2id.CreateHash(password, p)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// CheckPassword reports whether password matches hash. A malformed hash
// never matches.
func CheckPassword(password, hash string) bool {
	if len(password) > 1024 {
		return false
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok
}
