package sfu_test

import (
	"context"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/plenar/plenar/meetings/sfu"
	"github.com/plenar/plenar/meetings/sfu/record"
	"github.com/plenar/plenar/meetings/sfu/sfuclient"
)

// TestRecordingThroughSFU records the public programme of a room while a
// member (the chair's camera, the floor's microphone) publishes: a
// segment per label, nothing while the room is not public, and the last
// segment finished when the room closes.
func TestRecordingThroughSFU(t *testing.T) {
	s := newSFU(t, sfu.Config{RecordDir: t.TempDir()})
	room := s.Room("m1")
	a := join(t, room, "a", sfu.KindMember, sfuclient.Options{PublishAudio: true, PublishVideo: true, VideoPPS: 60, KeyframeEvery: 30})
	v := join(t, room, "v", sfu.KindViewer, sfuclient.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a.Publish(ctx)
	room.SetChair("a")
	room.SetFloor([]string{"a"})

	var mu sync.Mutex
	var segs []sfu.Segment
	onSeg := func(sg sfu.Segment) {
		mu.Lock()
		defer mu.Unlock()
		segs = append(segs, sg)
	}
	queued := func() uint64 { st, _ := room.Recording(); return st.Queued }
	room.SetRecording("item-1", onSeg)
	eventually(t, "item 1 recorded", func() bool { return queued() > 100 })
	room.SetRecording("item-2", onSeg)
	q := queued()
	eventually(t, "item 2 recorded", func() bool { return queued() > q+100 })

	// The non-public part: viewers get nothing, neither does the file.
	room.SetPublic(false)
	if _, on := room.Recording(); on {
		t.Error("recording while the room is not public")
	}
	settled(t, "speaker-video", v)
	q = queued()
	in := s.Stats().Ingress
	eventually(t, "the member publishing in the non-public part", func() bool { return s.Stats().Ingress > in+200 })
	if got := queued(); got != q {
		t.Errorf("%d packets recorded in the non-public part", got-q)
	}
	room.SetPublic(true)
	room.SetRecording("item-3", onSeg)
	eventually(t, "item 3 recorded", func() bool { return queued() > q+100 })

	s.CloseRoom("m1")
	mu.Lock()
	defer mu.Unlock()
	var labels []string
	for _, sg := range segs {
		labels = append(labels, sg.Label)
		f, err := os.Open(sg.Path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := record.Parse(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", sg.Label, err)
		}
		i := slices.IndexFunc(got.Frames, func(fr record.Frame) bool { return fr.Video })
		if i < 0 || !got.Frames[i].Keyframe || sg.VideoFrames == 0 || sg.AudioFrames == 0 {
			t.Errorf("%s: %+v, first video frame %d", sg.Label, sg, i)
		}
	}
	if !slices.Equal(labels, []string{"item-1", "item-2", "item-3"}) {
		t.Errorf("segments %v", labels)
	}
	if st, _ := room.Recording(); st.Dropped != 0 {
		t.Errorf("%d packets dropped", st.Dropped)
	}
}
