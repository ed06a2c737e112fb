package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/plenar/plenar/cmd/plenar/demo"
	"github.com/plenar/plenar/council/privacy"
	"github.com/plenar/plenar/documents"
)

// startPrivacy runs the one daily retention job (package council/privacy;
// docs/ARCHITECTURE.md, "Privacy") until ctx ends: every data class's
// expired rows in PostgreSQL, and the recordings past
// PLENAR_RECORDING_RETENTION with their blobs.
func startPrivacy(ctx context.Context, wg *sync.WaitGroup, db *database, docs *documents.Store, ret documents.Retention, log *slog.Logger) {
	job := &privacy.Job{Store: privacy.NewStore(db.Pool), Log: log,
		Tasks: map[privacy.Class]privacy.Task{privacy.Recordings: func(ctx context.Context, now time.Time) (int64, error) {
			return expireRecordings(ctx, docs, ret, now, log)
		}}}
	wg.Go(func() { _ = job.Run(ctx) })
}

// expireRecordings deletes the recordings past ret at now (rows and
// blobs), logging each, and says how many.
func expireRecordings(ctx context.Context, docs *documents.Store, ret documents.Retention, now time.Time, log *slog.Logger) (int64, error) {
	if ret == (documents.Retention{}) {
		return 0, nil
	}
	gone, err := docs.ExpireRecordings(ctx, now, ret)
	for _, r := range gone {
		log.Info("recording deleted (retention)", "retention", ret.String(), "meeting_id", r.MeetingID,
			"recording_id", r.ID, "agenda_item_id", r.ItemID, "started", r.Started, "bytes", r.Size)
	}
	return int64(len(gone)), err
}

// dpoContact reads PLENAR_DPO_CONTACT; the demo city has one of its own.
func dpoContact(a *app, withDemo bool) string {
	v, _ := a.env("PLENAR_DPO_CONTACT")
	if v == "" && withDemo {
		return demo.DPOContact
	}
	return v
}
