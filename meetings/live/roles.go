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
)

// Audience returns what role r may see.
func (r Role) Audience() Audience {
	switch r {
	case RoleChair, RoleClerk:
		return AudienceStaff
	case RoleMember:
		return AudienceMembers
	}
	return AudiencePublic
}

// Actor is who gives a command or subscribes: the viewer (anonymous or a
// user with role and organizations) and the person the user account is
// linked to (NilID: none).
type Actor struct {
	council.Viewer
	PersonID council.ID
}

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
)

// permission says who may give a command: the chair and the clerk for any
// member, and a member (the chair included) for themself.
type permission struct{ chair, clerk, self bool }

// permissionOf is the command table (DOMAIN.md, live session rules). The
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
	case CmdCheckIn, CmdCheckOut:
		return permission{clerk: true}, true
	case CmdJoinRemote, CmdLeaveRemote, CmdRaiseHand:
		return permission{clerk: true, self: true}, true
	case CmdDeclareConflict, CmdWithdrawHand:
		return permission{chair: true, clerk: true, self: true}, true
	case CmdComplain, CmdConfirmNonPublic:
		return permission{self: true}, true
	}
	return permission{}, false
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
	case RoleClerk:
		return p.clerk
	case RoleChair:
		return p.chair || (p.self && self)
	case RoleMember:
		return p.self && self
	}
	return false
}
