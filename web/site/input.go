package site

import (
	"fmt"
	"io"
	"mime/multipart"
	"strings"
	"unicode/utf8"

	"github.com/plenar/plenar/council"
)

// ErrBadChars is the 400 for text with a NUL byte or invalid UTF-8, which
// PostgreSQL refuses in text columns (SQLSTATE 22021). The server shows
// its message translated (key err.bad_chars).
var ErrBadChars = fmt.Errorf("%w: the input contains invalid characters", council.ErrInvalid)

// ValidText reports whether s is UTF-8 without NUL bytes.
func ValidText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// TextPart reads a small text field of a streamed multipart form (at most
// 4 KiB) and checks it. Errors: ErrBadChars; ErrInvalid on a broken stream.
func TextPart(p *multipart.Part) (string, error) {
	b, err := io.ReadAll(io.LimitReader(p, 4096))
	if err != nil {
		return "", fmt.Errorf("%w: upload form: %w", council.ErrInvalid, err)
	}
	if !ValidText(string(b)) {
		return "", ErrBadChars
	}
	return string(b), nil
}
