package privacy

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
)

// Store reads and writes the privacy tables (retention_rules) and runs
// the retention, export and erasure statements over the domain tables.
type Store struct {
	db council.DBTX
}

// NewStore returns a Store on db.
func NewStore(db council.DBTX) *Store { return &Store{db: db} }

// expiry are the set-based statements of each class kept in PostgreSQL:
// @cutoff is now minus the class's period, @now the run's time. Each statement
// deletes or pseudonymises exactly what has expired; their row counts add
// up to the class's count. The legal record — minutes, votes, the
// attendance list (live_presence, live_attendance), motions and published
// questions themselves — is never touched here.
var expiry = map[Class][]string{
	// Accounts never verified whose link expired, and links past their
	// expiry or period. An account that acted (audit) stays for staff.
	UnverifiedAccounts: {
		`DELETE FROM users u WHERE u.email_verified IS NULL AND u.role = 'citizen' AND u.created < @cutoff
			AND NOT EXISTS (SELECT 1 FROM audit a WHERE a.actor_id = u.id)`,
		`DELETE FROM email_verifications WHERE expires < @now OR created < @cutoff`,
	},
	// The login log, and sessions past their expiry.
	Logins: {
		`DELETE FROM logins WHERE at < @cutoff`,
		`DELETE FROM sessions WHERE expiry < @now`,
	},
	// Client addresses kept for throttling and rate limits.
	NetworkAddresses: {
		`DELETE FROM login_failures WHERE at < @cutoff`,
		`DELETE FROM account_requests WHERE at < @cutoff`,
	},
	// Signatures of motions that are decided (admitted, rejected,
	// withdrawn) since the period, or whose collection ended that long
	// ago unsubmitted: they keep counting, without their signer.
	Signatures: {
		`UPDATE initiative_signatures s SET user_id = NULL FROM initiatives i
			WHERE i.id = s.initiative_id AND s.user_id IS NOT NULL
			AND ((i.state IN ('admitted', 'rejected', 'withdrawn')
				AND (SELECT max(e.at) FROM initiative_events e WHERE e.initiative_id = i.id) < @cutoff)
			OR (i.state = 'collecting' AND i.deadline < @cutoff::date))`,
	},
	// Questions answered, rejected or merged since the period: no longer
	// linked to the asker; the text of one never public is removed.
	Questions: {
		`UPDATE questions SET asker_id = NULL, note = '', modified = @now,
			text = CASE WHEN state = 'answered' THEN text ELSE '[gelöscht]' END,
			norm = CASE WHEN state = 'answered' THEN norm ELSE id::text END,
			deleted = deleted OR state <> 'answered'
			WHERE asker_id IS NOT NULL AND state IN ('answered', 'rejected', 'merged')
			AND coalesce(answered_at, modified) < @cutoff`,
	},
	// Abuse reports resolved since the period; the moderator's notes to
	// askers on questions moderated since the period.
	Moderation: {
		`DELETE FROM abuse_reports WHERE resolved_at < @cutoff`,
		`UPDATE questions SET note = '' WHERE note <> '' AND state <> 'submitted' AND modified < @cutoff`,
	},
	// The media connections behind remote attendance, once the minutes
	// (with the attendance list) are approved since the period.
	LivePresence: {
		`DELETE FROM live_media lm USING minutes x WHERE x.meeting_id = lm.meeting_id
			AND x.state = 'approved' AND x.approved_at < @cutoff`,
	},
	// Decided childcare claims, counted from the end of the year of the
	// decision (the budget year whose voucher the claim is; the default
	// keeps them to the end of the tenth year after it, docs/DOMAIN.md,
	// "Kinderbetreuungskosten"); a claim awaiting its decision is kept.
	ChildcareClaims: {
		`DELETE FROM childcare_claims WHERE decided_at IS NOT NULL
			AND date_trunc('year', decided_at) + interval '1 year' < @cutoff`,
	},
	// Sent and failed mail.
	Mail: {
		`DELETE FROM mail_outbox WHERE state IN ('sent', 'failed') AND created < @cutoff`,
	},
}

// Days returns the configured period of class c in days (0 for an
// External class). Errors: ErrNotFound for an unknown class.
func (s *Store) Days(ctx context.Context, c Class) (int, error) {
	rules, err := s.Rules(ctx)
	if err != nil {
		return 0, err
	}
	for _, r := range rules {
		if r.Class == c {
			return r.Days, nil
		}
	}
	return 0, fmt.Errorf("%w: data class %q", council.ErrNotFound, c)
}

// Rules returns every class with its configured period, in the order of
// Classes. External classes have Days 0.
func (s *Store) Rules(ctx context.Context) ([]Rule, error) {
	rows, err := s.db.Query(ctx, `SELECT class, days, modified FROM retention_rules`)
	if err != nil {
		return nil, fmt.Errorf("retention rules: %w", council.TranslateError(err))
	}
	type row struct {
		days     int
		modified time.Time
	}
	got := map[Class]row{}
	var c string
	var r row
	if _, err := pgx.ForEachRow(rows, []any{&c, &r.days, &r.modified}, func() error {
		got[Class(c)] = r
		return nil
	}); err != nil {
		return nil, fmt.Errorf("retention rules: %w", council.TranslateError(err))
	}
	out := make([]Rule, 0, len(Classes))
	for _, ci := range Classes {
		rule := Rule{ClassInfo: ci}
		if !ci.External {
			rule.Days = ci.Default
			if r, ok := got[ci.Class]; ok {
				rule.Days, rule.Modified = r.days, r.modified
			}
		}
		out = append(out, rule)
	}
	return out, nil
}

// SetRules stores the periods in days (classes not in days keep theirs)
// and records the change in the audit trail with the actor of ctx. A
// period outside 1 … MaxDays, or an unknown or External class, is
// ErrInvalid (a council.FieldErrors keyed by the class) and nothing is
// stored.
func (s *Store) SetRules(ctx context.Context, days map[Class]int, now time.Time) error {
	fe := council.FieldErrors{}
	for c, d := range days {
		ci, ok := Info(c)
		switch {
		case !ok || ci.External:
			fe.Add(string(c), council.MsgInvalid)
		case d < 1 || d > MaxDays:
			fe.Add(string(c), council.MsgInvalid)
		}
	}
	if len(fe) > 0 {
		return fe
	}
	changes, err := json.Marshal(days)
	if err != nil {
		return fmt.Errorf("retention rules: %w", err)
	}
	err = council.Tx(ctx, s.db, func(tx pgx.Tx) error {
		for c, d := range days {
			if _, err := tx.Exec(ctx, `INSERT INTO retention_rules (class, days, modified) VALUES ($1, $2, $3)
				ON CONFLICT (class) DO UPDATE SET days = EXCLUDED.days, modified = EXCLUDED.modified
				WHERE retention_rules.days <> EXCLUDED.days`, string(c), d, now); err != nil {
				return err
			}
		}
		return audit(ctx, tx, "retention_rules", "update", changes)
	})
	if err != nil {
		return fmt.Errorf("retention rules: %w", council.TranslateError(err))
	}
	return nil
}

// audit writes an audit row of entity (no outbox row: retention rules and
// runs are not public data that readers follow). entity_id is a fresh
// id: each row is an event of its own.
func audit(ctx context.Context, tx council.DBTX, entity, op string, changes []byte) error {
	var actor *council.ID
	if a := council.ActorFrom(ctx); a != council.NilID {
		actor = &a
	}
	_, err := tx.Exec(ctx, `INSERT INTO audit (actor_id, entity, entity_id, op, changes)
		VALUES ($1, $2, gen_random_uuid(), $3, $4)`, actor, entity, op, changes)
	return err
}

// Expire runs the statements of every class kept in PostgreSQL at now,
// one transaction per class, and returns their counts. A class that
// fails is left out of the counts; its error (the first) is returned
// after the others ran.
func (s *Store) Expire(ctx context.Context, now time.Time) (Counts, error) {
	rules, err := s.Rules(ctx)
	if err != nil {
		return Counts{}, err
	}
	counts := Counts{}
	var firstErr error
	for _, r := range rules {
		stmts := expiry[r.Class]
		if r.External || len(stmts) == 0 {
			continue
		}
		cutoff := now.AddDate(0, 0, -r.Days)
		var n int64
		err := council.Tx(ctx, s.db, func(tx pgx.Tx) error {
			for _, q := range stmts {
				tag, err := tx.Exec(ctx, q, pgx.NamedArgs{"cutoff": cutoff, "now": now})
				if err != nil {
					return err
				}
				n += tag.RowsAffected()
			}
			return nil
		})
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("retention of %s: %w", r.Class, council.TranslateError(err))
			}
			continue
		}
		counts[r.Class] = n
	}
	return counts, firstErr
}

// RecordRun writes the audit row of one run of the job: its time and the
// count of every class.
func (s *Store) RecordRun(ctx context.Context, now time.Time, counts Counts) error {
	b, err := json.Marshal(map[string]any{"at": now.UTC(), "counts": counts})
	if err != nil {
		return fmt.Errorf("record retention run: %w", err)
	}
	if err := audit(ctx, s.db, "privacy_retention", "delete", b); err != nil {
		return fmt.Errorf("record retention run: %w", council.TranslateError(err))
	}
	return nil
}

// LastRun returns the time and counts of the newest run of the job, or a
// zero time when it never ran.
func (s *Store) LastRun(ctx context.Context) (time.Time, Counts, error) {
	var at time.Time
	var run struct {
		Counts Counts `json:"counts"`
	}
	err := s.db.QueryRow(ctx, `SELECT at, changes FROM audit WHERE entity = 'privacy_retention'
		ORDER BY at DESC, id DESC LIMIT 1`).Scan(&at, &run)
	if err == pgx.ErrNoRows {
		return time.Time{}, Counts{}, nil
	}
	if err != nil {
		return time.Time{}, nil, fmt.Errorf("last retention run: %w", council.TranslateError(err))
	}
	return at, run.Counts, nil
}
