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
// watch it; the clerk checks in the members in the room and three members
// ask to speak. SeedWith runs it once, right after the seed commits.
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
	// The room fills: the clerk's roll call checks in all but every
	// seventh member (the rest join by video from their member page, or
	// are absent); three hands are up, one a point of order, and the
	// chair has moved the third request to the front.
	snap, err := hub.Snapshot(ctx, meeting, actor)
	if err != nil {
		return fmt.Errorf("demo live session: %w", err)
	}
	var roll, hands []council.ID
	for i, a := range snap.Roster {
		if i%7 != 3 {
			roll = append(roll, a.PersonID)
		}
	}
	if len(roll) > 5 {
		hands = []council.ID{roll[1], roll[4], roll[2]}
	}
	cmds := []live.Command{live.CheckInMany{Persons: roll}}
	for i, p := range hands {
		cmds = append(cmds, live.RaiseHand{Person: p, PointOfOrder: i == 2})
	}
	for _, c := range cmds {
		if _, err := hub.Do(ctx, meeting, actor, c); err != nil {
			return fmt.Errorf("demo live session: %s: %w", c.Name(), err)
		}
	}
	if len(hands) > 0 {
		snap, err = hub.Snapshot(ctx, meeting, actor)
		if err != nil {
			return fmt.Errorf("demo live session: %w", err)
		}
		if q := snap.Speakers.Queue; len(q) == 3 {
			if _, err := hub.Do(ctx, meeting, actor, live.MoveRequest{Request: q[2].ID, Position: 0}); err != nil {
				return fmt.Errorf("demo live session: %w", err)
			}
		}
	}
	log.Info("demo: a council session runs live", "meeting_id", meeting, "url", "/meetings/"+meeting.String()+"/live")
	return nil
}
