package record_test

import (
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/plenar/plenar/meetings/sfu/record"
)

// demoClip parses one of the demo city's recorded items: real VP8 and
// Opus from Chromium (cmd/plenar/demo/recording, made by gendemo).
func demoClip(t *testing.T, n string) record.File {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "..", "cmd", "plenar", "demo", "recording", "top-"+n+".webm"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	clip, err := record.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	return clip
}

// TestRecorderSegments replays real RTP through a Recorder: item 1, a
// non-public stretch (no label), item 2. Each segment parses back with
// ebml-go, starts with a keyframe, has monotonic timestamps per track,
// Cues and a Duration; nothing of the non-public stretch is written.
func TestRecorderSegments(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var segs []record.Segment
	rec := record.New(record.Config{Dir: t.TempDir(), OnSegment: func(s record.Segment) {
		mu.Lock()
		defer mu.Unlock()
		segs = append(segs, s)
	}})
	var p record.Packetizer
	offer := func(label string, clip record.File) int {
		rec.SetLabel(label)
		taken := 0
		for _, pk := range p.Packets(clip.Frames) {
			if rec.Offer(pk.Video, &pk.RTP.Header, pk.RTP.Payload) {
				taken++
			}
		}
		return taken
	}
	if n := offer("item-1", demoClip(t, "1")); n == 0 {
		t.Fatal("no packet taken while recording")
	}
	if n := offer("", demoClip(t, "3")); n != 0 {
		t.Fatalf("%d packets taken while paused (the non-public part)", n)
	}
	offer("item-2", demoClip(t, "2"))
	rec.Close()

	// Each finished segment is handed over on a goroutine of its own, so
	// the callbacks may come in either order: order them by start.
	mu.Lock()
	defer mu.Unlock()
	sort.Slice(segs, func(i, j int) bool { return segs[i].Start.Before(segs[j].Start) })
	if len(segs) != 2 || segs[0].Label != "item-1" || segs[1].Label != "item-2" {
		t.Fatalf("segments %+v, want item-1 and item-2", segs)
	}
	if st := rec.Stats(); st.Dropped != 0 || st.Segments != 2 {
		t.Errorf("stats %+v", st)
	}
	for _, s := range segs {
		f, err := os.Open(s.Path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := record.Parse(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", s.Label, err)
		}
		if len(got.Tracks) != 2 || got.Tracks[0].CodecID != "V_VP8" || got.Tracks[1].CodecID != "A_OPUS" {
			t.Errorf("%s: tracks %+v", s.Label, got.Tracks)
		}
		if s.Width != 320 || s.Height != 180 {
			t.Errorf("%s: size %dx%d", s.Label, s.Width, s.Height)
		}
		var first *record.Frame
		last := map[bool]int64{true: -1, false: -1}
		var nv, na int
		for i, fr := range got.Frames {
			if fr.Video && first == nil {
				first = &got.Frames[i]
			}
			if ms := fr.At.Milliseconds(); ms < last[fr.Video] {
				t.Fatalf("%s: timestamps go back (%d after %d)", s.Label, ms, last[fr.Video])
			} else {
				last[fr.Video] = ms
			}
			if fr.Video {
				nv++
			} else {
				na++
			}
		}
		if first == nil || !first.Keyframe || first.Data[0]&1 != 0 {
			t.Errorf("%s: the first video frame is not a keyframe", s.Label)
		}
		// The demo clips are 98 video frames of ~3.9 s each; a segment
		// loses at most the frame the cut falls on.
		if nv < 95 || na < 60 || got.Duration < s.Duration/2 || got.Cues == 0 {
			t.Errorf("%s: %d video, %d audio frames, duration %v (segment %v), %d cues", s.Label, nv, na, got.Duration, s.Duration, got.Cues)
		}
		if nv != s.VideoFrames || na != s.AudioFrames {
			t.Errorf("%s: file has %d/%d frames, segment says %d/%d", s.Label, nv, na, s.VideoFrames, s.AudioFrames)
		}
	}
}

// TestRecorderDropsWhenFull: Offer never blocks; a full queue drops and
// counts.
func TestRecorderDropsWhenFull(t *testing.T) {
	t.Parallel()
	block := make(chan struct{})
	rec := record.New(record.Config{Dir: t.TempDir(), Queue: 8, OnSegment: func(s record.Segment) { os.Remove(s.Path) },
		RequestKeyframe: func() { <-block }})
	rec.SetLabel("x")
	var p record.Packetizer
	pkts := p.Packets(demoClip(t, "1").Frames)
	// The first delta frame asks for a keyframe, which blocks the writer:
	// the queue fills.
	for _, pk := range pkts[len(pkts)/2:] {
		rec.Offer(pk.Video, &pk.RTP.Header, pk.RTP.Payload)
	}
	close(block)
	rec.Close()
	if st := rec.Stats(); st.Dropped == 0 || st.Queued == 0 {
		t.Errorf("stats %+v: want drops and queued packets", st)
	}
}
