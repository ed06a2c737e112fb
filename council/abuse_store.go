package council

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// ReportAbuse stores a report. Errors: ErrInvalid.
func (s *Store) ReportAbuse(ctx context.Context, r AbuseReport) (AbuseReport, error) {
	if err := r.Validate(); err != nil {
		return AbuseReport{}, err
	}
	r.Note = strings.TrimSpace(r.Note)
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO abuse_reports (target_kind, target_id, reason, note, reporter_id)
			VALUES ($1,$2,$3,$4,$5) RETURNING id, created`, r.TargetKind, r.TargetID, r.Reason, r.Note, nullID(r.ReporterID)).Scan(&r.ID, &r.Created); err != nil {
			return TranslateError(err)
		}
		return Record(ctx, tx, "abuse_report", r.ID, OpCreate, map[string]any{"target": r.TargetKind, "target_id": r.TargetID, "reason": r.Reason})
	})
	if err != nil {
		return AbuseReport{}, fmt.Errorf("report abuse: %w", err)
	}
	return r, nil
}

// OpenAbuseReports lists the reports not yet closed, oldest first, with
// the reported contribution's title.
func (s *Store) OpenAbuseReports(ctx context.Context) ([]AbuseReport, error) {
	rows, err := s.db.Query(ctx, `SELECT r.id, r.target_kind, r.target_id, coalesce(i.title, left(q.text, 120), ''), r.reason, r.note,
			coalesce(r.reporter_id, '00000000-0000-0000-0000-000000000000'), r.created
		FROM abuse_reports r LEFT JOIN initiatives i ON r.target_kind = 'initiative' AND i.id = r.target_id
			LEFT JOIN questions q ON r.target_kind = 'question' AND q.id = r.target_id
		WHERE r.resolved_at IS NULL ORDER BY r.created LIMIT 500`)
	if err != nil {
		return nil, fmt.Errorf("abuse reports: %w", TranslateError(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (AbuseReport, error) {
		var r AbuseReport
		return r, row.Scan(&r.ID, &r.TargetKind, &r.TargetID, &r.Title, &r.Reason, &r.Note, &r.ReporterID, &r.Created)
	})
	if err != nil {
		return nil, fmt.Errorf("abuse reports: %w", TranslateError(err))
	}
	return out, nil
}

// ResolveAbuseReport closes report id with what staff did. Errors:
// ErrInvalid (no resolution), ErrNotFound (none open).
func (s *Store) ResolveAbuseReport(ctx context.Context, id ID, resolution string, at time.Time) error {
	resolution = strings.TrimSpace(resolution)
	fe := FieldErrors{}
	checkText(fe, "resolution", resolution, true, 1000)
	if err := fe.Err(); err != nil {
		return err
	}
	return Tx(ctx, s.db, func(tx DBTXTx) error {
		tag, err := tx.Exec(ctx, `UPDATE abuse_reports SET resolved_at = $2, resolution = $3 WHERE id = $1 AND resolved_at IS NULL`, id, at, resolution)
		if err != nil {
			return TranslateError(err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("abuse report %s: %w", id, ErrNotFound)
		}
		return Record(ctx, tx, "abuse_report", id, OpUpdate, map[string]any{"resolution": resolution})
	})
}

// DraftsSince counts the initiatives user created since t (the flood
// limit of the motion form).
func (s *Store) DraftsSince(ctx context.Context, user ID, t time.Time) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM initiatives WHERE author_id = $1 AND created >= $2`, user, t).Scan(&n); err != nil {
		return 0, fmt.Errorf("drafts: %w", TranslateError(err))
	}
	return n, nil
}
