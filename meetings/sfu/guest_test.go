package sfu_test

import (
	"context"
	"testing"
	"time"

	"github.com/plenar/plenar/meetings/sfu"
	"github.com/plenar/plenar/meetings/sfu/sfuclient"
)

// TestGuestAudioOnly: the asking citizen of the Einwohnerfragestunde joins
// as a guest. Their microphone is forwarded only while SetGuest names
// them and until its time runs out, on a free floor slot next to the
// members on the floor; their camera never (the SFU offers no camera
// transceiver); nothing of them in the non-public part. They receive the
// program like a viewer.
func TestGuestAudioOnly(t *testing.T) {
	s := newSFU(t, sfu.Config{MaxFloor: 2})
	room := s.Room("m1")
	cam := sfuclient.Options{PublishAudio: true, PublishVideo: true, VideoPPS: 60, KeyframeEvery: 30}
	a := join(t, room, "a", sfu.KindMember, cam)
	g := join(t, room, "q-1", sfu.KindGuest, cam) // tries to send a camera too
	v := join(t, room, "v", sfu.KindViewer, sfuclient.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a.Publish(ctx)
	g.Publish(ctx)
	room.SetChair("a")
	room.SetFloor([]string{"a"})

	// Not given the floor: the guest hears a, nobody hears the guest.
	eventually(t, "a's audio at the guest", func() bool { return g.Track("floor-0").BySource["a"] >= 50 })
	for _, m := range []member{a, v} {
		for id, st := range m.Tracks() {
			if n := st.BySource["q-1"]; n != 0 {
				t.Errorf("%s received %d packets of the guest without the floor on %s", m.peer.ID(), n, id)
			}
		}
	}

	// Given the floor: the guest's microphone on the free slot, at the
	// member and the viewer; the camera nowhere.
	until := time.Now().Add(3 * time.Second)
	room.SetGuest("q-1", until)
	eventually(t, "the guest's audio at a and the viewer", func() bool {
		return a.Track("floor-1").BySource["q-1"] >= 50 && v.Track("floor-1").BySource["q-1"] >= 50
	})
	for _, m := range []member{a, v} {
		for id, st := range m.Tracks() {
			if id != "floor-1" && st.BySource["q-1"] != 0 {
				t.Errorf("%s received %d packets of the guest on %s (its camera, or a wrong slot)", m.peer.ID(), st.BySource["q-1"], id)
			}
		}
	}
	// Another guest peer (an earlier asker) is not forwarded.
	other := join(t, room, "q-2", sfu.KindGuest, cam)
	other.Publish(ctx)

	// The time runs out: the SFU stops forwarding without being told.
	time.Sleep(time.Until(until))
	before := settled(t, "floor-1", a, v)
	time.Sleep(500 * time.Millisecond)
	if n := a.Track("floor-1").Packets; n != before[0] {
		t.Errorf("the guest's audio went on after the time ran out: %d → %d", before[0], n)
	}

	// The non-public part: nothing of the guest, and nothing for it.
	room.SetGuest("q-1", time.Now().Add(time.Minute))
	eventually(t, "the guest's audio again", func() bool { return a.Track("floor-1").BySource["q-1"] >= before[0]+50 })
	room.SetPublic(false)
	room.SetRestricted(true, []string{"a"})
	settledG := settled(t, "floor-0", g)
	atA := settled(t, "floor-1", a)
	time.Sleep(500 * time.Millisecond)
	if n := g.Track("floor-0").Packets; n != settledG[0] {
		t.Errorf("the guest received the program in the non-public part: %d → %d", settledG[0], n)
	}
	if n := a.Track("floor-1").Packets; n != atA[0] {
		t.Errorf("the guest was forwarded in the non-public part: %d → %d", atA[0], n)
	}
	for _, m := range []member{a, v, g} {
		for id, st := range m.Tracks() {
			if n := st.BySource["q-2"]; n != 0 {
				t.Errorf("%s received %d packets of the guest without the floor (q-2) on %s", m.peer.ID(), n, id)
			}
		}
	}
}
