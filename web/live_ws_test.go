package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/plenar/plenar/meetings/live"
	liveweb "github.com/plenar/plenar/web/live"
)

// TestLiveWSProtocol: snapshot first, commands acknowledged, events in
// seq order, and a reconnect with ?since= resumes with the missing events.
func TestLiveWSProtocol(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t)
	chair := e.loginMember(t, e.persons[0])
	conn := e.dial(t, chair, "")
	first := readMsg(t, conn)
	if first.Type != live.TypeSnapshot || first.Snapshot == nil || first.Snapshot.State != "invited" || first.Seq != 0 {
		t.Fatalf("first message: %+v, want the snapshot of an invited meeting", first)
	}
	sendCmd(t, conn, "c1", live.CmdStart, "")
	ack, before := readUntil(t, conn, func(m live.Message) bool { return m.Type == live.TypeAck || m.Type == live.TypeError })
	if ack.Type != live.TypeAck || ack.ID != "c1" || ack.Seq <= 0 {
		t.Fatalf("start: %+v, want an ack", ack)
	}
	// Subscribed before the session existed, the chair saw it as the
	// public does; with the start the server sends the chair's snapshot.
	var snap live.Message
	for _, m := range before {
		if m.Type == live.TypeSnapshot {
			snap = m
		}
	}
	if snap.Snapshot == nil {
		snap, _ = readUntil(t, conn, func(m live.Message) bool { return m.Type == live.TypeSnapshot })
	}
	if snap.Snapshot.Role != live.RoleChair || snap.Seq < ack.Seq {
		t.Fatalf("snapshot after the start: role %s seq %d, want the chair's at seq >= %d", snap.Snapshot.Role, snap.Seq, ack.Seq)
	}
	before = nil
	// The events of the start arrive (some may have come before the ack).
	last := snap.Seq
	check := func(m live.Message) {
		t.Helper()
		if m.Type != live.TypeEvent {
			return
		}
		if m.Seq <= last {
			t.Fatalf("event %s seq %d after %d: not in order", m.Kind, m.Seq, last)
		}
		last = m.Seq
	}
	for _, m := range before {
		check(m)
	}
	for last < ack.Seq {
		check(readMsg(t, conn))
	}
	sendCmd(t, conn, "c2", live.CmdNextItem, "")
	ev, seen := readUntil(t, conn, isEvent(live.EvItemChanged))
	for _, m := range seen {
		check(m)
	}
	check(ev)
	if !strings.Contains(string(ev.Data), liveSecretTitle) {
		t.Errorf("the chair sees the non-public item as %s", ev.Data)
	}
	afterNext := ev.Seq
	sendCmd(t, conn, "c3", live.CmdNextItem, "")
	ev, _ = readUntil(t, conn, isEvent(live.EvItemChanged))
	if !strings.Contains(string(ev.Data), "Radwege") {
		t.Errorf("second next_item: %s", ev.Data)
	}
	conn.Close()

	// Resume: the events after afterNext, no snapshot.
	conn2 := e.dial(t, chair, "since="+strconv.FormatInt(afterNext, 10))
	m := readMsg(t, conn2)
	if m.Type != live.TypeEvent || m.Seq != afterNext+1 {
		t.Fatalf("resume: first message %s seq %d, want the event with seq %d", m.Type, m.Seq, afterNext+1)
	}
	readUntil(t, conn2, isEvent(live.EvItemChanged))

	// A bad command is answered with an error, the connection stays.
	if err := conn2.WriteMessage(websocket.TextMessage, []byte(`{"v":1,"type":"command","id":"x","command":"launch"}`)); err != nil {
		t.Fatal(err)
	}
	m, _ = readUntil(t, conn2, func(m live.Message) bool { return m.Type == live.TypeError })
	if m.Type != live.TypeError || m.ID != "x" || m.Error == nil || m.Error.Code != "invalid" {
		t.Fatalf("unknown command: %+v", m)
	}
	sendCmd(t, conn2, "c4", live.CmdPreviousItem, "")
	if m, _ := readUntil(t, conn2, func(m live.Message) bool { return m.Type == live.TypeAck }); m.ID != "c4" {
		t.Fatalf("ack %q, want c4", m.ID)
	}

	// Unknown meeting: 404 before the upgrade; foreign origin: 403.
	if _, resp, err := e.dialRaw(nil, "", "http://evil.example"); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("foreign origin: %v, %v", err, resp)
	}
	d := websocket.Dialer{}
	bad := strings.Replace(e.wsURL(""), e.meeting.ID.String(), e.items[0].ID.String(), 1)
	if _, resp, err := d.Dial(bad, nil); err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown meeting: %v, %v", err, resp)
	}
}

// TestLiveWSPublic: the public gets no staff events, only a neutral notice
// in the non-public part, and its commands are refused without a
// disconnect.
func TestLiveWSPublic(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t)
	clerk := e.clerkActor(t)
	e.do(t, clerk, live.Start{})
	pub := e.dial(t, nil, "")
	snap := readMsg(t, pub)
	if snap.Type != live.TypeSnapshot || snap.Snapshot.Audience != live.AudiencePublic || snap.Snapshot.Item == nil ||
		snap.Snapshot.Item.Title != "Haushalt 2027" || len(snap.Snapshot.Roster) != 3 {
		t.Fatalf("public snapshot: %+v", snap.Snapshot)
	}
	// A command from the public: an error, and the connection lives on.
	for i := range 3 {
		sendCmd(t, pub, "p"+strconv.Itoa(i), live.CmdNextItem, "")
		m := readMsg(t, pub)
		if m.Type != live.TypeError || m.Error.Code != "forbidden" {
			t.Fatalf("public command: %+v, want a forbidden error", m)
		}
	}
	// A member's complaint is for the staff only.
	member := e.loginMember(t, e.persons[1])
	mc := e.dial(t, member, "")
	if m := readMsg(t, mc); m.Type != live.TypeSnapshot || m.Snapshot.Role != live.RoleMember {
		t.Fatalf("member snapshot: %+v", m)
	}
	// Remote presence follows the media connection: a member cannot
	// declare it.
	sendCmd(t, mc, "j", live.CmdJoinRemote, "")
	if m, _ := readUntil(t, mc, func(m live.Message) bool { return m.ID == "j" }); m.Type != live.TypeError || m.Error.Code != "forbidden" {
		t.Fatalf("join_remote by a member: %+v, want a forbidden error", m)
	}
	sendCmd(t, mc, "r", live.CmdComplain, `,"text":"Ton weg"`)
	readUntil(t, mc, func(m live.Message) bool { return m.Type == live.TypeAck && m.ID == "r" })

	// Non-public: the public sees the part change and nothing else.
	e.do(t, clerk, live.SetPart{Part: live.PartNonPublic})
	e.do(t, clerk, live.NextItem{})
	e.do(t, clerk, live.SetPart{Part: live.PartPublic})
	var got []live.Message
	for {
		m := readMsg(t, pub)
		got = append(got, m)
		if m.Type == live.TypeSnapshot { // the fresh state after the non-public part
			break
		}
	}
	sawNonPublic, inNonPublic := false, false
	for _, m := range got {
		b := m.Kind
		switch {
		case m.Type == live.TypeEvent && b == live.EvPartChanged:
			inNonPublic = strings.Contains(string(m.Data), "non_public")
			sawNonPublic = sawNonPublic || inNonPublic
		case m.Type == live.TypeEvent && (b == live.EvComplaint || b == live.EvNonPublicConfirm || b == live.EvConflict):
			t.Errorf("public received the staff/member event %s", b)
		case m.Type == live.TypeEvent && inNonPublic:
			t.Errorf("public received %s during the non-public part: %s", b, m.Data)
		}
		if raw := string(m.Data); strings.Contains(raw, "Geheimweg") || strings.Contains(raw, "Ton weg") {
			t.Errorf("public message leaks: %s", raw)
		}
	}
	if !sawNonPublic {
		t.Errorf("public did not see the switch to the non-public part: %+v", got)
	}
	last := got[len(got)-1].Snapshot
	if last.Part != live.PartPublic || last.Item == nil || last.Item.Title == liveSecretTitle {
		t.Errorf("public snapshot after the non-public part: %+v", last)
	}

	// A public client connecting during the non-public part: only the part.
	e.do(t, clerk, live.SetPart{Part: live.PartNonPublic})
	pub2 := e.dial(t, nil, "")
	s2 := readMsg(t, pub2)
	if s2.Snapshot == nil || s2.Snapshot.Part != live.PartNonPublic || s2.Snapshot.Item != nil || s2.Snapshot.Roster != nil {
		t.Errorf("public snapshot in the non-public part: %+v", s2.Snapshot)
	}
}

// TestLiveWSLimits: an oversized message closes with 1009; pings are
// answered, and the server's pings keep an idle connection open.
func TestLiveWSLimits(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t)
	conn := e.dial(t, nil, "")
	readMsg(t, conn)
	big := `{"v":1,"type":"command","id":"big","command":"complain","text":"` + strings.Repeat("x", liveweb.MaxMessage) + `"}`
	if err := conn.WriteMessage(websocket.TextMessage, []byte(big)); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _, err := conn.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseMessageTooBig {
		t.Fatalf("oversized message: %v, want close 1009", err)
	}

	// Ping/pong: an idle client that answers pings stays connected past
	// the server's ping interval, and gets pongs for its own pings.
	idle := e.dial(t, nil, "")
	readMsg(t, idle)
	var pings, pongs atomic.Int32
	idle.SetPingHandler(func(data string) error {
		pings.Add(1)
		return idle.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	idle.SetPongHandler(func(string) error { pongs.Add(1); return nil })
	if err := idle.WriteControl(websocket.PingMessage, []byte("hi"), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	readErr := make(chan error, 1)
	go func() {
		_ = idle.SetReadDeadline(time.Now().Add(liveweb.PingEvery + 5*time.Second))
		_, _, err := idle.ReadMessage() // handles control frames until the deadline
		readErr <- err
	}()
	err = <-readErr
	var ne interface{ Timeout() bool }
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("idle connection: %v, want our own read timeout (still open)", err)
	}
	if pings.Load() == 0 || pongs.Load() == 0 {
		t.Errorf("pings from server %d, pongs to our ping %d; want both", pings.Load(), pongs.Load())
	}
}

// TestLiveWSFlood: a client may send a burst of commands and of media
// messages at once; past it, messages are refused ("slow down") and the
// connection lives on. Three bursts are sent at once, far faster than the
// limits refill: the first burst passes, and some of the rest is refused.
func TestLiveWSFlood(t *testing.T) {
	t.Parallel()
	e := newLiveEnv(t)
	conn := e.dial(t, nil, "")
	readMsg(t, conn)
	for _, tc := range []struct {
		name    string
		burst   int
		msg     func(id string) string
		refusal string
	}{
		{"commands", liveweb.CmdBurst, func(id string) string {
			return `{"v":1,"type":"command","id":"` + id + `","command":"next_item"}`
		}, "too many commands; slow down"},
		{"media", liveweb.MediaBurst, func(id string) string {
			return `{"v":1,"type":"media_leave","id":"` + id + `"}`
		}, "too many media messages; slow down"},
	} {
		n := 3 * tc.burst
		sent := make(chan error, 1)
		go func() { // the server's reply queue is short: read while sending
			for i := range n {
				if err := conn.WriteMessage(websocket.TextMessage, []byte(tc.msg(tc.name+strconv.Itoa(i)))); err != nil {
					sent <- err
					return
				}
			}
			sent <- nil
		}()
		refused := 0
		for i := range n {
			id := tc.name + strconv.Itoa(i)
			m, _ := readUntil(t, conn, func(m live.Message) bool { return m.ID == id })
			if m.Type == live.TypeError && m.Error.Message == tc.refusal {
				if i < tc.burst {
					t.Errorf("%s: message %d of the burst of %d refused", tc.name, i+1, tc.burst)
				}
				refused++
			}
		}
		if err := <-sent; err != nil {
			t.Fatalf("%s: send: %v", tc.name, err)
		}
		if refused == 0 {
			t.Errorf("%s: %d messages at once, none refused; want refusals past the burst of %d", tc.name, n, tc.burst)
		}
		t.Logf("%s: %d of %d refused", tc.name, refused, n)
	}
}
