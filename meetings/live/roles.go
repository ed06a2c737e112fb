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

// CommandName names a command.
type CommandName string

// Commands.
const (
	CmdStart            CommandName = "start"
	CmdClose            CommandName = "close"
	CmdNextItem         CommandName = "next_item"
	CmdPreviousItem     CommandName = "previous_item"
	CmdSetPart          CommandName = "set_part"
	CmdCheckIn          CommandName = "check_in"
	CmdCheckOut         CommandName = "check_out"
	CmdJoinRemote       CommandName = "join_remote"
	CmdLeaveRemote      CommandName = "leave_remote"
	CmdDeclareConflict  CommandName = "declare_conflict"
	CmdRaiseHand        CommandName = "raise_hand"
	CmdWithdrawHand     CommandName = "withdraw_hand"
	CmdGrantFloor       CommandName = "grant_floor"
	CmdEndFloor         CommandName = "end_floor"
	CmdFindQuorum       CommandName = "find_quorum"
	CmdComplain         CommandName = "complain"
	CmdConfirmNonPublic CommandName = "confirm_non_public"
	CmdResolveComplaint CommandName = "resolve_complaint"
)

// permission says who may give a command: the chair and the clerk for any
// member, a member (the chair included) for themself, and the system.
type permission struct{ chair, clerk, self, system bool }

// permissionOf is the command table (docs/DOMAIN.md, "Live sessions"). The
// clerk may run the chair's console (agenda, part, floor) on the chair's
// instruction, but only the chair formally finds the quorum; checking in
// members present in the room is the clerk's job. (A switch, not a map:
// no package-level mutable state.)
func permissionOf(c CommandName) (permission, bool) {
	switch c {
	case CmdStart, CmdClose, CmdNextItem, CmdPreviousItem, CmdSetPart, CmdGrantFloor, CmdEndFloor:
		return permission{chair: true, clerk: true}, true
	case CmdFindQuorum:
		return permission{chair: true}, true
	case CmdResolveComplaint:
		return permission{chair: true, clerk: true}, true
	case CmdCheckIn, CmdCheckOut:
		return permission{clerk: true}, true
	case CmdJoinRemote, CmdLeaveRemote:
		// Remote presence follows a live media connection (docs/DOMAIN.md,
		// "Attendance"): only
		// the system, seeing the connection, may say so.
		return permission{system: true}, true
	case CmdRaiseHand:
		return permission{clerk: true, self: true}, true
	case CmdDeclareConflict, CmdWithdrawHand:
		return permission{chair: true, clerk: true, self: true}, true
	case CmdComplain, CmdConfirmNonPublic:
		return permission{self: true}, true
	}
	return permission{}, false
}

// SystemOnly reports whether only the system may give c (remote presence).
func (c CommandName) SystemOnly() bool {
	p, ok := permissionOf(c)
	return ok && p.system && !p.chair && !p.clerk && !p.self
}

// Known reports whether c is a command.
func (c CommandName) Known() bool { _, ok := permissionOf(c); return ok }

// Allowed reports whether role may give command c; self says whether the
// command concerns the actor's own person.
func Allowed(role Role, c CommandName, self bool) bool {
	p, ok := permissionOf(c)
	if !ok {
		return false
	}
	switch role {
	case RoleSystem:
		return p.system
	case RoleClerk:
		return p.clerk
	case RoleChair:
		return p.chair || (p.self && self)
	case RoleMember:
		return p.self && self
	}
	return false
}
