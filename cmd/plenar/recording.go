package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

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

// retentionEvery is how often serve's retention job looks for expired
// recordings.
const retentionEvery = time.Hour

// startRetention deletes expired recordings now and every retentionEvery
// until ctx ends, logging each.
func startRetention(ctx context.Context, wg *sync.WaitGroup, docs *documents.Store, ret documents.Retention, log *slog.Logger) {
	if ret == (documents.Retention{}) {
		return
	}
	wg.Go(func() {
		t := time.NewTicker(retentionEvery)
		defer t.Stop()
		for {
			expireRecordings(ctx, docs, ret, time.Now(), log)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
}

// expireRecordings runs the retention once at now.
func expireRecordings(ctx context.Context, docs *documents.Store, ret documents.Retention, now time.Time, log *slog.Logger) {
	gone, err := docs.ExpireRecordings(ctx, now, ret)
	if err != nil && ctx.Err() == nil {
		log.Error("recording retention", "err", err)
	}
	for _, r := range gone {
		log.Info("recording deleted (retention)", "retention", ret.String(), "meeting_id", r.MeetingID,
			"recording_id", r.ID, "agenda_item_id", r.ItemID, "started", r.Started, "bytes", r.Size)
	}
}
