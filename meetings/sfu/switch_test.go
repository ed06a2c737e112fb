package sfu_test

import (
	"context"
	"testing"
	"time"

	"github.com/plenar/plenar/meetings/sfu"
	"github.com/plenar/plenar/meetings/sfu/sfuclient"
)

func TestSpeakerVideoSwitchesWithoutRenegotiation(t *testing.T) {
	s := newSFU(t, sfu.Config{})
	room := s.Room("m1")
	cam := sfuclient.Options{PublishAudio: true, PublishVideo: true, VideoPPS: 60, KeyframeEvery: 1000}
	a := join(t, room, "a", sfu.KindMember, cam)
	b := join(t, room, "b", sfu.KindMember, cam)
	c := join(t, room, "c", sfu.KindMember, sfuclient.Options{})
	v := join(t, room, "v", sfu.KindViewer, sfuclient.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a.Publish(ctx)
	b.Publish(ctx)

	// The chair's camera fills the speaker slot while nobody has the floor.
	room.SetChair("a")
	eventually(t, "a's video on speaker-video at c and v", func() bool {
		return c.Track("speaker-video").Packets >= 30 && v.Track("speaker-video").Packets >= 30
	})
	if st := c.Track("speaker-video"); st.Keyframes == 0 {
		t.Errorf("speaker-video did not start with a keyframe")
	}

	// b takes the floor: the slot switches to b after a PLI to b and b's
	// next keyframe (b's own cadence is far longer than this test).
	plis := b.PLIs()
	room.SetFloor([]string{"b"})
	eventually(t, "b's video on speaker-video at c and v", func() bool {
		return c.Track("speaker-video").BySource["b"] >= 30 && v.Track("speaker-video").BySource["b"] >= 30
	})
	if b.PLIs() <= plis {
		t.Errorf("no keyframe request reached b on the switch")
	}
	// a sees b, b sees the chair a (nobody gets their own camera back).
	eventually(t, "b's video at a", func() bool { return a.Track("speaker-video").BySource["b"] >= 30 })
	if n := b.Track("speaker-video").BySource["b"]; n != 0 {
		t.Errorf("b received its own camera: %d packets", n)
	}

	// A subscriber's NACK is answered from the source's cache.
	before := s.Stats().Retransmitted
	hi := c.Highest("speaker-video")
	if err := c.Nack("speaker-video", hi-2); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a retransmission", func() bool { return s.Stats().Retransmitted > before })

	// A subscriber's PLI reaches the slot's current source.
	plis = b.PLIs()
	time.Sleep(sfu.PLIMinInterval + 50*time.Millisecond) // b answered the switch's PLI; past the least interval between two
	if err := v.RequestKeyframe("speaker-video"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "v's PLI at b", func() bool { return b.PLIs() > plis })

	cancel()
	settled(t, "speaker-video", c, v)
	for _, m := range []member{v} {
		checkLossless(t, m, "speaker-video", "a", "b")
	}
	// c's stream has one retransmitted duplicate, hence one discontinuity.
	if st := c.Track("speaker-video"); st.Lost != 0 || st.Discontinue > 1 {
		t.Errorf("c: speaker-video lost %d, discontinuities %d", st.Lost, st.Discontinue)
	}
	for _, m := range []member{a, b, c, v} {
		if n := m.Offers(); n != 1 {
			t.Errorf("%s got %d offers, want 1", m.peer.ID(), n)
		}
	}
}

func TestNonPublicStopsViewers(t *testing.T) {
	s := newSFU(t, sfu.Config{})
	room := s.Room("m1")
	a := join(t, room, "a", sfu.KindMember, sfuclient.Options{PublishAudio: true})
	b := join(t, room, "b", sfu.KindMember, sfuclient.Options{})
	v := join(t, room, "v", sfu.KindViewer, sfuclient.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a.Publish(ctx)
	room.SetFloor([]string{"a"})
	eventually(t, "a at b and v", func() bool {
		return b.Track("floor-0").Packets >= 10 && v.Track("floor-0").Packets >= 10
	})

	room.SetPublic(false)
	time.Sleep(100 * time.Millisecond) // packets already in flight
	frozen := v.Track("floor-0").Packets
	bBefore := b.Track("floor-0").Packets
	time.Sleep(500 * time.Millisecond)
	if n := v.Track("floor-0").Packets; n != frozen {
		t.Errorf("viewer received %d packets in the non-public part", n-frozen)
	}
	if b.Track("floor-0").Packets <= bBefore {
		t.Errorf("member stopped receiving in the non-public part")
	}

	room.SetPublic(true)
	eventually(t, "v resumes", func() bool { return v.Track("floor-0").Packets >= frozen+10 })
	cancel()
	settled(t, "floor-0", b, v)
	checkLossless(t, b, "floor-0", "a")
	if st := v.Track("floor-0"); st.Lost != 0 || st.Discontinue > 1 {
		// The gap of the non-public part is not loss: the slot resumes with
		// the next sequence number; at most one jump where the source's
		// timestamps continue.
		t.Errorf("v: lost %d, discontinuities %d", st.Lost, st.Discontinue)
	}
}
