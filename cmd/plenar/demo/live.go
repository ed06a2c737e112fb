package demo

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/voting"
)

// StartLive starts the live session of the demo's running meeting
// (Result.Live) as the demo clerk would from the console: the session
// opens (hybrid, on the basis of an emergency, as Sachsen-Anhalt requires) and the chair calls the first two items, so the portal marks the
// meeting "Live jetzt", members can join from its page and the public can
// watch it. SeedWith runs it once, right after the seed commits.
// Errors: those of the live commands.
func StartLive(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger, meeting council.ID) error {
	if meeting == council.NilID {
		return nil
	}
	clerk, err := council.NewStore(pool).UserByEmail(ctx, clerkEmail)
	if err != nil {
		return fmt.Errorf("demo live session: %w", err)
	}
	hub := live.NewHub(pool, live.Options{Log: log})
	actor := live.Actor{Viewer: council.Viewer{UserID: clerk.ID, Role: council.RoleClerk}}
	// Musterstadt is in Sachsen-Anhalt: a session with members by video
	// only in an außergewöhnliche Notsituation (§ 56a KVG LSA).
	start := live.Start{Mode: voting.Hybrid, Basis: voting.BasisEmergency}
	for _, c := range []live.Command{start, live.NextItem{}, live.NextItem{}} {
		if _, err := hub.Do(ctx, meeting, actor, c); err != nil {
			return fmt.Errorf("demo live session: %s: %w", c.Name(), err)
		}
	}
	log.Info("demo: a council session runs live", "meeting_id", meeting, "url", "/meetings/"+meeting.String()+"/live")
	return nil
}
