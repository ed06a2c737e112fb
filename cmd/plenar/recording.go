package main

import (
	"context"
	"path/filepath"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings/sfu"
)

// recordingRetention reads PLENAR_RECORDING_RETENTION
// (docs/ARCHITECTURE.md, "Recording").
func (a *app) recordingRetention() (documents.Retention, error) {
	v, _ := a.env("PLENAR_RECORDING_RETENTION")
	r, err := documents.ParseRetention(v)
	if err != nil {
		return r, usagef("PLENAR_RECORDING_RETENTION=%q: want forever, until-minutes, <N>y or <N>d", v)
	}
	return r, nil
}

// recordingDir is where the SFU writes segments while they grow: beside
// the blobs, so that storing one is a copy on the same file system.
func recordingDir(filesDir string) string {
	return filepath.Join(filepath.Dir(filepath.Clean(filesDir)), "recording-tmp")
}

// segmentStore is media.Recordings on documents.Store.
type segmentStore struct{ docs *documents.Store }

func (s segmentStore) SaveRecording(ctx context.Context, meeting, item council.ID, seg sfu.Segment) error {
	_, err := s.docs.AddRecording(ctx, documents.NewRecording{MeetingID: meeting, ItemID: item, Started: seg.Start,
		Duration: seg.Duration, Width: seg.Width, Height: seg.Height, Path: seg.Path})
	return err
}
