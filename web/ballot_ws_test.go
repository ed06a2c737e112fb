package web

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/voting"
)

// TestBallotOverWebsocket: a member's secret ballot over the live
// websocket is acknowledged with its receipt; bad ballots get a clear
// error of their kind on that connection only, record nothing and leave
// the other members' connections undisturbed; the public's connection
// carries counts and, after the close, the receipt list — never who voted.
func TestBallotOverWebsocket(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t)
	clerk := e.clerkActor(t)
	e.do(t, clerk, live.Start{})
	for _, p := range e.persons {
		e.do(t, clerk, live.CheckIn{Person: p.ID})
	}
	e.do(t, clerk, live.OpenPoll{Kind: voting.Secret, Question: "Geheime Abstimmung über den Standort"})
	snap, err := e.hub.Snapshot(t.Context(), e.meeting.ID, clerk)
	if err != nil || len(snap.Polls) != 1 {
		t.Fatalf("snapshot: %v %+v", err, snap.Polls)
	}
	poll := snap.Polls[0].ID.String()

	chair := e.dial(t, e.loginMember(t, e.persons[0]), "")
	other := e.dial(t, e.loginMember(t, e.persons[1]), "")
	public := e.dial(t, nil, "")
	readMsg(t, chair)
	readMsg(t, other)
	readMsg(t, public)

	reply := func(id string) live.Message {
		t.Helper()
		m, _ := readUntil(t, chair, func(m live.Message) bool { return (m.Type == live.TypeAck || m.Type == live.TypeError) && m.ID == id })
		return m
	}
	sendCmd(t, chair, "b1", live.CmdCastBallot, `,"poll":"`+poll+`","choice":["yes"],"ballot":"ws-ballot-0001"`)
	ack := reply("b1")
	var br live.BallotReply
	if ack.Type != live.TypeAck || json.Unmarshal(ack.Data, &br) != nil || br.Receipt != meetings.Receipt(snap.Polls[0].ID, "ws-ballot-0001") {
		t.Fatalf("ack %+v (%s), want the receipt", ack, ack.Data)
	}
	for _, tc := range []struct{ id, extra, code, text string }{
		{"b2", `,"poll":"` + poll + `","choice":["no"],"ballot":"ws-ballot-0002"`, "conflict", "voted already"},
		{"b3", `,"poll":"` + poll + `","choice":["vielleicht"],"ballot":"ws-ballot-0003"`, "invalid", "not offered"},
		{"b4", `,"poll":"` + poll + `","choice":["yes"],"ballot":"ws-ballot-0004","person":"` + e.persons[1].ID.String() + `"`, "forbidden", ""},
		{"b5", `,"poll":"` + e.meeting.ID.String() + `","choice":["yes"],"ballot":"ws-ballot-0005"`, "not_found", "no poll"},
		{"b6", `,"poll":"` + poll + `","choice":"yes","ballot":"ws-ballot-0006"`, "invalid", "list"},
	} {
		sendCmd(t, chair, tc.id, live.CmdCastBallot, tc.extra)
		m := reply(tc.id)
		if m.Type != live.TypeError || m.Error.Code != tc.code || !strings.Contains(m.Error.Message, tc.text) {
			t.Errorf("%s: %+v %+v, want a %s error saying %q", tc.id, m, m.Error, tc.code, tc.text)
		}
	}
	// The replayed ballot is acknowledged again with the same receipt.
	sendCmd(t, chair, "b7", live.CmdCastBallot, `,"poll":"`+poll+`","choice":["yes"],"ballot":"ws-ballot-0001"`)
	var again live.BallotReply
	if m := reply("b7"); m.Type != live.TypeAck || json.Unmarshal(m.Data, &again) != nil || again.Receipt != br.Receipt || !again.Repeated {
		t.Fatalf("replay %+v %s", m, m.Data)
	}
	// The other member still votes normally.
	sendCmd(t, other, "o1", live.CmdCastBallot, `,"poll":"`+poll+`","choice":["no"],"ballot":"ws-other-0001"`)
	if m, _ := readUntil(t, other, func(m live.Message) bool { return m.ID == "o1" }); m.Type != live.TypeAck {
		t.Fatalf("other member's ballot: %+v %+v", m, m.Error)
	}
	// The public sees the count, then the closed poll with the receipts.
	m, _ := readUntil(t, public, func(m live.Message) bool {
		if m.Kind != live.EvPoll {
			return false
		}
		var v live.PollView
		return json.Unmarshal(m.Data, &v) == nil && v.Ballots == 2
	})
	if strings.Contains(string(m.Data), `"voted"`) || strings.Contains(string(m.Data), `"receipts"`) {
		t.Fatalf("the public saw %s while the secret poll runs", m.Data)
	}
	e.do(t, clerk, live.ClosePoll{Poll: snap.Polls[0].ID})
	m, _ = readUntil(t, public, func(m live.Message) bool {
		var v live.PollView
		return m.Kind == live.EvPoll && json.Unmarshal(m.Data, &v) == nil && v.State == meetings.PollClosed
	})
	var v live.PollView
	_ = json.Unmarshal(m.Data, &v)
	if len(v.Receipts) != 2 || v.Voted != nil || !strings.Contains(string(m.Data), br.Receipt) {
		t.Fatalf("public closed poll %s", m.Data)
	}
}
