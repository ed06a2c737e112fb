package council

import (
	"bytes"
	"context"
	"slices"
	"time"
)

// Role is what a logged-in user may do. The anonymous public has no Role.
type Role string

// Roles, from least to most privileged (docs/DOMAIN.md, "Who sees
// what"). Admin does not imply reading secret ballots: nobody can.
const (
	RoleCitizen Role = "citizen"
	RoleMember  Role = "member"
	RoleClerk   Role = "clerk"
	RoleAdmin   Role = "admin"
)

// Roles lists every role.
var Roles = []Role{RoleCitizen, RoleMember, RoleClerk, RoleAdmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// NeedsTOTP reports whether users of role r must use a second factor.
func (r Role) NeedsTOTP() bool { return r == RoleClerk || r == RoleAdmin }

// IsStaff reports whether r works in the back office.
func (r Role) IsStaff() bool { return r == RoleClerk || r == RoleAdmin }

// User is an account. PasswordHash is an argon2id PHC string.
//
// SessionEpoch counts the events that end every session of the user:
// SetPassword, SetTOTP, SetUserDisabled(true) and EndSessions increment it.
// A session remembers the epoch of its login and is void once they differ.
type User struct {
	ID           ID
	Email        string
	DisplayName  string
	PasswordHash string
	Role         Role
	PersonID     ID // NilID: not linked to a person
	TOTPSecret   string
	TOTPEnabled  bool
	TOTPLastStep int64 // last accepted TOTP time step, so a code is never accepted twice
	Disabled     bool
	SessionEpoch int64
	Meta
}

// Viewer is who is looking: the anonymous public (zero Viewer), or a user
// with their role and the organizations they are a current member of.
// Every visibility decision goes through its methods.
type Viewer struct {
	UserID ID
	Role   Role
	Orgs   map[ID]bool
}

// Public is the anonymous viewer.
var Public = Viewer{}

// IsPublic reports whether v is anonymous.
func (v Viewer) IsPublic() bool { return v.UserID == NilID }

// SQLRole is v's role as the visibility functions of the database take
// it (migrations/sql/00011_visibility.sql, viewer_role): "" for the
// public.
func (v Viewer) SQLRole() string {
	if v.IsPublic() {
		return ""
	}
	return string(v.Role)
}

// SQLOrgs is the organizations v is a current member of, as the
// visibility functions take them (viewer_orgs), in a stable order.
func (v Viewer) SQLOrgs() []ID {
	out := make([]ID, 0, len(v.Orgs))
	for o, ok := range v.Orgs {
		if ok {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b ID) int { return bytes.Compare(a[:], b[:]) })
	return out
}

// SQLArgs is SQLRole and SQLOrgs, to append to a query's arguments.
func (v Viewer) SQLArgs() []any { return []any{v.SQLRole(), v.SQLOrgs()} }

// SeesAllNonPublic reports whether v sees every non-public item (staff).
func (v Viewer) SeesAllNonPublic() bool { return v.Role.IsStaff() }

// SeesNonPublicOf reports whether v may see non-public material of a thing
// that belongs to any of orgs.
func (v Viewer) SeesNonPublicOf(orgs ...ID) bool {
	if v.SeesAllNonPublic() {
		return true
	}
	if v.Role != RoleMember {
		return false
	}
	for _, o := range orgs {
		if v.Orgs[o] {
			return true
		}
	}
	return false
}

type actorKey struct{}

// WithActor returns ctx carrying the id of the user who makes changes, for
// the audit trail.
func WithActor(ctx context.Context, userID ID) context.Context {
	return context.WithValue(ctx, actorKey{}, userID)
}

// ActorFrom returns the acting user's id, or NilID for the system.
func ActorFrom(ctx context.Context) ID {
	id, _ := ctx.Value(actorKey{}).(ID)
	return id
}

// Today returns the civil date in Germany for t.
func Today(t time.Time) time.Time {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		loc = time.UTC
	}
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
