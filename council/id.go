package council

import (
	"fmt"

	"github.com/google/uuid"
)

// ID is the stable identifier of every Plenar object: a UUID.
type ID = uuid.UUID

// NilID is the zero ID, meaning "none".
var NilID = uuid.Nil

// ParseID parses s as an ID; a malformed s gives an error wrapping ErrInvalid.
func ParseID(s string) (ID, error) {
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		return NilID, fmt.Errorf("%w: malformed id %q", ErrInvalid, s)
	}
	return id, nil
}

// NewID returns a new random ID.
func NewID() ID { return uuid.New() }
