package meetings

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
)

// MinutesStatus returns the state of the minutes of meeting id: a draft
// when nothing was stored yet. Errors: ErrNotFound for an unknown meeting.
func (s *Store) MinutesStatus(ctx context.Context, id council.ID) (MinutesStatus, error) {
	m, err := s.MinutesStatuses(ctx, []council.ID{id})
	if err != nil {
		return MinutesStatus{}, err
	}
	st, ok := m[id]
	if !ok {
		return MinutesStatus{}, fmt.Errorf("minutes of %s: %w", id, council.ErrNotFound)
	}
	return st, nil
}

// MinutesStatuses returns MinutesStatus of each meeting of ids that
// exists, in one statement.
func (s *Store) MinutesStatuses(ctx context.Context, ids []council.ID) (map[council.ID]MinutesStatus, error) {
	out := make(map[council.ID]MinutesStatus, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.db.Query(ctx, `SELECT m.id, coalesce(x.state, 'draft'), x.approved_at, x.approved_by_item, x.approved_by_poll,
			coalesce(x.hash, ''), coalesce(x.public_hash, ''),
			EXISTS (SELECT 1 FROM live_sessions l WHERE l.meeting_id = m.id)
		FROM meetings m LEFT JOIN minutes x ON x.meeting_id = m.id WHERE m.id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("minutes: %w", council.TranslateError(err))
	}
	defer rows.Close()
	for rows.Next() {
		var st MinutesStatus
		var approvedAt *time.Time
		var item, poll *council.ID
		if err := rows.Scan(&st.MeetingID, &st.State, &approvedAt, &item, &poll, &st.Hash, &st.PublicHash, &st.Ran); err != nil {
			return nil, fmt.Errorf("minutes: %w", council.TranslateError(err))
		}
		if approvedAt != nil {
			st.ApprovedAt = *approvedAt
		}
		st.ApprovedByItem, st.ApprovedByPoll = council.IDOf(item), council.IDOf(poll)
		out[st.MeetingID] = st
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("minutes: %w", council.TranslateError(err))
	}
	return out, nil
}

// PublicMinutes returns the approved minutes of meeting id as the public
// may see them (minutes_public: approved, meeting not deleted), with the
// public version's hash. Errors: ErrNotFound when there are none.
func (s *Store) PublicMinutes(ctx context.Context, id council.ID) (MinutesRecord, error) {
	r, err := s.frozen(ctx, "public minutes", `SELECT x.frozen, x.public_hash FROM minutes x JOIN meetings m ON m.id = x.meeting_id
		WHERE x.meeting_id = $1 AND minutes_public(x, m)`, id)
	if err != nil {
		return MinutesRecord{}, err
	}
	hash := r.Hash
	out := r.Public()
	out.Hash = hash
	return out, nil
}

// FrozenMinutes returns the approved members' version of the minutes of
// meeting id with its addenda. Errors: ErrNotFound when they are not
// approved.
func (s *Store) FrozenMinutes(ctx context.Context, id council.ID) (MinutesRecord, error) {
	r, err := s.frozen(ctx, "approved minutes", `SELECT frozen, hash FROM minutes WHERE meeting_id = $1 AND state = 'approved'`, id)
	r.ForMembers = err == nil
	return r, err
}

// frozen reads the frozen document and a hash of meeting id's minutes
// with query, and adds the addenda.
func (s *Store) frozen(ctx context.Context, what, query string, id council.ID) (MinutesRecord, error) {
	var b []byte
	var hash string
	if err := s.db.QueryRow(ctx, query, id).Scan(&b, &hash); err != nil {
		return MinutesRecord{}, fmt.Errorf("%s of %s: %w", what, id, council.TranslateError(err))
	}
	var r MinutesRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return MinutesRecord{}, fmt.Errorf("%s of %s: %w", what, id, err)
	}
	var err error
	if r.Addenda, err = s.addenda(ctx, id, r); err != nil {
		return MinutesRecord{}, err
	}
	r.State, r.Hash = MinutesApproved, hash
	return r, nil
}

// addenda returns the addenda of the minutes of meeting id, oldest first,
// with the item numbers of r.
func (s *Store) addenda(ctx context.Context, id council.ID, r MinutesRecord) ([]MinutesRecEntry, error) {
	edits, err := s.MinutesEdits(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []MinutesRecEntry
	for _, e := range edits {
		if e.Field != FieldAddendum {
			continue
		}
		a := MinutesRecEntry{Text: e.Value, Reason: e.Reason, By: e.Author, At: e.At}
		if e.ItemID != council.NilID {
			a.Item = "?"
			for _, it := range r.Items {
				if it.ItemID == e.ItemID {
					a.Item = it.Number
				}
			}
		}
		out = append(out, a)
	}
	return out, nil
}

// MinutesEdits returns every edit of the minutes of meeting id, oldest
// first, with the authors' names.
func (s *Store) MinutesEdits(ctx context.Context, id council.ID) ([]MinutesEdit, error) {
	rows, err := s.db.Query(ctx, `SELECT e.id, e.meeting_id, e.item_id, e.field, e.value, e.reason, e.author_id,
			coalesce(nullif(u.display_name, ''), u.email, ''), e.at
		FROM minutes_edits e LEFT JOIN users u ON u.id = e.author_id WHERE e.meeting_id = $1 ORDER BY e.id`, id)
	if err != nil {
		return nil, fmt.Errorf("minutes edits of %s: %w", id, council.TranslateError(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (MinutesEdit, error) {
		var e MinutesEdit
		var item, author *council.ID
		err := r.Scan(&e.ID, &e.MeetingID, &item, &e.Field, &e.Value, &e.Reason, &author, &e.Author, &e.At)
		e.ItemID, e.AuthorID = council.IDOf(item), council.IDOf(author)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("minutes edits of %s: %w", id, council.TranslateError(err))
	}
	return out, nil
}

// lockMinutes creates the minutes row of meeting id if needed and locks
// it for the transaction; it returns the state.
func lockMinutes(ctx context.Context, tx council.DBTXTx, id council.ID) (MinutesState, error) {
	if _, err := tx.Exec(ctx, `INSERT INTO minutes (meeting_id) SELECT id FROM meetings WHERE id = $1 AND NOT deleted
		ON CONFLICT (meeting_id) DO NOTHING`, id); err != nil {
		return "", council.TranslateError(err)
	}
	var st MinutesState
	if err := tx.QueryRow(ctx, `SELECT state FROM minutes WHERE meeting_id = $1 FOR UPDATE`, id).Scan(&st); err != nil {
		return "", fmt.Errorf("meeting %s: %w", id, council.TranslateError(err))
	}
	return st, nil
}

// EditMinutes adds e (by the context's actor) to the minutes of
// e.MeetingID. Before approval every field but an addendum may be edited;
// after approval only addenda are taken. Errors: ErrInvalid (with
// FieldErrors), ErrNotFound for an unknown meeting or an item of another
// meeting, ErrConflict for an edit the state does not allow.
func (s *Store) EditMinutes(ctx context.Context, e MinutesEdit) (MinutesEdit, error) {
	if err := e.Validate(); err != nil {
		return MinutesEdit{}, err
	}
	e.AuthorID = council.ActorFrom(ctx)
	err := council.Tx(ctx, s.db, func(tx council.DBTXTx) error {
		st, err := lockMinutes(ctx, tx, e.MeetingID)
		if err != nil {
			return err
		}
		switch {
		case st == MinutesApproved && e.Field != FieldAddendum:
			return fmt.Errorf("%w: the minutes are approved; only an addendum can change them", council.ErrConflict)
		case st == MinutesDraft && e.Field == FieldAddendum:
			return fmt.Errorf("%w: an addendum is for approved minutes; edit the draft instead", council.ErrConflict)
		}
		if e.ItemID != council.NilID {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM agenda_items WHERE id = $1 AND meeting_id = $2 AND NOT deleted`,
				e.ItemID, e.MeetingID).Scan(&n); err != nil {
				return council.TranslateError(err)
			}
			if n == 0 {
				return fmt.Errorf("agenda item %s of meeting %s: %w", e.ItemID, e.MeetingID, council.ErrNotFound)
			}
		}
		var author *council.ID
		if e.AuthorID != council.NilID {
			author = &e.AuthorID
		}
		var item *council.ID
		if e.ItemID != council.NilID {
			item = &e.ItemID
		}
		if err := tx.QueryRow(ctx, `INSERT INTO minutes_edits (meeting_id, item_id, field, value, reason, author_id)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, at`, e.MeetingID, item, e.Field, e.Value, e.Reason, author).
			Scan(&e.ID, &e.At); err != nil {
			return council.TranslateError(err)
		}
		if _, err := tx.Exec(ctx, `UPDATE minutes SET modified = now() WHERE meeting_id = $1`, e.MeetingID); err != nil {
			return council.TranslateError(err)
		}
		return council.Record(ctx, tx, "minutes", e.MeetingID, council.OpUpdate,
			map[string]any{"Field": e.Field, "Item": e.ItemID, "Edit": e.ID})
	})
	if err != nil {
		return MinutesEdit{}, fmt.Errorf("edit minutes of %s: %w", e.MeetingID, err)
	}
	return e, nil
}

// ApplyEdits lays the edits over the draft r (built from the session's
// log): the newest resolution text, result and notes of each item,
// corrections in order, the notes on the whole meeting. It remembers what
// the log said where an edit changed it.
func ApplyEdits(r MinutesRecord, edits []MinutesEdit) MinutesRecord {
	byItem := map[council.ID]int{}
	for i, it := range r.Items {
		byItem[it.ItemID] = i
		r.Items[i].LogResult, r.Items[i].LogResolutionText = it.Result, it.ResolutionText
	}
	for _, e := range edits {
		if e.ItemID == council.NilID {
			if e.Field == FieldNotes {
				r.Notes = e.Value
			}
			continue
		}
		i, ok := byItem[e.ItemID]
		if !ok {
			continue
		}
		it := &r.Items[i]
		switch e.Field {
		case FieldResolutionText:
			it.ResolutionText, it.Edited = e.Value, true
		case FieldResult:
			it.Result, it.Edited = e.Value, true
		case FieldNotes:
			it.Notes, it.Edited = e.Value, true
		case FieldCorrection:
			it.Corrections = append(it.Corrections, MinutesRecEntry{Text: e.Value, Reason: e.Reason, By: e.Author, At: e.At})
		}
	}
	return r
}

// AddMinutesApproval appends to the agenda of meeting id the public item
// "Genehmigung der Niederschrift" for the minutes of the earlier meeting
// of, and tells the members of id's bodies that the draft is there to
// read. Errors: ErrNotFound, ErrConflict when of is not an earlier meeting
// of one of the same organizations, its minutes are approved already, or
// the agenda has such an item already.
func (s *Store) AddMinutesApproval(ctx context.Context, id, of council.ID) (AgendaItem, error) {
	m, err := s.Meeting(ctx, id)
	if err != nil {
		return AgendaItem{}, err
	}
	o, err := s.Meeting(ctx, of)
	if err != nil {
		return AgendaItem{}, err
	}
	shared := false
	for _, org := range o.Organizations {
		shared = shared || slices.Contains(m.Organizations, org)
	}
	switch {
	case o.Deleted || !shared || !o.Start.Before(m.Start):
		return AgendaItem{}, fmt.Errorf("%w: only the minutes of an earlier meeting of the same committee can be approved here", council.ErrConflict)
	case o.Cancelled:
		return AgendaItem{}, fmt.Errorf("%w: a cancelled meeting has no minutes", council.ErrConflict)
	}
	itemID := council.NewID()
	name := "Genehmigung der Niederschrift der Sitzung vom " + council.Today(o.Start).Format("02.01.2006")
	err = s.changeAgenda(ctx, id, func(tx council.DBTXTx) error {
		st, err := lockMinutes(ctx, tx, of)
		if err != nil {
			return err
		}
		if st == MinutesApproved {
			return fmt.Errorf("%w: these minutes are approved already", council.ErrConflict)
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM agenda_items WHERE meeting_id = $1 AND approves_minutes_of = $2 AND NOT deleted`,
			id, of).Scan(&n); err != nil {
			return council.TranslateError(err)
		}
		if n > 0 {
			return fmt.Errorf("%w: the agenda already has an item approving these minutes", council.ErrConflict)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO agenda_items (id, meeting_id, position, name, public, approves_minutes_of)
			VALUES ($1, $2, (SELECT coalesce(max(position) + 1, 0) FROM agenda_items WHERE meeting_id = $2 AND NOT deleted), $3, true, $4)`,
			itemID, id, name, of); err != nil {
			return council.TranslateError(err)
		}
		if err := s.notifyMembers(ctx, tx, id, council.NoticeMinutes, func(n *council.MeetingNotice) {
			n.MinutesOf, n.MinutesName, n.MinutesStart = of, o.Name, o.Start
		}); err != nil {
			return err
		}
		return council.Record(ctx, tx, "agenda_item", itemID, council.OpCreate, map[string]any{"Name": name, "ApprovesMinutesOf": of})
	})
	if err != nil {
		return AgendaItem{}, fmt.Errorf("add minutes approval: %w", err)
	}
	return s.AgendaItem(ctx, itemID)
}

// ApproveMinutes freezes r, the members' version of the minutes of
// r.MeetingID built from the log and the edits up to edit upTo, as
// approved by agenda item itemID (which must approve these minutes and
// have a closed, accepted poll): it stores r with its hash and the public
// version's hash, and writes the items' result and resolution text into
// the agenda (so OParl shows the approved wording). Errors: ErrNotFound,
// ErrConflict when the item has no accepted poll, the minutes are approved
// already, or an edit came after r was built (build it again).
func (s *Store) ApproveMinutes(ctx context.Context, itemID council.ID, r MinutesRecord, upTo int64) (MinutesStatus, error) {
	err := council.Tx(ctx, s.db, func(tx council.DBTXTx) error {
		var of *council.ID
		var approving council.ID
		var number, title string
		var start time.Time
		if err := tx.QueryRow(ctx, `SELECT i.approves_minutes_of, i.number, m.id, m.name, m.start_at FROM agenda_items i
			JOIN meetings m ON m.id = i.meeting_id WHERE i.id = $1 AND NOT i.deleted AND NOT m.deleted`, itemID).
			Scan(&of, &number, &approving, &title, &start); err != nil {
			return fmt.Errorf("agenda item %s: %w", itemID, council.TranslateError(err))
		}
		if of == nil || *of != r.MeetingID {
			return fmt.Errorf("%w: this agenda item does not approve these minutes", council.ErrConflict)
		}
		a := MinutesApproval{MeetingID: approving, Meeting: title, Item: number}
		var poll council.ID
		err := tx.QueryRow(ctx, `SELECT id, closed_at, coalesce(yes, 0), coalesce(no, 0), coalesce(abstain, 0) FROM polls
			WHERE item_id = $1 AND state = 'closed' AND outcome = 'accepted' ORDER BY closed_at DESC LIMIT 1`, itemID).
			Scan(&poll, &a.Date, &a.Yes, &a.No, &a.Abstain)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%w: the item %s has no accepted vote yet; the minutes are approved by the meeting's vote", council.ErrConflict, number)
		}
		if err != nil {
			return council.TranslateError(err)
		}
		st, err := lockMinutes(ctx, tx, r.MeetingID)
		if err != nil {
			return err
		}
		if st == MinutesApproved {
			return fmt.Errorf("%w: these minutes are approved already", council.ErrConflict)
		}
		var newer int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM minutes_edits WHERE meeting_id = $1 AND id > $2`, r.MeetingID, upTo).Scan(&newer); err != nil {
			return council.TranslateError(err)
		}
		if newer > 0 {
			return fmt.Errorf("%w: the minutes were edited meanwhile; reload and approve again", council.ErrConflict)
		}
		r.Approval = &a
		r.ForMembers = true
		hash, b, err := r.Digest()
		if err != nil {
			return err
		}
		publicHash, _, err := r.Public().Digest()
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE minutes SET state = 'approved', approved_at = $2, approved_by_item = $3,
			approved_by_poll = $4, frozen = $5, hash = $6, public_hash = $7, modified = now() WHERE meeting_id = $1`,
			r.MeetingID, a.Date, itemID, poll, b, hash, publicHash); err != nil {
			return council.TranslateError(err)
		}
		for _, it := range r.Items {
			tag, err := tx.Exec(ctx, `UPDATE agenda_items SET result = $2, resolution_text = $3, modified = now()
				WHERE id = $1 AND (result <> $2 OR resolution_text <> $3)`, it.ItemID, it.Result, it.ResolutionText)
			if err != nil {
				return council.TranslateError(err)
			}
			if tag.RowsAffected() > 0 {
				if err := council.Record(ctx, tx, "agenda_item", it.ItemID, council.OpUpdate,
					map[string]any{"Result": it.Result, "ResolutionText": "approved minutes"}); err != nil {
					return err
				}
			}
		}
		return council.Record(ctx, tx, "minutes", r.MeetingID, council.OpUpdate,
			map[string]any{"State": MinutesApproved, "Item": itemID, "Poll": poll, "Hash": hash})
	})
	if err != nil {
		return MinutesStatus{}, fmt.Errorf("approve minutes of %s: %w", r.MeetingID, err)
	}
	return s.MinutesStatus(ctx, r.MeetingID)
}

// MinutesToApprove returns the earlier meetings of meeting id's
// organizations, not cancelled, whose minutes are not approved and not yet
// on id's agenda for approval, newest first (at most 20): the candidates
// for a "Genehmigung der Niederschrift" item.
func (s *Store) MinutesToApprove(ctx context.Context, id council.ID) ([]Meeting, error) {
	rows, err := s.db.Query(ctx, `SELECT `+meetingCols+` FROM meetings m
		JOIN meetings this ON this.id = $1
		WHERE NOT m.deleted AND NOT m.cancelled AND m.start_at < this.start_at
		  AND EXISTS (SELECT 1 FROM meeting_organizations a JOIN meeting_organizations b ON b.organization_id = a.organization_id
		              WHERE a.meeting_id = m.id AND b.meeting_id = this.id)
		  AND NOT EXISTS (SELECT 1 FROM minutes x WHERE x.meeting_id = m.id AND x.state = 'approved')
		  AND NOT EXISTS (SELECT 1 FROM agenda_items i WHERE i.meeting_id = this.id AND i.approves_minutes_of = m.id AND NOT i.deleted)
		ORDER BY m.start_at DESC LIMIT 20`, id)
	if err != nil {
		return nil, fmt.Errorf("minutes to approve: %w", council.TranslateError(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Meeting, error) { return scanMeeting(r) })
	if err != nil {
		return nil, fmt.Errorf("minutes to approve: %w", council.TranslateError(err))
	}
	return out, nil
}
