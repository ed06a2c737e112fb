package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/plenar/plenar/council/alerts"
	"github.com/plenar/plenar/web"
)

// startAlerts runs the digest job of the alerts until ctx ends: every
// alerts.Every it prepares the due instant, daily and weekly digests into
// the mail outbox (docs/ARCHITECTURE.md, "Alerts"; each follow's period
// once, whichever process runs first).
func startAlerts(ctx context.Context, wg *sync.WaitGroup, h *web.Server, log *slog.Logger) {
	d := h.AlertDigester()
	wg.Go(func() {
		t := time.NewTicker(alerts.Every)
		defer t.Stop()
		for {
			if n, err := d.RunAll(ctx, time.Now()); err != nil && ctx.Err() == nil {
				log.Warn("alert digests", "err", err)
			} else if n > 0 {
				log.Info("alert digests queued", "messages", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
}
