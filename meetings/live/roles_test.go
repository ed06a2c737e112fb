package live

import "testing"

func TestAllowed(t *testing.T) {
	all := []CommandName{CmdStart, CmdClose, CmdNextItem, CmdPreviousItem, CmdSetPart, CmdCheckIn, CmdCheckInMany, CmdCheckOut,
		CmdJoinRemote, CmdLeaveRemote, CmdDeclareConflict, CmdRaiseHand, CmdWithdrawHand, CmdGrantFloor,
		CmdEndFloor, CmdFindQuorum, CmdComplain, CmdConfirmNonPublic, CmdResolveComplaint, CmdMoveRequest, CmdReadQuestion, CmdShowQuestions}
	// want[role] lists what the role may do for another member (other) and
	// for itself (self).
	type rights struct{ other, self []CommandName }
	chairConsole := []CommandName{CmdStart, CmdClose, CmdNextItem, CmdPreviousItem, CmdSetPart, CmdGrantFloor, CmdEndFloor,
		CmdResolveComplaint, CmdMoveRequest, CmdReadQuestion, CmdShowQuestions}
	want := map[Role]rights{
		RolePublic: {},
		RoleMember: {self: []CommandName{CmdDeclareConflict, CmdRaiseHand,
			CmdWithdrawHand, CmdComplain, CmdConfirmNonPublic}},
		RoleChair: {
			other: append(append([]CommandName{}, chairConsole...), CmdFindQuorum, CmdDeclareConflict, CmdWithdrawHand),
			self: append(append([]CommandName{}, chairConsole...), CmdFindQuorum, CmdDeclareConflict, CmdWithdrawHand,
				CmdRaiseHand, CmdComplain, CmdConfirmNonPublic)},
		RoleClerk: {other: append(append([]CommandName{}, chairConsole...), CmdCheckIn, CmdCheckInMany, CmdCheckOut,
			CmdDeclareConflict, CmdRaiseHand, CmdWithdrawHand)},
		// Remote presence follows the media connection: only the system.
		RoleSystem: {other: []CommandName{CmdJoinRemote, CmdLeaveRemote}, self: []CommandName{CmdJoinRemote, CmdLeaveRemote}},
	}
	want[RoleClerk] = rights{other: want[RoleClerk].other, self: want[RoleClerk].other}
	for role, r := range want {
		for _, self := range []bool{false, true} {
			allowed := map[CommandName]bool{}
			list := r.other
			if self {
				list = r.self
			}
			for _, c := range list {
				allowed[c] = true
			}
			for _, c := range all {
				if got := Allowed(role, c, self); got != allowed[c] {
					t.Errorf("Allowed(%s, %s, self %t) = %t, want %t", role, c, self, got, allowed[c])
				}
			}
		}
	}
	for _, c := range all {
		if got, want := c.SystemOnly(), c == CmdJoinRemote || c == CmdLeaveRemote; got != want {
			t.Errorf("%s.SystemOnly() = %t, want %t", c, got, want)
		}
	}
	if Allowed(RoleClerk, "drop_tables", false) || CommandName("drop_tables").Known() {
		t.Error("an unknown command is allowed or known")
	}
}

func TestAudienceSees(t *testing.T) {
	for _, tc := range []struct {
		a, b Audience
		want bool
	}{
		{AudiencePublic, AudiencePublic, true}, {AudiencePublic, AudienceMembers, false}, {AudiencePublic, AudienceStaff, false},
		{AudienceMembers, AudiencePublic, true}, {AudienceMembers, AudienceMembers, true}, {AudienceMembers, AudienceStaff, false},
		{AudienceStaff, AudiencePublic, true}, {AudienceStaff, AudienceStaff, true},
	} {
		if got := tc.a.Sees(tc.b); got != tc.want {
			t.Errorf("%s.Sees(%s) = %t, want %t", tc.a, tc.b, got, tc.want)
		}
	}
}
