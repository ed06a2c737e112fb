package live

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
)

// addComplaint logs complaint v (ID, PersonID, ItemID, Text, RaisedAt) in
// the meeting.
func (st store) addComplaint(ctx context.Context, meetingID council.ID, v ComplaintView) error {
	_, err := st.db.Exec(ctx, `INSERT INTO live_complaints (id, meeting_id, item_id, person_id, text, raised_at) VALUES ($1,$2,$3,$4,$5,$6)`,
		v.ID, meetingID, council.NullID(v.ItemID), v.PersonID, v.Text, v.RaisedAt)
	return council.TranslateError(err)
}

const complaintCols = `c.id, c.person_id, r.name, c.item_id, c.text, c.raised_at, c.classification, c.note, c.resolved_at
	FROM live_complaints c JOIN live_roster r ON r.meeting_id = c.meeting_id AND r.person_id = c.person_id`

func scanComplaint(row pgx.Row) (ComplaintView, error) {
	var v ComplaintView
	var item *council.ID
	var class string
	err := row.Scan(&v.ID, &v.PersonID, &v.Name, &item, &v.Text, &v.RaisedAt, &class, &v.Note, &v.ResolvedAt)
	v.ItemID, v.Resolution = council.IDOf(item), Resolution(class)
	return v, err
}

// complaint returns complaint id of the meeting with its resolution, if
// any. Errors: ErrNotFound when the meeting has no such complaint.
func (st store) complaint(ctx context.Context, meetingID, id council.ID) (ComplaintView, error) {
	v, err := scanComplaint(st.db.QueryRow(ctx, `SELECT `+complaintCols+` WHERE c.id = $1 AND c.meeting_id = $2`, id, meetingID))
	if errors.Is(err, pgx.ErrNoRows) {
		return ComplaintView{}, fmt.Errorf("%w: no complaint %s in this session", council.ErrNotFound, id)
	}
	return v, council.TranslateError(err)
}

// complaints returns the meeting's complaints in the order raised: all of
// them, or (all false) those resolved and self's own open ones.
func (st store) complaints(ctx context.Context, meetingID council.ID, all bool, self council.ID) ([]ComplaintView, error) {
	rows, err := st.db.Query(ctx, `SELECT `+complaintCols+`
		WHERE c.meeting_id = $1 AND ($2 OR c.resolved_at IS NOT NULL OR c.person_id = $3) ORDER BY c.raised_at, c.id`,
		meetingID, all, council.NullID(self))
	if err != nil {
		return nil, council.TranslateError(err)
	}
	defer rows.Close()
	var out []ComplaintView
	for rows.Next() {
		v, err := scanComplaint(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// resolveComplaint records the chair's resolution of complaint id, made
// by user actor (NilID: none) at now.
func (st store) resolveComplaint(ctx context.Context, id council.ID, res Resolution, note string, actor council.ID, now time.Time) error {
	_, err := st.db.Exec(ctx, `UPDATE live_complaints SET classification = $2, note = $3, resolved_at = $4, resolved_by = $5 WHERE id = $1`,
		id, res, note, now, council.NullID(actor))
	return council.TranslateError(err)
}

// openComplaints counts the meeting's complaints not yet resolved.
func (st store) openComplaints(ctx context.Context, meetingID council.ID) (int, error) {
	var n int
	err := st.db.QueryRow(ctx, `SELECT count(*) FROM live_complaints WHERE meeting_id = $1 AND resolved_at IS NULL`, meetingID).Scan(&n)
	return n, council.TranslateError(err)
}
