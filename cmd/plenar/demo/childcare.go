package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// childcareMembers is how many councillors besides the demo councillor get
// an account (without a usable password) and claim childcare costs.
const childcareMembers = 4

// seedChildcare adds childcare claims (docs/DOMAIN.md,
// "Kinderbetreuungskosten") for the council sessions held live (held) and
// the session running now: the demo councillor (stadtrat@…) and a few
// other councillors claim for the sessions they attended; the clerk's
// office approved some, rejected one with a reason, and the rest wait in
// the back office's queue. It runs after holdPolls and StartLive, which
// record the attendance.
func seedChildcare(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger, now time.Time, held []heldPolls, running council.ID) error {
	if len(held) == 0 {
		return nil
	}
	cs, ms := council.NewStore(pool), meetings.NewStore(pool)
	clerk, err := cs.UserByEmail(ctx, clerkEmail)
	if err != nil {
		return fmt.Errorf("demo childcare: %w", err)
	}
	demoMember, err := cs.UserByEmail(ctx, "stadtrat@musterstadt.example")
	if err != nil {
		return fmt.Errorf("demo childcare: %w", err)
	}
	first, err := ms.Meeting(ctx, held[0].meeting)
	if err != nil {
		return fmt.Errorf("demo childcare: %w", err)
	}
	seats, err := cs.Members(ctx, first.Organizations[0], first.Start)
	if err != nil {
		return fmt.Errorf("demo childcare: %w", err)
	}
	claimants := []council.User{demoMember}
	for _, st := range seats {
		if len(claimants) > childcareMembers || st.PersonID == demoMember.PersonID || st.Substitute {
			continue
		}
		hash, err := council.HashPassword(council.NewID().String() + council.NewID().String())
		if err != nil {
			return fmt.Errorf("demo childcare: %w", err)
		}
		u, err := cs.CreateUser(ctx, council.User{Email: fmt.Sprintf("ratsmitglied%d@musterstadt.example", len(claimants)),
			DisplayName: st.Person.Name(), PasswordHash: hash, Role: council.RoleMember, PersonID: st.PersonID})
		if err != nil {
			return fmt.Errorf("demo childcare: %w", err)
		}
		claimants = append(claimants, u)
	}
	ids := make([]council.ID, 0, len(held)+1)
	for _, h := range held {
		ids = append(ids, h.meeting)
	}
	if running != council.NilID {
		ids = append(ids, running)
	}
	notes := []string{"Babysitter", "", "Tagesmutter, Quittung liegt vor", "", "Betreuung über die Sitzung hinaus wegen der Anreise"}
	var claims []meetings.Claim
	for i, u := range claimants {
		for j, id := range ids {
			minutes := 60 + 30*((i+j)%3)
			c, err := ms.SubmitClaim(ctx, meetings.Claim{UserID: u.ID, MeetingID: id, Minutes: minutes,
				AmountCents: minutes * (1000 + 100*(i%4)) / 60, Note: notes[(i+j)%len(notes)]}, now)
			var fe council.FieldErrors
			if errors.As(err, &fe) {
				continue // absent from that session, or it ran shorter
			}
			if err != nil {
				return fmt.Errorf("demo childcare: %w", err)
			}
			claims = append(claims, c)
		}
	}
	// The claims for the running session wait; of the others two in
	// three are approved and one rejected, in order (the demo
	// councillor's first claim approved, the second rejected).
	actx := council.WithActor(ctx, clerk.ID)
	decided := 0
	for _, c := range claims {
		if c.MeetingID == running {
			continue
		}
		switch decided % 3 {
		case 0, 2:
			_, err = ms.DecideClaim(actx, c.ID, true, "", now)
		case 1:
			_, err = ms.DecideClaim(actx, c.ID, false, "Die Betreuung durch Angehörige im eigenen Haushalt wird nach der Entschädigungssatzung nicht erstattet.", now)
		}
		if err != nil {
			return fmt.Errorf("demo childcare: %w", err)
		}
		decided++
	}
	log.Info("demo: childcare claims", "claims", len(claims), "decided", decided)
	return nil
}
