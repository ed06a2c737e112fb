package sfu_test

import (
	"context"
	"testing"
	"time"

	"github.com/plenar/plenar/meetings/sfu"
	"github.com/plenar/plenar/meetings/sfu/sfuclient"
)

// checkLossless fails when track id at c lost or reordered packets, or
// carried a source other than want.
func checkLossless(t *testing.T, c member, id string, want ...string) {
	t.Helper()
	st := c.Track(id)
	if st.Packets == 0 {
		t.Fatalf("%s: no packets on %s", c.peer.ID(), id)
	}
	if st.Lost != 0 || st.Discontinue != 0 {
		t.Errorf("%s: %s lost %d, discontinuities %d of %d packets", c.peer.ID(), id, st.Lost, st.Discontinue, st.Packets)
	}
	for src := range st.BySource {
		ok := false
		for _, w := range want {
			ok = ok || src == w
		}
		if !ok {
			t.Errorf("%s: %s carried %q, want only %v", c.peer.ID(), id, src, want)
		}
	}
}

// TestFloorDeliveryAndGating runs on one shared UDP port (batched sends) and
// on a port per peer (one write per datagram).
func TestFloorDeliveryAndGating(t *testing.T) {
	t.Run("single port", func(t *testing.T) { testFloorDeliveryAndGating(t, 0) })
	t.Run("ephemeral ports", func(t *testing.T) { testFloorDeliveryAndGating(t, ephemeralPorts) })
}

func testFloorDeliveryAndGating(t *testing.T, port int) {
	s := newSFU(t, sfu.Config{MaxFloor: 2, UDPPort: port})
	room := s.Room("m1")
	pub := sfuclient.Options{PublishAudio: true}
	a := join(t, room, "a", sfu.KindMember, pub)
	b := join(t, room, "b", sfu.KindMember, pub)
	c := join(t, room, "c", sfu.KindMember, pub)
	v := join(t, room, "v", sfu.KindViewer, sfuclient.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, m := range []member{a, b, c} {
		m.Publish(ctx)
	}
	all := []member{a, b, c, v}

	// Nobody holds the floor: no microphone reaches anyone.
	time.Sleep(300 * time.Millisecond)
	for _, m := range all {
		for id, st := range m.Tracks() {
			if st.Packets != 0 {
				t.Errorf("%s received %d packets on %s with nobody on the floor", m.peer.ID(), st.Packets, id)
			}
		}
	}
	if st := s.Stats(); st.Dropped == 0 || st.Forwarded != 0 {
		t.Errorf("stats without floor: dropped %d, forwarded %d; want >0, 0", st.Dropped, st.Forwarded)
	}

	// a gets the floor: everyone else hears a on floor-0, a hears nothing.
	room.SetFloor([]string{"a"})
	eventually(t, "a on floor-0 at b, c and v", func() bool {
		return b.Track("floor-0").Packets >= 25 && c.Track("floor-0").Packets >= 25 && v.Track("floor-0").Packets >= 25
	})
	if n := a.Track("floor-0").Packets; n != 0 {
		t.Errorf("a received its own microphone: %d packets", n)
	}

	// The floor passes to b: floor-0 switches source without a gap.
	before := c.Track("floor-0").Packets
	room.SetFloor([]string{"b"})
	eventually(t, "b on floor-0 at c", func() bool { return c.Track("floor-0").BySource["b"] >= 25 })
	if c.Track("floor-0").Packets <= before {
		t.Fatal("floor-0 stopped at c")
	}

	// K=2: a third holder is not forwarded.
	room.SetFloor([]string{"b", "a", "c"})
	eventually(t, "a on floor-1 at v", func() bool { return v.Track("floor-1").BySource["a"] >= 25 })
	time.Sleep(200 * time.Millisecond)
	for _, m := range all {
		for id, st := range m.Tracks() {
			if n := st.BySource["c"]; n != 0 {
				t.Errorf("%s heard c, the third holder with K=2, on %s: %d packets", m.peer.ID(), id, n)
			}
		}
	}

	// The floor ends: forwarding stops.
	room.SetFloor(nil)
	counts := settled(t, "floor-0", a, c, v)
	time.Sleep(300 * time.Millisecond)
	for i, m := range []member{a, c, v} {
		if n := m.Track("floor-0").Packets; n != counts[i] {
			t.Errorf("%s: floor-0 went on after the floor ended: %d → %d", m.peer.ID(), counts[i], n)
		}
	}

	// Every stream was complete and continuous across the switches, and
	// only carried the floor holders (never the member's own microphone).
	for _, m := range []member{c, v} {
		checkLossless(t, m, "floor-0", "a", "b")
	}
	checkLossless(t, a, "floor-0", "b")
	checkLossless(t, b, "floor-0", "a")
	checkLossless(t, v, "floor-1", "a")
	checkLossless(t, c, "floor-1", "a")
	if st := c.Track("floor-1"); st.BySource["c"] != 0 {
		t.Errorf("c heard itself on floor-1")
	}
	for _, m := range all {
		if n := m.Offers(); n != 1 {
			t.Errorf("%s got %d offers, want 1 (slots switch without renegotiation)", m.peer.ID(), n)
		}
	}
}
