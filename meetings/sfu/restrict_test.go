package sfu_test

import (
	"context"
	"testing"

	"github.com/plenar/plenar/meetings/sfu"
	"github.com/plenar/plenar/meetings/sfu/sfuclient"
)

// TestRestrictedMemberGetsNothingUntilCleared: in the non-public part a
// member who has not confirmed receives no program and is forwarded to
// nobody, even on the floor; once cleared, media flows both ways.
func TestRestrictedMemberGetsNothingUntilCleared(t *testing.T) {
	s := newSFU(t, sfu.Config{MaxFloor: 2})
	room := s.Room("m1")
	cam := sfuclient.Options{PublishAudio: true, PublishVideo: true, VideoPPS: 60, KeyframeEvery: 30}
	a := join(t, room, "a", sfu.KindMember, cam)
	b := join(t, room, "b", sfu.KindMember, cam)
	c := join(t, room, "c", sfu.KindMember, cam)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, m := range []member{a, b, c} {
		m.Publish(ctx)
	}

	room.SetChair("a")
	room.SetRestricted(true, []string{"a", "c"})
	room.SetFloor([]string{"c", "b"})
	// a hears c, and sees c in the speaker slot (b, the newer floor holder,
	// is not forwarded). By the time a has this much, b would have had
	// packets too if it were receiving.
	eventually(t, "c's audio and video at a", func() bool {
		return a.Track("floor-0").BySource["c"] >= 50 && a.Track("speaker-video").BySource["c"] >= 50
	})
	for id, st := range b.Tracks() {
		if st.Packets != 0 {
			t.Errorf("restricted b received %d packets on %s", st.Packets, id)
		}
	}
	for _, m := range []member{a, c} {
		for id, st := range m.Tracks() {
			if n := st.BySource["b"]; n != 0 {
				t.Errorf("%s received %d packets of restricted b on %s", m.peer.ID(), n, id)
			}
		}
	}

	// b confirms: b receives the program and is forwarded as a floor holder.
	room.SetRestricted(true, []string{"a", "b", "c"})
	eventually(t, "c's audio at b", func() bool { return b.Track("floor-0").BySource["c"] >= 25 })
	eventually(t, "b's audio and video at a", func() bool {
		return a.Track("floor-1").BySource["b"] >= 25 && a.Track("speaker-video").BySource["b"] >= 25
	})

	// Back in the public part nobody is gated; a new restriction without b
	// stops b's media again.
	room.SetRestricted(false, nil)
	room.SetRestricted(true, []string{"a", "c"})
	before := settled(t, "floor-0", b)
	mark := a.Track("floor-0").BySource["c"]
	eventually(t, "more of c at a", func() bool { return a.Track("floor-0").BySource["c"] >= mark+50 })
	if n := b.Track("floor-0").Packets; n != before[0] {
		t.Errorf("b, restricted again, received floor-0: %d → %d", before[0], n)
	}
	for _, m := range []member{a, b, c} {
		if n := m.Offers(); n != 1 {
			t.Errorf("%s got %d offers, want 1 (gating needs no renegotiation)", m.peer.ID(), n)
		}
	}
}
