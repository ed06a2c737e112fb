package meetings

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
)

// Every SQL statement on childcare_rules and childcare_claims
// (migrations/sql/00029_childcare.sql; docs/DOMAIN.md,
// "Kinderbetreuungskosten").

// ChildcareRules returns the body's rules, the defaults when it set none.
// Errors: ErrUnavailable.
func (s *Store) ChildcareRules(ctx context.Context, body council.ID) (ChildcareRules, error) {
	return childcareRules(ctx, s.db, body)
}

func childcareRules(ctx context.Context, db council.DBTX, body council.ID) (ChildcareRules, error) {
	r := ChildcareRules{BodyID: body, CapCentsPerHour: DefaultChildcareCap, Margin: DefaultChildcareMargin}
	var margin int
	err := db.QueryRow(ctx, `SELECT cap_cents_per_hour, margin_minutes FROM childcare_rules WHERE body_id = $1`, body).
		Scan(&r.CapCentsPerHour, &margin)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("childcare rules: %w", council.TranslateError(err))
	}
	r.Margin = time.Duration(margin) * time.Minute
	return r, nil
}

// SaveChildcareRules stores the body's rules. Errors: ErrInvalid
// (FieldErrors: cap, margin).
func (s *Store) SaveChildcareRules(ctx context.Context, r ChildcareRules) error {
	fe := council.FieldErrors{}
	if r.CapCentsPerHour < 1 || r.CapCentsPerHour > 100000 {
		fe.Add("cap", council.MsgInvalid)
	}
	if r.Margin < 0 || r.Margin > 24*time.Hour {
		fe.Add("margin", council.MsgInvalid)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	err := council.Tx(ctx, s.db, func(tx council.DBTXTx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO childcare_rules (body_id, cap_cents_per_hour, margin_minutes) VALUES ($1,$2,$3)
			ON CONFLICT (body_id) DO UPDATE SET cap_cents_per_hour = $2, margin_minutes = $3, modified = now()`,
			r.BodyID, r.CapCentsPerHour, int(r.Margin/time.Minute)); err != nil {
			return council.TranslateError(err)
		}
		return council.Record(ctx, tx, "childcare_rules", r.BodyID, council.OpUpdate,
			map[string]any{"CapCentsPerHour": r.CapCentsPerHour, "MarginMinutes": int(r.Margin / time.Minute)})
	})
	if err != nil {
		return fmt.Errorf("save childcare rules: %w", err)
	}
	return nil
}

// SubmitClaim stores a member's claim for a meeting (c's UserID,
// MeetingID, Minutes, AmountCents, Note) at now. The member must be a
// current member of one of the meeting's bodies on its day (an account
// linked to that person), the meeting must have started and the member's
// attendance (room or remote) must be recorded in its live session; one
// claim per member and meeting; the amount at most the city's cap per hour
// times the hours, and the hours at most the meeting's length (actual, else
// expected, else until now) plus the city's margin.
// Errors: ErrInvalid (FieldErrors: hours, amount, note, meeting),
// ErrForbidden (not a member of the meeting's bodies), ErrNotFound.
func (s *Store) SubmitClaim(ctx context.Context, c Claim, now time.Time) (Claim, error) {
	c.Note = strings.TrimSpace(c.Note)
	if fe := c.validate(); len(fe) > 0 {
		return Claim{}, fe
	}
	err := council.Tx(ctx, s.db, func(tx council.DBTXTx) error {
		var person *council.ID
		var role council.Role
		if err := tx.QueryRow(ctx, `SELECT person_id, role FROM users WHERE id = $1 AND NOT deleted AND NOT disabled`, c.UserID).
			Scan(&person, &role); err != nil {
			return council.TranslateError(err)
		}
		c.PersonID = council.IDOf(person)
		if c.PersonID == council.NilID || role == council.RoleCitizen {
			return &council.UserError{Kind: council.ErrForbidden, Key: MsgClaimNotMember, Text: "only a member of the meeting's bodies may claim childcare costs"}
		}
		var (
			body                 council.ID
			start                time.Time
			end, closed          *time.Time
			cancelled, member    bool
			attended, duplicated bool
		)
		err := tx.QueryRow(ctx, `SELECT m.body_id, m.start_at, m.end_at, m.cancelled,
				(SELECT closed_at FROM live_sessions ls WHERE ls.meeting_id = m.id),
				EXISTS (SELECT 1 FROM meeting_organizations mo JOIN memberships ms ON ms.organization_id = mo.organization_id AND NOT ms.deleted
					WHERE mo.meeting_id = m.id AND ms.person_id = $2
					AND (ms.start_date IS NULL OR ms.start_date <= (m.start_at AT TIME ZONE 'Europe/Berlin')::date)
					AND (ms.end_date IS NULL OR ms.end_date >= (m.start_at AT TIME ZONE 'Europe/Berlin')::date)),
				EXISTS (SELECT 1 FROM live_attendance a WHERE a.meeting_id = m.id AND a.person_id = $2 AND a.mode IN ('room', 'remote')),
				EXISTS (SELECT 1 FROM childcare_claims x WHERE x.meeting_id = m.id AND x.person_id = $2)
			FROM meetings m WHERE m.id = $1 AND NOT m.deleted`, c.MeetingID, c.PersonID).
			Scan(&body, &start, &end, &cancelled, &closed, &member, &attended, &duplicated)
		if err != nil {
			return council.TranslateError(err)
		}
		if !member {
			return &council.UserError{Kind: council.ErrForbidden, Key: MsgClaimNotMember, Text: "only a member of the meeting's bodies may claim childcare costs"}
		}
		switch {
		case cancelled || start.After(now):
			return council.FieldErrors{"meeting": MsgClaimNotStarted}
		case !attended:
			return council.FieldErrors{"meeting": MsgClaimNotAttended}
		case duplicated:
			return council.FieldErrors{"meeting": MsgClaimDuplicate}
		}
		rules, err := childcareRules(ctx, tx, body)
		if err != nil {
			return err
		}
		until := now
		if closed != nil {
			until = *closed
		} else if end != nil && end.After(start) && end.Before(now) {
			until = *end
		}
		fe := council.FieldErrors{}
		if time.Duration(c.Minutes)*time.Minute > until.Sub(start)+rules.Margin {
			fe.Add("hours", MsgClaimTooLong)
		}
		if c.AmountCents > rules.CapFor(c.Minutes) {
			fe.Add("amount", MsgClaimOverCap)
		}
		if err := fe.Err(); err != nil {
			return err
		}
		c.ID, c.State, c.SubmittedAt = council.NewID(), ClaimSubmitted, now
		if _, err := tx.Exec(ctx, `INSERT INTO childcare_claims (id, meeting_id, person_id, user_id, minutes, amount_cents, note, submitted_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, c.ID, c.MeetingID, c.PersonID, c.UserID, c.Minutes, c.AmountCents, c.Note, now); err != nil {
			if errors.Is(council.TranslateError(err), council.ErrConflict) {
				return council.FieldErrors{"meeting": MsgClaimDuplicate}
			}
			return council.TranslateError(err)
		}
		// The audit row says that a claim came and for which meeting; the
		// amount, hours and note stay in the claim (and go with it).
		return council.Record(ctx, tx, "childcare_claim", c.ID, council.OpCreate,
			map[string]any{"Meeting": c.MeetingID, "State": ClaimSubmitted})
	})
	if err != nil {
		return Claim{}, fmt.Errorf("submit childcare claim: %w", err)
	}
	return s.Claim(ctx, c.ID)
}

// DecideClaim approves or rejects a submitted claim at now; a rejection
// needs a reason. Only the clerk's office decides: the context's actor
// must be an enabled clerk or admin.
// Errors: ErrForbidden, ErrNotFound, ErrInvalid (FieldErrors: reason,
// claim already decided).
func (s *Store) DecideClaim(ctx context.Context, id council.ID, approve bool, reason string, now time.Time) (Claim, error) {
	reason = strings.TrimSpace(reason)
	if !approve && reason == "" {
		return Claim{}, council.FieldErrors{"reason": MsgClaimReason}
	}
	if len([]rune(reason)) > 1000 {
		return Claim{}, council.FieldErrors{"reason": council.MsgTooLong}
	}
	actor := council.ActorFrom(ctx)
	err := council.Tx(ctx, s.db, func(tx council.DBTXTx) error {
		var staff bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND role IN ('clerk', 'admin') AND NOT deleted AND NOT disabled)`,
			council.NullID(actor)).Scan(&staff); err != nil {
			return council.TranslateError(err)
		}
		if !staff {
			return fmt.Errorf("%w: only the clerk's office decides childcare claims", council.ErrForbidden)
		}
		var state ClaimState
		if err := tx.QueryRow(ctx, `SELECT state FROM childcare_claims WHERE id = $1 FOR UPDATE`, id).Scan(&state); err != nil {
			return council.TranslateError(err)
		}
		if state != ClaimSubmitted {
			return council.FieldErrors{"decision": MsgClaimDecided}
		}
		to := ClaimApproved
		if !approve {
			to = ClaimRejected
		} else {
			reason = ""
		}
		if _, err := tx.Exec(ctx, `UPDATE childcare_claims SET state = $2, reason = $3, decided_at = $4, decided_by = $5 WHERE id = $1`,
			id, to, reason, now, actor); err != nil {
			return council.TranslateError(err)
		}
		return council.Record(ctx, tx, "childcare_claim", id, council.OpUpdate, map[string]any{"State": to})
	})
	if err != nil {
		return Claim{}, fmt.Errorf("decide childcare claim %s: %w", id, err)
	}
	return s.Claim(ctx, id)
}

// WithdrawClaim deletes the claim id of user while it awaits its
// decision (the member changed their mind or entered it wrongly); a
// decided claim is a voucher and stays. Errors: ErrNotFound (no such
// claim of user), ErrInvalid (FieldErrors: the claim is decided).
func (s *Store) WithdrawClaim(ctx context.Context, id, user council.ID) error {
	err := council.Tx(ctx, s.db, func(tx council.DBTXTx) error {
		var state ClaimState
		if err := tx.QueryRow(ctx, `SELECT state FROM childcare_claims WHERE id = $1 AND user_id = $2 FOR UPDATE`, id, user).Scan(&state); err != nil {
			return council.TranslateError(err)
		}
		if state != ClaimSubmitted {
			return council.FieldErrors{"claim": MsgClaimDecided}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM childcare_claims WHERE id = $1`, id); err != nil {
			return council.TranslateError(err)
		}
		return council.Record(ctx, tx, "childcare_claim", id, council.OpDelete, map[string]any{"Reason": "withdrawn"})
	})
	if err != nil {
		return fmt.Errorf("withdraw childcare claim %s: %w", id, err)
	}
	return nil
}

const claimCols = `c.id, c.meeting_id, c.person_id, c.user_id, c.minutes, c.amount_cents, c.note, c.state, c.reason,
	c.submitted_at, c.decided_at, c.decided_by, m.name, m.start_at,
	concat_ws(' ', nullif(p.title, ''), nullif(p.given_name, ''), p.family_name, nullif(p.affix, ''))`

const claimFrom = ` FROM childcare_claims c JOIN meetings m ON m.id = c.meeting_id JOIN persons p ON p.id = c.person_id`

func scanClaim(row pgx.CollectableRow) (Claim, error) {
	var c Claim
	var decided *time.Time
	var by *council.ID
	err := row.Scan(&c.ID, &c.MeetingID, &c.PersonID, &c.UserID, &c.Minutes, &c.AmountCents, &c.Note, &c.State, &c.Reason,
		&c.SubmittedAt, &decided, &by, &c.MeetingName, &c.MeetingStart, &c.PersonName)
	if decided != nil {
		c.DecidedAt = *decided
	}
	c.DecidedBy = council.IDOf(by)
	return c, err
}

// Claim returns the claim with id. Errors: ErrNotFound.
func (s *Store) Claim(ctx context.Context, id council.ID) (Claim, error) {
	rows, err := s.db.Query(ctx, `SELECT `+claimCols+claimFrom+` WHERE c.id = $1`, id)
	if err != nil {
		return Claim{}, fmt.Errorf("childcare claim %s: %w", id, council.TranslateError(err))
	}
	c, err := pgx.CollectExactlyOneRow(rows, scanClaim)
	if err != nil {
		return Claim{}, fmt.Errorf("childcare claim %s: %w", id, council.TranslateError(err))
	}
	return c, nil
}

// MyClaims lists the claims of the member linked to user, newest first.
func (s *Store) MyClaims(ctx context.Context, user council.ID) ([]Claim, error) {
	return s.claims(ctx, `WHERE c.person_id = (SELECT person_id FROM users WHERE id = $1) ORDER BY c.submitted_at DESC, c.id LIMIT 500`, user)
}

// ClaimQueue lists the body's claims for the clerk's office: the submitted
// ones first (oldest first), then the decided ones of the last year
// before now (newest first).
func (s *Store) ClaimQueue(ctx context.Context, body council.ID, now time.Time) ([]Claim, error) {
	return s.claims(ctx, `WHERE m.body_id = $1 AND (c.state = 'submitted' OR c.decided_at >= $2)
		ORDER BY c.state <> 'submitted', CASE WHEN c.state = 'submitted' THEN c.submitted_at END, c.decided_at DESC, c.id LIMIT 1000`,
		body, now.AddDate(-1, 0, 0))
}

func (s *Store) claims(ctx context.Context, where string, args ...any) ([]Claim, error) {
	rows, err := s.db.Query(ctx, `SELECT `+claimCols+claimFrom+` `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("childcare claims: %w", council.TranslateError(err))
	}
	out, err := pgx.CollectRows(rows, scanClaim)
	if err != nil {
		return nil, fmt.Errorf("childcare claims: %w", council.TranslateError(err))
	}
	return out, nil
}

// ClaimableMeetings lists the meetings user's member may claim for at now:
// started, not cancelled or deleted, the member's attendance recorded, no
// claim of theirs yet; newest first, at most a year back.
func (s *Store) ClaimableMeetings(ctx context.Context, user council.ID, now time.Time) ([]Meeting, error) {
	rows, err := s.db.Query(ctx, `SELECT `+meetingCols+` FROM meetings m, users u
		WHERE u.id = $1 AND u.person_id IS NOT NULL AND NOT m.deleted AND NOT m.cancelled AND m.start_at <= $2 AND m.start_at >= $3
		  AND EXISTS (SELECT 1 FROM live_attendance a WHERE a.meeting_id = m.id AND a.person_id = u.person_id AND a.mode IN ('room', 'remote'))
		  AND NOT EXISTS (SELECT 1 FROM childcare_claims x WHERE x.meeting_id = m.id AND x.person_id = u.person_id)
		ORDER BY m.start_at DESC, m.id LIMIT 100`, user, now, now.AddDate(-1, 0, 0))
	if err != nil {
		return nil, fmt.Errorf("claimable meetings: %w", council.TranslateError(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Meeting, error) { return scanMeeting(r) })
	if err != nil {
		return nil, fmt.Errorf("claimable meetings: %w", council.TranslateError(err))
	}
	return out, nil
}
