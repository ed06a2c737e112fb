package meetings

import (
	"time"

	"github.com/plenar/plenar/council"
)

// Mode is how a member attends a live session.
type Mode string

// Attendance modes (docs/DOMAIN.md, "Attendance"): checked in by the
// clerk, connected with live audio and video, or neither.
const (
	InRoom Mode = "room"
	Remote Mode = "remote"
	Absent Mode = "absent"
)

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool { return m == InRoom || m == Remote || m == Absent }

// Present reports whether a member in mode m counts as present.
func (m Mode) Present() bool { return m == InRoom || m == Remote }

// Attendee is one roster entry of a live session: a member of the
// meeting's organizations with their current attendance.
type Attendee struct {
	PersonID council.ID
	Name     string
	Role     string
	Voting   bool // has a voting right (counts for quorum)
	Mode     Mode
	Since    time.Time // when Mode last changed; zero: never
	// Connected: a live audio/video connection of the member is up (after
	// its grace period for short drops). A member in the room may be
	// connected too; Mode stays InRoom.
	Connected bool
}
