package meetings

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
)

const itemCols = `i.id, i.meeting_id, i.position, i.number, i.name, i.public, i.result, i.resolution_text,
	i.created, i.modified, i.deleted, c.paper_id, coalesce(p.reference, ''), coalesce(paper_public(p), false), i.approves_minutes_of`

const itemFrom = `agenda_items i
	LEFT JOIN LATERAL (SELECT paper_id FROM consultations c WHERE c.agenda_item_id = i.id AND NOT c.deleted
		ORDER BY c.created LIMIT 1) c ON true
	LEFT JOIN papers p ON p.id = c.paper_id`

// scanItem scans the itemCols of row, then the extra columns into extra.
func scanItem(row interface{ Scan(...any) error }, extra ...any) (AgendaItem, error) {
	var it AgendaItem
	var paper, approves *council.ID
	err := row.Scan(append([]any{&it.ID, &it.MeetingID, &it.Position, &it.Number, &it.Name, &it.Public, &it.Result,
		&it.ResolutionText, &it.Created, &it.Modified, &it.Deleted, &paper, &it.PaperReference, &it.PaperPublic, &approves}, extra...)...)
	it.PaperID, it.ApprovesMinutesOf = council.IDOf(paper), council.IDOf(approves)
	return it, err
}

// AgendaItems returns the meeting's agenda in order (all items; callers
// filter through AgendaItem.ForViewer).
func (s *Store) AgendaItems(ctx context.Context, meeting council.ID) ([]AgendaItem, error) {
	rows, err := s.db.Query(ctx, `SELECT `+itemCols+` FROM `+itemFrom+`
		WHERE i.meeting_id = $1 AND NOT i.deleted ORDER BY i.position, i.created`, meeting)
	if err != nil {
		return nil, fmt.Errorf("agenda: %w", council.TranslateError(err))
	}
	defer rows.Close()
	var out []AgendaItem
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("agenda: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// AgendaItem returns the item with id. Errors: ErrNotFound.
func (s *Store) AgendaItem(ctx context.Context, id council.ID) (AgendaItem, error) {
	it, err := scanItem(s.db.QueryRow(ctx, `SELECT `+itemCols+` FROM `+itemFrom+` WHERE i.id = $1`, id))
	if err != nil {
		return AgendaItem{}, fmt.Errorf("agenda item %s: %w", id, council.TranslateError(err))
	}
	return it, nil
}

// SaveAgendaItem appends a new item (zero ID) to its meeting's agenda or
// updates name, public flag, result and resolution text of an existing
// one. The agenda is renumbered. Errors: ErrInvalid, ErrNotFound,
// ErrConflict (closed meeting).
func (s *Store) SaveAgendaItem(ctx context.Context, it AgendaItem) (AgendaItem, error) {
	if err := it.Validate(); err != nil {
		return AgendaItem{}, err
	}
	err := s.changeAgenda(ctx, it.MeetingID, func(tx council.DBTXTx) error {
		if it.ID == council.NilID {
			it.ID = council.NewID()
			_, err := tx.Exec(ctx, `INSERT INTO agenda_items (id, meeting_id, position, name, public, result, resolution_text)
				VALUES ($1, $2, (SELECT coalesce(max(position) + 1, 0) FROM agenda_items WHERE meeting_id = $2 AND NOT deleted),
				$3, $4, $5, $6)`, it.ID, it.MeetingID, it.Name, it.Public, it.Result, it.ResolutionText)
			if err != nil {
				return council.TranslateError(err)
			}
			return council.Record(ctx, tx, "agenda_item", it.ID, council.OpCreate, map[string]any{"Name": it.Name, "Public": it.Public})
		}
		old, err := scanItem(tx.QueryRow(ctx, `SELECT `+itemCols+` FROM `+itemFrom+` WHERE i.id = $1 AND i.meeting_id = $2 AND NOT i.deleted`, it.ID, it.MeetingID))
		if err != nil {
			return council.TranslateError(err)
		}
		if _, err := tx.Exec(ctx, `UPDATE agenda_items SET name=$2, public=$3, result=$4, resolution_text=$5, modified=now()
			WHERE id = $1`, it.ID, it.Name, it.Public, it.Result, it.ResolutionText); err != nil {
			return council.TranslateError(err)
		}
		it.Position, it.Number, it.PaperID, it.PaperReference, it.PaperPublic, it.Meta = old.Position, old.Number, old.PaperID, old.PaperReference, old.PaperPublic, old.Meta
		return council.Record(ctx, tx, "agenda_item", it.ID, council.OpUpdate, council.Diff(old, it))
	})
	if err != nil {
		return AgendaItem{}, fmt.Errorf("save agenda item: %w", err)
	}
	return s.AgendaItem(ctx, it.ID)
}

// AddPaper appends an item for paper to the meeting's agenda and links it
// to the paper's unscheduled consultation by org (creating one when the
// path has none). The item is public only when public is true and the
// paper is public. Errors: ErrNotFound, ErrInvalid, ErrConflict.
func (s *Store) AddPaper(ctx context.Context, meeting, paper, org council.ID, public bool) (AgendaItem, error) {
	var id council.ID
	err := s.changeAgenda(ctx, meeting, func(tx council.DBTXTx) error {
		var name, ref, status string
		var paperPublic bool
		if err := tx.QueryRow(ctx, `SELECT name, coalesce(reference, ''), public, status FROM papers WHERE id = $1 AND NOT deleted`,
			paper).Scan(&name, &ref, &paperPublic, &status); err != nil {
			return council.TranslateError(err)
		}
		if status == string(council.StatusDraft) {
			return fmt.Errorf("%w: a draft paper cannot be put on an agenda; submit it first", council.ErrConflict)
		}
		id = council.NewID()
		if _, err := tx.Exec(ctx, `INSERT INTO agenda_items (id, meeting_id, position, name, public)
			VALUES ($1, $2, (SELECT coalesce(max(position) + 1, 0) FROM agenda_items WHERE meeting_id = $2 AND NOT deleted), $3, $4)`,
			id, meeting, name, public && paperPublic); err != nil {
			return council.TranslateError(err)
		}
		consultation, op := council.NilID, council.OpUpdate
		err := tx.QueryRow(ctx, `UPDATE consultations SET agenda_item_id = $1, modified = now() WHERE id = (
			SELECT id FROM consultations WHERE paper_id = $2 AND organization_id = $3 AND agenda_item_id IS NULL AND NOT deleted
			ORDER BY position LIMIT 1) RETURNING id`, id, paper, org).Scan(&consultation)
		if errors.Is(err, pgx.ErrNoRows) {
			op = council.OpCreate
			err = tx.QueryRow(ctx, `INSERT INTO consultations (paper_id, organization_id, agenda_item_id, position, role)
				VALUES ($1, $2, $3, (SELECT coalesce(max(position) + 1, 0) FROM consultations WHERE paper_id = $1), '')
				RETURNING id`, paper, org, id).Scan(&consultation)
		}
		if err != nil {
			return council.TranslateError(err)
		}
		if status == string(council.StatusSubmitted) {
			// Scheduling starts the consultation: a timeline entry, dated
			// no later than the meeting (back-dated data stays in order).
			if _, err := tx.Exec(ctx, `INSERT INTO paper_events (paper_id, status, at)
				SELECT $1, 'in_consultation', least(now(), start_at) FROM meetings WHERE id = $2`, paper, meeting); err != nil {
				return council.TranslateError(err)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE papers SET modified = now(),
			status = CASE WHEN status = 'submitted' THEN 'in_consultation' ELSE status END WHERE id = $1`, paper); err != nil {
			return council.TranslateError(err)
		}
		if err := council.Record(ctx, tx, "paper", paper, council.OpUpdate, map[string]any{"scheduled": id}); err != nil {
			return err
		}
		if err := council.Record(ctx, tx, "consultation", consultation, op, map[string]any{"AgendaItemID": id}); err != nil {
			return err
		}
		return council.Record(ctx, tx, "agenda_item", id, council.OpCreate, map[string]any{"Paper": ref})
	})
	if err != nil {
		return AgendaItem{}, fmt.Errorf("add paper to agenda: %w", err)
	}
	return s.AgendaItem(ctx, id)
}

// MoveItem moves an item by delta places (negative: up) within its
// agenda. Errors: ErrNotFound, ErrConflict.
func (s *Store) MoveItem(ctx context.Context, meeting, item council.ID, delta int) error {
	err := s.changeAgenda(ctx, meeting, func(tx council.DBTXTx) error {
		rows, err := tx.Query(ctx, `SELECT id FROM agenda_items WHERE meeting_id = $1 AND NOT deleted ORDER BY position, created`, meeting)
		if err != nil {
			return council.TranslateError(err)
		}
		var ids []council.ID
		for rows.Next() {
			var id council.ID
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		from := -1
		for i, id := range ids {
			if id == item {
				from = i
			}
		}
		if from < 0 {
			return fmt.Errorf("%w: agenda item %s", council.ErrNotFound, item)
		}
		to := min(max(from+delta, 0), len(ids)-1)
		moved := ids[from]
		ids = append(ids[:from], ids[from+1:]...)
		ids = append(ids[:to], append([]council.ID{moved}, ids[to:]...)...)
		for i, id := range ids {
			if _, err := tx.Exec(ctx, `UPDATE agenda_items SET position = $2 WHERE id = $1 AND position <> $2`, id, i); err != nil {
				return council.TranslateError(err)
			}
		}
		return council.Record(ctx, tx, "agenda_item", item, council.OpUpdate, map[string]any{"Position": [2]int{from, to}})
	})
	if err != nil {
		return fmt.Errorf("move agenda item: %w", err)
	}
	return nil
}

// DeleteItem removes an item from the agenda (soft delete) and unlinks
// its consultation. Errors: ErrNotFound, ErrConflict.
func (s *Store) DeleteItem(ctx context.Context, meeting, item council.ID) error {
	err := s.changeAgenda(ctx, meeting, func(tx council.DBTXTx) error {
		tag, err := tx.Exec(ctx, `UPDATE agenda_items SET deleted = true, modified = now() WHERE id = $1 AND meeting_id = $2 AND NOT deleted`, item, meeting)
		if err != nil {
			return council.TranslateError(err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("%w: agenda item %s", council.ErrNotFound, item)
		}
		// Unlink the consultations; their papers change too (OParl embeds
		// consultations in papers).
		rows, err := tx.Query(ctx, `UPDATE consultations SET agenda_item_id = NULL, modified = now() WHERE agenda_item_id = $1
			RETURNING id, paper_id`, item)
		if err != nil {
			return council.TranslateError(err)
		}
		var unlinked [][2]council.ID
		for rows.Next() {
			var c [2]council.ID
			if err := rows.Scan(&c[0], &c[1]); err != nil {
				rows.Close()
				return council.TranslateError(err)
			}
			unlinked = append(unlinked, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return council.TranslateError(err)
		}
		for _, c := range unlinked {
			if _, err := tx.Exec(ctx, `UPDATE papers SET modified = now() WHERE id = $1`, c[1]); err != nil {
				return council.TranslateError(err)
			}
			if err := council.Record(ctx, tx, "consultation", c[0], council.OpUpdate, map[string]any{"AgendaItemID": nil}); err != nil {
				return err
			}
		}
		return council.Record(ctx, tx, "agenda_item", item, council.OpDelete, nil)
	})
	if err != nil {
		return fmt.Errorf("delete agenda item: %w", err)
	}
	return nil
}

// changeAgenda runs fn under a lock on the meeting, refuses closed
// meetings, then renumbers the agenda and bumps the meeting's modified time
// (OParl embeds agenda items in meetings); on an invited meeting it tells
// the members that the agenda changed.
func (s *Store) changeAgenda(ctx context.Context, meeting council.ID, fn func(council.DBTXTx) error) error {
	return council.Tx(ctx, s.db, func(tx council.DBTXTx) error {
		var state State
		if err := tx.QueryRow(ctx, `SELECT state FROM meetings WHERE id = $1 AND NOT deleted FOR UPDATE`, meeting).Scan(&state); err != nil {
			return fmt.Errorf("meeting %s: %w", meeting, council.TranslateError(err))
		}
		if state == Closed {
			return fmt.Errorf("%w: the meeting is closed", council.ErrConflict)
		}
		if err := fn(tx); err != nil {
			return err
		}
		if err := renumber(ctx, tx, meeting); err != nil {
			return err
		}
		if state == Invited {
			return s.notifyMembers(ctx, tx, meeting, council.NoticeAgendaChanged, nil)
		}
		return nil
	})
}

func renumber(ctx context.Context, tx council.DBTXTx, meeting council.ID) error {
	// One set-based statement: positions 0..n-1 in agenda order, "Ö n" for
	// public and "N n" for non-public items; only rows
	// whose number or position changes are written.
	_, err := tx.Exec(ctx, `WITH ordered AS (
			SELECT id,
				row_number() OVER (ORDER BY position, created) - 1 AS pos,
				CASE WHEN public THEN 'Ö ' ELSE 'N ' END ||
					row_number() OVER (PARTITION BY public ORDER BY position, created) AS num
			FROM agenda_items WHERE meeting_id = $1 AND NOT deleted)
		UPDATE agenda_items a SET position = o.pos, number = o.num,
			modified = CASE WHEN a.number <> o.num THEN now() ELSE a.modified END
		FROM ordered o WHERE a.id = o.id AND (a.position <> o.pos OR a.number <> o.num)`, meeting)
	if err != nil {
		return council.TranslateError(err)
	}
	_, err = tx.Exec(ctx, `UPDATE meetings SET modified = now() WHERE id = $1`, meeting)
	return council.TranslateError(err)
}

// Step is one consultation on a paper's path, with where and when it was
// (or will be) discussed.
type Step struct {
	council.Consultation
	OrgName      string
	Item         AgendaItem // zero ID: not scheduled yet, or (MeetingID set) consulted in a meeting without an agenda item
	MeetingName  string
	MeetingStart time.Time
	MeetingState State
	Cancelled    bool
	// AgendaPublished is the database's agenda_published for the item's
	// meeting (migrations/sql/00011_visibility.sql): false while the
	// agenda is not published, and when not scheduled.
	AgendaPublished bool
}

// Path returns the consultations of paper in order, with their agenda
// items and meetings. Callers apply visibility: a step whose item is
// non-public must not show the item to the public.
func (s *Store) Path(ctx context.Context, paper council.ID) ([]Step, error) {
	rows, err := s.db.Query(ctx, `SELECT c.id, c.paper_id, c.organization_id, c.position, c.role, c.authoritative,
			c.created, c.modified, o.name,
			i.id, coalesce(i.number, ''), coalesce(i.name, ''), coalesce(i.public, false), coalesce(i.result, ''),
			m.id, coalesce(m.name, ''), m.start_at, coalesce(m.state, ''), coalesce(m.cancelled, false),
			coalesce(agenda_published(m), false)
		FROM consultations c
		JOIN organizations o ON o.id = c.organization_id
		LEFT JOIN agenda_items i ON i.id = c.agenda_item_id AND NOT i.deleted
		LEFT JOIN meetings m ON m.id = coalesce(i.meeting_id, c.meeting_id) AND NOT m.deleted
		WHERE c.paper_id = $1 AND NOT c.deleted
		ORDER BY c.position, m.start_at NULLS LAST, c.created`, paper)
	if err != nil {
		return nil, fmt.Errorf("paper path: %w", council.TranslateError(err))
	}
	defer rows.Close()
	var out []Step
	for rows.Next() {
		var st Step
		var itemID, meetingID *council.ID
		var start *time.Time
		if err := rows.Scan(&st.ID, &st.PaperID, &st.OrganizationID, &st.Position, &st.Role, &st.Authoritative,
			&st.Created, &st.Modified, &st.OrgName,
			&itemID, &st.Item.Number, &st.Item.Name, &st.Item.Public, &st.Item.Result,
			&meetingID, &st.MeetingName, &start, &st.MeetingState, &st.Cancelled, &st.AgendaPublished); err != nil {
			return nil, fmt.Errorf("paper path: %w", err)
		}
		st.Item.ID, st.MeetingID = council.IDOf(itemID), council.IDOf(meetingID)
		if st.Item.ID != council.NilID {
			st.Item.MeetingID = st.MeetingID
		}
		st.AgendaItemID = st.Item.ID
		if start != nil {
			st.MeetingStart = *start
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// Decision is a public result of an agenda item.
type Decision struct {
	Item         AgendaItem
	MeetingName  string
	MeetingStart time.Time
}

// PublicDecisions returns the latest results of public agenda items that
// decide on a public paper, in published, not cancelled meetings of the
// body, newest first. Procedural items (opening, minutes) are left out.
func (s *Store) PublicDecisions(ctx context.Context, body council.ID, limit int) ([]Decision, error) {
	return s.decisions(ctx, "decisions", "", body, limit)
}

// decisions reads the public decisions of a body ($1) newest first,
// narrowed by filter (SQL that may use $2 …); the last argument is the
// limit. what names the read in errors.
func (s *Store) decisions(ctx context.Context, what, filter string, args ...any) ([]Decision, error) {
	rows, err := s.db.Query(ctx, `SELECT `+itemCols+`, m.name, m.start_at FROM `+itemFrom+`
		JOIN meetings m ON m.id = i.meeting_id
		WHERE m.body_id = $1 AND agenda_item_public(i, m) AND i.result <> ''
		  AND NOT m.cancelled AND paper_public(p) `+filter+`
		ORDER BY m.start_at DESC, i.position LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, council.TranslateError(err))
	}
	defer rows.Close()
	var out []Decision
	for rows.Next() {
		var d Decision
		var err error
		if d.Item, err = scanItem(rows, &d.MeetingName, &d.MeetingStart); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
