package live

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestCommandTable checks the table's entries against each other: one
// spec per name, each complete, its argument type naming it, and exactly
// the commands about one member loading that member.
func TestCommandTable(t *testing.T) {
	members := []CommandName{CmdCheckIn, CmdCheckOut, CmdJoinRemote, CmdLeaveRemote, CmdDeclareConflict, CmdRaiseHand,
		CmdWithdrawHand, CmdComplain, CmdConfirmNonPublic, CmdCastBallot}
	var names []CommandName
	for _, s := range commandTable() {
		if slices.Contains(names, s.name) {
			t.Errorf("%s: two specs", s.name)
		}
		names = append(names, s.name)
		if s.name == "" || s.run == nil || s.decode == nil || (len(s.emits) == 0) != s.lockless || s.who == (permission{}) {
			t.Errorf("%s: incomplete spec %+v", s.name, s)
		}
		c := s.decode(&wire{fields: map[string]json.RawMessage{}})
		if c == nil || c.Name() != s.name {
			t.Errorf("%s: decodes to %#v", s.name, c)
		}
		if want := slices.Contains(members, s.name); s.member != want {
			t.Errorf("%s: member %t, want %t", s.name, s.member, want)
		}
		if s.opens != (s.name == CmdStart) {
			t.Errorf("%s: opens %t", s.name, s.opens)
		}
	}
	want := []CommandName{CmdStart, CmdClose, CmdNextItem, CmdPreviousItem, CmdSetPart, CmdCheckIn, CmdCheckInMany, CmdCheckOut,
		CmdJoinRemote, CmdLeaveRemote, CmdDeclareConflict, CmdFindQuorum, CmdConfirmNonPublic, CmdRaiseHand,
		CmdWithdrawHand, CmdGrantFloor, CmdEndFloor, CmdMoveRequest, CmdComplain, CmdResolveComplaint, CmdOpenPoll, CmdCastBallot, CmdRoomVote,
		CmdPaperBallot, CmdClosePoll, CmdCancelPoll, CmdPollProgress, CmdReadQuestion, CmdShowQuestions, CmdGiveQuestionFloor, CmdEndQuestionFloor}
	slices.Sort(names)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("table has %v, want %v", names, want)
	}
}
