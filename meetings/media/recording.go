package media

import (
	"context"
	"os"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/sfu"
)

// Recordings stores the finished segments of recorded sessions
// (documents.Store.AddRecording, adapted by serve).
type Recordings interface {
	SaveRecording(ctx context.Context, meeting, item council.ID, seg sfu.Segment) error
}

// openingLabel labels the stretch before the first agenda item.
const openingLabel = "opening"

// recordingLabel is the segment label for v: the current item while the
// meeting is recorded and the public may receive the programme, else ""
// (paused: the non-public part, a non-public item, a session not
// running). docs/ARCHITECTURE.md, "Recording".
func recordingLabel(v *live.MediaView) string {
	if !v.Record || !v.Public {
		return ""
	}
	if v.Item == council.NilID {
		return openingLabel
	}
	return v.Item.String()
}

// applyRecording hands the view's recording state to the room. Without a
// store nothing is recorded.
func (s *Service) applyRecording(meeting council.ID, room *sfu.Room, v *live.MediaView) {
	if s.recordings == nil {
		return
	}
	room.SetRecording(recordingLabel(v), func(seg sfu.Segment) { s.saveSegment(meeting, seg) })
}

// saveSegmentWait bounds storing one segment.
const saveSegmentWait = 10 * time.Minute

// saveSegment stores a finished segment in the background (the room may
// be closing under Service.mu) and removes its file once stored; Close
// waits for it.
func (s *Service) saveSegment(meeting council.ID, seg sfu.Segment) {
	s.saving.Go(func() {
		log := s.log.With("meeting_id", meeting, "segment", seg.Label)
		item := council.NilID
		if seg.Label != openingLabel {
			id, err := council.ParseID(seg.Label)
			if err != nil {
				log.Error("recording: segment label", "err", err)
				return
			}
			item = id
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(s.ctx), saveSegmentWait)
		defer cancel()
		if err := s.recordings.SaveRecording(ctx, meeting, item, seg); err != nil {
			log.Error("recording: store segment (the file is kept)", "path", seg.Path, "err", err)
			return
		}
		if err := os.Remove(seg.Path); err != nil {
			log.Warn("recording: remove segment file", "path", seg.Path, "err", err)
		}
		log.Info("recording: segment stored", "duration", seg.Duration, "bytes", seg.Size)
	})
}
