package mail

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
)

// ReminderLead is how long before its due date staff are reminded of a
// youth council's or community group's motion still unanswered
// (docs/DOMAIN.md, "Einwohnerantrag": the answer obligation).
const ReminderLead = 14 * 24 * time.Hour

// dueMotion is a motion whose answer falls due.
type dueMotion struct {
	id         council.ID
	title, grp string
	due        time.Time
}

// staffMember is a recipient of staff reminders.
type staffMember struct{ email, lang string }

// RemindDue queues, for every admitted group's motion still unanswered
// whose due date is at most ReminderLead after now (or passed) and whose
// staff were not reminded yet, one reminder to each active clerk and
// administrator, in their language, and marks the motion reminded — in
// one transaction per motion, so a reminder is queued exactly once. It
// reports how many messages it queued.
func (s *Store) RemindDue(ctx context.Context, tpl *Templates, site string, now time.Time) (int, error) {
	today := council.Today(now)
	rows, err := s.db.Query(ctx, `SELECT i.id, i.title, coalesce(o.name, ''), i.due_date FROM initiatives i
		LEFT JOIN organizations o ON o.id = i.organization_id
		WHERE NOT i.deleted AND i.state = 'admitted' AND i.kind IN ('youth_council', 'community_group')
		AND i.answered_at IS NULL AND i.reminded_at IS NULL AND i.due_date IS NOT NULL AND i.due_date <= $1::date
		ORDER BY i.due_date, i.id`, today.Add(ReminderLead))
	if err != nil {
		return 0, fmt.Errorf("due motions: %w", council.TranslateError(err))
	}
	motions, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (dueMotion, error) {
		var m dueMotion
		return m, r.Scan(&m.id, &m.title, &m.grp, &m.due)
	})
	if err != nil {
		return 0, fmt.Errorf("due motions: %w", council.TranslateError(err))
	}
	if len(motions) == 0 {
		return 0, nil
	}
	rows, err = s.db.Query(ctx, `SELECT email, lang FROM users WHERE role IN ('clerk', 'admin') AND NOT disabled AND NOT deleted
		AND email_verified IS NOT NULL ORDER BY email`)
	if err != nil {
		return 0, fmt.Errorf("staff: %w", council.TranslateError(err))
	}
	staff, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (staffMember, error) {
		var m staffMember
		return m, r.Scan(&m.email, &m.lang)
	})
	if err != nil {
		return 0, fmt.Errorf("staff: %w", council.TranslateError(err))
	}
	queued := 0
	for _, m := range motions {
		err := council.Tx(ctx, s.db, func(tx council.DBTXTx) error {
			tag, err := tx.Exec(ctx, `UPDATE initiatives SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL`, m.id, now)
			if err != nil {
				return council.TranslateError(err)
			}
			if tag.RowsAffected() == 0 {
				return nil // another process reminded meanwhile
			}
			for _, st := range staff {
				msg := Message{To: st.email, Lang: st.lang, Kind: Transactional}
				data := DueData{Site: site, Title: m.title, Group: m.grp, Due: m.due.Format("02.01.2006"),
					Link: s.baseURL + "/admin/initiatives/" + m.id.String(), Overdue: m.due.Before(today)}
				if err := tpl.Render(&msg, TplInitiativeDue, st.lang, data); err != nil {
					return err
				}
				if _, err := s.Enqueue(ctx, tx, msg); err != nil {
					return err
				}
				queued++
			}
			return council.Record(ctx, tx, "initiative", m.id, council.OpUpdate, map[string]any{"reminded": len(staff)})
		})
		if err != nil {
			return queued, fmt.Errorf("remind of %s: %w", m.id, err)
		}
	}
	return queued, nil
}
