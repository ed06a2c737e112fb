package sfu

import (
	"errors"

	"github.com/pion/rtp"

	"github.com/plenar/plenar/meetings/sfu/record"
)

// Segment is one finished recording file of a room (record.Segment): its
// label is the one given to Room.SetRecording.
type Segment = record.Segment

// RecordStats are a room's recording counters (record.Stats).
type RecordStats = record.Stats

// recording is a room's recorder and its two program outputs. The
// outputs are fed by the sources like a viewer's (the same switching,
// keyframe waits and timestamp continuity), but write into the
// recorder's queue instead of a peer connection: the hand-off never
// blocks forwarding (docs/ARCHITECTURE.md, "Recording").
type recording struct {
	rec          *record.Recorder
	audio, video *output
	label        string
}

// tap is the recorder side of a recording output: pion's TrackLocalWriter
// whose WriteRTP hands the packet to the recorder.
type tap struct {
	rec   *record.Recorder
	video bool
}

func (t tap) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	t.rec.Offer(t.video, h, payload)
	return len(payload), nil
}

func (t tap) Write([]byte) (int, error) { return 0, errors.New("recording tap takes RTP headers") }

// SetRecording records the public programme while label is not empty:
// the room's video (else the speaker's camera) and the room's audio (else
// the first floor microphone), and only while the room is public
// (SetPublic). A new label ends the current segment; the next one starts
// on the next keyframe, which is asked for at once. "" pauses: the
// current segment ends. onSegment receives each finished segment on a
// goroutine of its own; the first call creates the recorder (files are
// written in Config.RecordDir), closing the room finishes the last
// segment.
func (r *Room) SetRecording(label string, onSegment func(Segment)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || (r.rec == nil && label == "") {
		return
	}
	if r.rec == nil {
		var m metrics // recording outputs do not count as forwarded
		rc := &recording{audio: newOutput(nil, slotRoomAudio, &m), video: newOutput(nil, slotRoomVideo, &m)}
		rc.rec = record.New(record.Config{Dir: r.sfu.cfg.RecordDir, OnSegment: onSegment, Log: r.log,
			RequestKeyframe: func() {
				if src := rc.video.source(); src != nil {
					src.requestKeyframe()
				}
			}})
		for _, o := range []*output{rc.audio, rc.video} {
			o.ws, o.up = tap{rec: rc.rec, video: o.video}, true
		}
		r.rec = rc
	}
	if r.rec.label == label {
		return
	}
	r.rec.label = label
	r.rec.rec.SetLabel(label)
	r.routeLocked()
	if src := r.rec.video.source(); src != nil && label != "" {
		src.requestKeyframe()
	}
}

// Recording reports the room's recording counters and whether it records
// now.
func (r *Room) Recording() (RecordStats, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rec == nil {
		return RecordStats{}, false
	}
	return r.rec.rec.Stats(), r.rec.label != "" && r.public
}

// routeRecordingLocked routes the recorder's outputs from the program
// slots (k floor slots, then room audio, speaker video, room video).
// r.mu is held.
func (r *Room) routeRecordingLocked(slots []*source, routes map[*source][]*output) (keyframes []*source) {
	if r.rec == nil {
		return nil
	}
	k := r.sfu.cfg.MaxFloor
	on := r.public && r.rec.label != "" && !r.closed
	pick := func(first, second *source) *source {
		if !on {
			return nil
		}
		if first != nil {
			return first
		}
		return second
	}
	for o, src := range map[*output]*source{
		r.rec.audio: pick(slots[k], slots[0]),
		r.rec.video: pick(slots[k+2], slots[k+1]),
	} {
		if o.assign(src) {
			keyframes = append(keyframes, src)
		}
		if src != nil {
			routes[src] = append(routes[src], o)
		}
	}
	return keyframes
}

// closeRecording finishes the room's last segment (after its peers are
// closed: no more packets).
func (r *Room) closeRecording() {
	r.mu.Lock()
	rc := r.rec
	r.mu.Unlock()
	if rc != nil {
		rc.rec.Close()
	}
}
