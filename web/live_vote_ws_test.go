package web

import (
	"slices"
	"testing"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/live"
)

// TestLiveVoteSnapshotRules: the console's snapshot names the majority
// rules of the session's Land profile (the rule select offers them); the
// public's and a member's snapshots do not.
func TestLiveVoteSnapshotRules(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t)
	e.do(t, e.clerkActor(t), live.Start{})
	clerk, _ := e.login(t, council.RoleClerk)
	for _, c := range []struct {
		name string
		conn func() live.Message
		want bool
	}{
		{"clerk", func() live.Message { return readMsg(t, e.dial(t, clerk, "")) }, true},
		{"member", func() live.Message { return readMsg(t, e.dial(t, e.loginMember(t, e.persons[1]), "")) }, false},
		{"public", func() live.Message { return readMsg(t, e.dial(t, nil, "")) }, false},
	} {
		m := c.conn()
		if m.Snapshot == nil {
			t.Fatalf("%s: first message %s, want a snapshot", c.name, m.Type)
		}
		rules := m.Snapshot.Rules
		if got := len(rules) > 0; got != c.want {
			t.Errorf("%s: rules %v, want some: %t", c.name, rules, c.want)
		}
		if c.want && (rules[0] != "simple" || !slices.Contains(rules, "absolute")) {
			t.Errorf("%s: rules %v, want the NW profile's rules, simple first", c.name, rules)
		}
	}
}
