package live

import "github.com/plenar/plenar/council"

// Audience is who may see an event or a snapshot. Audiences are ordered:
// members see everything public, staff see everything.
type Audience string

// Audiences.
const (
	AudiencePublic  Audience = "public"
	AudienceMembers Audience = "members"
	AudienceStaff   Audience = "staff"
)

func (a Audience) rank() int {
	switch a {
	case AudienceStaff:
		return 2
	case AudienceMembers:
		return 1
	}
	return 0
}

// Sees reports whether audience a may see what is meant for b.
func (a Audience) Sees(b Audience) bool { return a.rank() >= b.rank() }

// Role is what an actor is in one live session.
type Role string

// Roles in a session. The chair is the person named when the session
// starts; the clerk is any staff user; a member is a person on the roster.
const (
	RolePublic Role = "public"
	RoleMember Role = "member"
	RoleChair  Role = "chair"
	RoleClerk  Role = "clerk"
	// RoleSystem is the server itself acting on what it observes, not on a
	// client's word: the media layer (Presence) joins and leaves remote
	// members. No client message can carry it (see Actor.System).
	RoleSystem Role = "system"
)

// Audience returns what role r may see.
func (r Role) Audience() Audience {
	switch r {
	case RoleChair, RoleClerk, RoleSystem:
		return AudienceStaff
	case RoleMember:
		return AudienceMembers
	}
	return AudiencePublic
}

// Actor is who gives a command or subscribes: the viewer (anonymous or a
// user with role and organizations) and the person the user account is
// linked to (NilID: none), or the system.
type Actor struct {
	council.Viewer
	PersonID council.ID
	// System marks the server acting on its own observation (a media
	// connection came up or went away). Only in-process callers set it —
	// the web layer builds actors from the session and DecodeClient has
	// no field for it — so a client cannot claim remote presence without
	// media.
	System bool
}

// SystemActor is the actor of commands the server gives itself (Presence),
// and of subscriptions that must see everything (driving the SFU).
func SystemActor() Actor { return Actor{System: true} }
