package live

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// seatsOf returns the seats of m's organizations on the meeting's day and
// the statutory number of seats (an organization's StatutorySeats, or its
// voting members who are not substitutes).
func seatsOf(ctx context.Context, db council.DBTX, m meetings.Meeting) ([]council.Seat, int, error) {
	cs := council.NewStore(db)
	day := council.Today(m.Start)
	var seats []council.Seat
	statutory := 0
	for _, org := range m.Organizations {
		o, err := cs.Organization(ctx, org)
		if err != nil {
			return nil, 0, err
		}
		ss, err := cs.Members(ctx, org, day)
		if err != nil {
			return nil, 0, err
		}
		if o.StatutorySeats > 0 {
			statutory += o.StatutorySeats
		} else {
			for _, st := range ss {
				if st.VotingRight && !st.Substitute {
					statutory++
				}
			}
		}
		seats = append(seats, ss...)
	}
	return seats, statutory, nil
}

// ConsoleRole returns a's role for the chair/clerk console of meeting
// meetingID: in a session that started, a's role there (the chair named
// at the start, a clerk for staff, a member on the roster, else public);
// before the start, RoleChair for the person the start would make the
// chair (the chair, Vorsitz, of the meeting's organizations on its day),
// RoleClerk for staff and RolePublic for anyone else. Only RoleChair and
// RoleClerk may run the console. Errors: ErrNotFound for an unknown
// meeting.
func (h *Hub) ConsoleRole(ctx context.Context, meetingID council.ID, a Actor) (Role, error) {
	var r Role
	err := pgx.BeginTxFunc(ctx, h.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		m, err := meetings.NewStore(tx).Meeting(ctx, meetingID)
		if err != nil {
			return err
		}
		if m.Deleted {
			return fmt.Errorf("meeting %s: %w", meetingID, council.ErrNotFound)
		}
		st := store{tx}
		s, err := st.session(ctx, meetingID, false)
		if err == nil {
			r, err = role(ctx, st, s, a)
			return err
		}
		if !errors.Is(err, council.ErrConflict) {
			return err
		}
		// Not started yet.
		switch {
		case a.System:
			r = RoleSystem
		case a.IsPublic():
			r = RolePublic
		case a.Role.IsStaff():
			r = RoleClerk
		case a.PersonID == council.NilID || a.Role != council.RoleMember:
			r = RolePublic
		default:
			seats, _, err := seatsOf(ctx, tx, m)
			if err != nil {
				return err
			}
			r = RolePublic
			if chairOf(seats) == a.PersonID {
				r = RoleChair
			}
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("console role %s: %w", meetingID, err)
	}
	return r, nil
}

// chairOf picks the session's chair from seats: the first voting member
// whose role is a chair (Vorsitz) but not a deputy.
func chairOf(seats []council.Seat) council.ID {
	for _, st := range seats {
		r := strings.ToLower(st.Role)
		if strings.Contains(r, "vorsitz") && !strings.Contains(r, "stellv") {
			return st.PersonID
		}
	}
	return council.NilID
}
