package portal

import (
	"context"
	"fmt"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// recordingView is the player of a recorded session on the meeting page:
// one chapter per segment (a stretch of one agenda item in the public
// part), each its own WebM file (docs/ARCHITECTURE.md, "Recording").
type recordingView struct {
	Chapters []chapterView
	Length   string
}

// chapterView is one segment: its item's number and title ("" for the
// opening, before the first item), where it starts in the whole
// recording and how long it is.
type chapterView struct {
	URL           string
	ItemID        council.ID // zero for the opening
	Number, Title string
	Opening       bool
	Offset        string
	Length        string
}

// recordingFor loads the meeting's recordings the viewer may see (the
// public: documents.Store.Recordings over the view public_recordings);
// nil when there are none.
func (s *Server) recordingFor(ctx context.Context, v council.Viewer, m meetings.Meeting) (*recordingView, error) {
	recs, err := s.docs.Recordings(ctx, m.ID, v.SeesAllNonPublic())
	if err != nil {
		return nil, fmt.Errorf("meeting page: %w", err)
	}
	if len(recs) == 0 {
		return nil, nil
	}
	var out recordingView
	var at time.Duration
	for _, r := range recs {
		out.Chapters = append(out.Chapters, chapterView{
			URL: fmt.Sprintf("/meetings/%s/recordings/%s.webm", m.ID, r.ID), ItemID: r.ItemID,
			Number: r.ItemNumber, Title: r.ItemTitle, Opening: r.ItemID == council.NilID,
			Offset: clock(at), Length: clock(r.Duration)})
		at += r.Duration
	}
	out.Length = clock(at)
	return &out, nil
}

// clock writes d as m:ss or h:mm:ss.
func clock(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
