package council

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The implementation records of decided papers (docs/DOMAIN.md,
// "Beschlusskontrolle"). Every change is one transaction that records
// the change ("implementation") and moves the paper's modified time, as
// OParl embeds the record in its Paper (plenar:implementation).

const implCols = `i.id, i.paper_id, i.office, i.status, i.reason, i.due_date, i.created, i.modified, i.deleted`

func implDest(im *Implementation, due *pgDate) []any {
	return []any{&im.ID, &im.PaperID, &im.Office, &im.Status, &im.Reason, due, &im.Created, &im.Modified, &im.Deleted}
}

func scanImpl(row interface{ Scan(...any) error }) (Implementation, error) {
	var im Implementation
	var due pgDate
	err := row.Scan(implDest(&im, &due)...)
	im.Due = dateOf(due)
	return im, err
}

// implementationChanges is what the audit trail keeps of a record.
func implementationChanges(im Implementation) map[string]any {
	return map[string]any{"paper": im.PaperID, "office": im.Office, "status": im.Status, "reason": im.Reason,
		"due": nullDate(im.Due)}
}

// SaveImplementation creates the implementation record of paper
// im.PaperID (zero im.ID; its status, default open, is the history's
// first entry, dated at) or updates the office, the due date and, while
// not implemented, the reason. The status changes only through
// SetImplementationStatus. Errors: ErrInvalid (Validate), ErrNotFound (no
// such paper or record, or deleted), ErrConflict (the paper is a draft or
// already has a record).
func (s *Store) SaveImplementation(ctx context.Context, im Implementation, at time.Time) (Implementation, error) {
	if im.Status == "" {
		im.Status = ImplOpen
	}
	if err := im.Validate(); err != nil {
		return Implementation{}, err
	}
	im.Office, im.Reason = strings.TrimSpace(im.Office), strings.TrimSpace(im.Reason)
	var saved Implementation
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		op, changes := OpUpdate, any(nil)
		var err error
		if im.ID == NilID {
			if err := lockDecidedPaper(ctx, tx, im.PaperID); err != nil {
				return err
			}
			op = OpCreate
			saved, err = scanImpl(tx.QueryRow(ctx, `INSERT INTO implementations AS i (paper_id, office, status, reason, due_date, created, modified)
				VALUES ($1,$2,$3,$4,$5,now(),now()) RETURNING `+implCols, im.PaperID, im.Office, im.Status, im.Reason, nullDate(im.Due)))
			if err != nil {
				return TranslateError(err)
			}
			if err := addImplEvent(ctx, tx, saved.ID, saved.Status, saved.Reason, at); err != nil {
				return err
			}
			changes = implementationChanges(saved)
		} else {
			old, err := scanImpl(tx.QueryRow(ctx, `SELECT `+implCols+` FROM implementations i WHERE id = $1 AND NOT deleted FOR UPDATE`, im.ID))
			if err != nil {
				return TranslateError(err)
			}
			if old.PaperID != im.PaperID {
				return fmt.Errorf("%w: implementation %s belongs to another paper", ErrInvalid, im.ID)
			}
			reason := old.Reason
			if old.Status == ImplNotImplemented {
				reason = im.Reason
				if reason == "" {
					return FieldErrors{"reason": MsgReasonRequired}
				}
			}
			saved, err = scanImpl(tx.QueryRow(ctx, `UPDATE implementations AS i SET office = $2, due_date = $3, reason = $4, modified = now()
				WHERE id = $1 RETURNING `+implCols, im.ID, im.Office, nullDate(im.Due), reason))
			if err != nil {
				return TranslateError(err)
			}
			changes = Diff(old, saved)
		}
		if err := touchPaper(ctx, tx, saved.PaperID); err != nil {
			return err
		}
		return Record(ctx, tx, "implementation", saved.ID, op, changes)
	})
	if err != nil {
		return Implementation{}, fmt.Errorf("save implementation: %w", err)
	}
	return saved, nil
}

// lockDecidedPaper locks paper id for a new record: it must exist, not be
// deleted and not be a draft. Errors: ErrNotFound, ErrConflict.
func lockDecidedPaper(ctx context.Context, tx DBTXTx, id ID) error {
	p, err := scanPaper(tx.QueryRow(ctx, `SELECT `+paperCols+` FROM papers p WHERE id = $1 AND NOT deleted FOR UPDATE`, id))
	if err != nil {
		return fmt.Errorf("paper %s: %w", id, TranslateError(err))
	}
	if p.Status == StatusDraft {
		return &UserError{Kind: ErrConflict, Key: MsgImplDraft, Text: "a draft has no implementation record"}
	}
	return nil
}

// MsgImplDraft: only a submitted (and decided) paper gets an
// implementation record.
const MsgImplDraft = "err.implementation_draft"

func addImplEvent(ctx context.Context, tx DBTXTx, id ID, status ImplementationStatus, reason string, at time.Time) error {
	if at.IsZero() {
		at = time.Now()
	}
	_, err := tx.Exec(ctx, `INSERT INTO implementation_events (implementation_id, status, reason, at, actor_id) VALUES ($1,$2,$3,$4,$5)`,
		id, status, reason, at, nullID(ActorFrom(ctx)))
	return TranslateError(err)
}

// touchPaper moves the paper's modified time: OParl embeds the record.
func touchPaper(ctx context.Context, tx DBTXTx, paper ID) error {
	_, err := tx.Exec(ctx, `UPDATE papers SET modified = now() WHERE id = $1`, paper)
	return TranslateError(err)
}

// lockImpl loads the live record id for a change. Errors: ErrNotFound.
func lockImpl(ctx context.Context, tx DBTXTx, id ID) (Implementation, error) {
	im, err := scanImpl(tx.QueryRow(ctx, `SELECT `+implCols+` FROM implementations i WHERE id = $1 AND NOT deleted FOR UPDATE`, id))
	if err != nil {
		return Implementation{}, fmt.Errorf("implementation %s: %w", id, TranslateError(err))
	}
	return im, nil
}

// SetImplementationStatus moves record id to status, with reason (required
// for ImplNotImplemented, dropped otherwise), and adds the change, dated
// at, to its history. Setting the status it has changes nothing unless the
// reason differs. Errors: ErrInvalid (FieldErrors), ErrNotFound.
func (s *Store) SetImplementationStatus(ctx context.Context, id ID, status ImplementationStatus, reason string, at time.Time) (Implementation, error) {
	reason = strings.TrimSpace(reason)
	if status != ImplNotImplemented {
		reason = ""
	}
	var saved Implementation
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		old, err := lockImpl(ctx, tx, id)
		if err != nil {
			return err
		}
		next := old
		next.Status, next.Reason = status, reason
		if err := next.Validate(); err != nil {
			return err
		}
		if old.Status == status && old.Reason == reason {
			saved = old
			return nil
		}
		saved, err = scanImpl(tx.QueryRow(ctx, `UPDATE implementations AS i SET status = $2, reason = $3, modified = now()
			WHERE id = $1 RETURNING `+implCols, id, status, reason))
		if err != nil {
			return TranslateError(err)
		}
		if err := addImplEvent(ctx, tx, id, status, reason, at); err != nil {
			return err
		}
		if err := touchPaper(ctx, tx, saved.PaperID); err != nil {
			return err
		}
		return Record(ctx, tx, "implementation", id, OpUpdate, Diff(old, saved))
	})
	if err != nil {
		return Implementation{}, fmt.Errorf("set implementation status: %w", err)
	}
	return saved, nil
}

// AddImplementationNote adds a progress note to record id; its author is
// the actor of ctx. Errors: ErrInvalid (FieldErrors), ErrNotFound.
func (s *Store) AddImplementationNote(ctx context.Context, id ID, n ImplementationNote) (ImplementationNote, error) {
	n.Text = strings.TrimSpace(n.Text)
	if err := n.Validate(); err != nil {
		return ImplementationNote{}, err
	}
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		im, err := lockImpl(ctx, tx, id)
		if err != nil {
			return err
		}
		var date pgDate
		var author *ID
		if err := tx.QueryRow(ctx, `INSERT INTO implementation_notes (implementation_id, date, text, author_id)
			VALUES ($1,$2,$3,$4) RETURNING id, date, text, author_id, created`, id, nullDate(n.Date), n.Text, nullID(ActorFrom(ctx))).
			Scan(&n.ID, &date, &n.Text, &author, &n.Created); err != nil {
			return TranslateError(err)
		}
		n.Date, n.AuthorID = dateOf(date), idOf(author)
		if _, err := tx.Exec(ctx, `UPDATE implementations SET modified = now() WHERE id = $1`, id); err != nil {
			return TranslateError(err)
		}
		if err := touchPaper(ctx, tx, im.PaperID); err != nil {
			return err
		}
		return Record(ctx, tx, "implementation", id, OpUpdate, map[string]any{"note_added": n.ID, "date": date, "text": n.Text})
	})
	if err != nil {
		return ImplementationNote{}, fmt.Errorf("add implementation note: %w", err)
	}
	return n, nil
}

// DeleteImplementationNote removes note from record id (a note in error).
// Errors: ErrNotFound.
func (s *Store) DeleteImplementationNote(ctx context.Context, id, note ID) error {
	return s.changeImpl(ctx, id, "delete implementation note", map[string]any{"note_deleted": note}, func(tx DBTXTx) error {
		tag, err := tx.Exec(ctx, `UPDATE implementation_notes SET deleted = true WHERE id = $1 AND implementation_id = $2 AND NOT deleted`, note, id)
		if err != nil {
			return TranslateError(err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("%w: note %s", ErrNotFound, note)
		}
		return nil
	})
}

// LinkFollowUp links paper as a follow-up of record id (linking it again
// changes nothing). A record cannot follow up its own paper, and a paper
// of another body or a deleted one is not found.
// Errors: ErrNotFound, ErrInvalid.
func (s *Store) LinkFollowUp(ctx context.Context, id, paper ID) error {
	return s.changeImpl(ctx, id, "link follow-up paper", map[string]any{"follow_up_added": paper}, func(tx DBTXTx) error {
		var own, ownBody, body ID
		if err := tx.QueryRow(ctx, `SELECT i.paper_id, p.body_id FROM implementations i JOIN papers p ON p.id = i.paper_id WHERE i.id = $1`, id).
			Scan(&own, &ownBody); err != nil {
			return TranslateError(err)
		}
		if own == paper {
			return FieldErrors{"follow_up": MsgInvalid}
		}
		if err := tx.QueryRow(ctx, `SELECT body_id FROM papers WHERE id = $1 AND NOT deleted`, paper).Scan(&body); err != nil || body != ownBody {
			if err == nil || errors.Is(TranslateError(err), ErrNotFound) {
				return fmt.Errorf("%w: paper %s", ErrNotFound, paper)
			}
			return TranslateError(err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO implementation_follow_ups (implementation_id, paper_id) VALUES ($1,$2) ON CONFLICT DO NOTHING`, id, paper)
		return TranslateError(err)
	})
}

// UnlinkFollowUp removes paper from record id's follow-ups.
// Errors: ErrNotFound (the record, or no such link).
func (s *Store) UnlinkFollowUp(ctx context.Context, id, paper ID) error {
	return s.changeImpl(ctx, id, "unlink follow-up paper", map[string]any{"follow_up_removed": paper}, func(tx DBTXTx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM implementation_follow_ups WHERE implementation_id = $1 AND paper_id = $2`, id, paper)
		if err != nil {
			return TranslateError(err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("%w: follow-up %s", ErrNotFound, paper)
		}
		return nil
	})
}

// changeImpl runs fn on live record id in one transaction that moves the
// record's and its paper's modified time and records changes.
func (s *Store) changeImpl(ctx context.Context, id ID, what string, changes map[string]any, fn func(DBTXTx) error) error {
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		im, err := lockImpl(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE implementations SET modified = now() WHERE id = $1`, id); err != nil {
			return TranslateError(err)
		}
		if err := touchPaper(ctx, tx, im.PaperID); err != nil {
			return err
		}
		return Record(ctx, tx, "implementation", id, OpUpdate, changes)
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// ImplementationOfPaper returns the paper's live record with its notes,
// all its follow-up papers and its history, for the back office.
// Errors: ErrNotFound (no record).
func (s *Store) ImplementationOfPaper(ctx context.Context, paper ID) (Implementation, error) {
	return s.implementation(ctx, `NOT i.deleted`, `NOT fp.deleted`, nil, paper)
}

// ImplementationFor returns the record of paper as v may see it: when v
// sees the paper (implementation_visible_to,
// migrations/sql/00016_implementation.sql), with the follow-up papers v
// sees (paper_visible_to). Errors: ErrNotFound, also for a record v may
// not see.
func (s *Store) ImplementationFor(ctx context.Context, v Viewer, paper ID) (Implementation, error) {
	return s.implementation(ctx, `implementation_visible_to(i, p, $2, $3)`, `paper_visible_to(fp, $2, $3)`, v.SQLArgs(), paper)
}

// implementation reads the record of paper ($1) where visible holds, with
// its notes, history and the follow-up papers where followUp holds (on
// alias fp), in one statement (a paper page reads it on every request).
func (s *Store) implementation(ctx context.Context, visible, followUp string, viewer []any, paper ID) (Implementation, error) {
	var im Implementation
	var due pgDate
	var noteIDs, authors, actors, fIDs []ID
	var noteDates []pgDate
	var noteTexts, reasons, fRefs, fNames []string
	var noteCreated, eventsAt []time.Time
	var statuses []ImplementationStatus
	var fStatuses []PaperStatus
	var fTypes []PaperType
	err := s.db.QueryRow(ctx, `SELECT `+implCols+`,
			coalesce(n.ids, '{}'), coalesce(n.dates, '{}'), coalesce(n.texts, '{}'), coalesce(n.authors, '{}'), coalesce(n.created, '{}'),
			coalesce(e.ats, '{}'), coalesce(e.statuses, '{}'), coalesce(e.reasons, '{}'), coalesce(e.actors, '{}'),
			coalesce(f.ids, '{}'), coalesce(f.refs, '{}'), coalesce(f.names, '{}'), coalesce(f.statuses, '{}'), coalesce(f.types, '{}')
		FROM implementations i JOIN papers p ON p.id = i.paper_id
		LEFT JOIN LATERAL (SELECT array_agg(n.id ORDER BY n.date, n.created, n.id) AS ids,
				array_agg(n.date ORDER BY n.date, n.created, n.id) AS dates, array_agg(n.text ORDER BY n.date, n.created, n.id) AS texts,
				array_agg(coalesce(n.author_id, '00000000-0000-0000-0000-000000000000') ORDER BY n.date, n.created, n.id) AS authors,
				array_agg(n.created ORDER BY n.date, n.created, n.id) AS created
			FROM implementation_notes n WHERE n.implementation_id = i.id AND NOT n.deleted) n ON true
		LEFT JOIN LATERAL (SELECT array_agg(e.at ORDER BY e.at, e.id) AS ats, array_agg(e.status ORDER BY e.at, e.id) AS statuses,
				array_agg(e.reason ORDER BY e.at, e.id) AS reasons,
				array_agg(coalesce(e.actor_id, '00000000-0000-0000-0000-000000000000') ORDER BY e.at, e.id) AS actors
			FROM implementation_events e WHERE e.implementation_id = i.id) e ON true
		LEFT JOIN LATERAL (SELECT array_agg(fp.id ORDER BY f.created, f.paper_id) AS ids,
				array_agg(coalesce(fp.reference, '') ORDER BY f.created, f.paper_id) AS refs,
				array_agg(fp.name ORDER BY f.created, f.paper_id) AS names, array_agg(fp.status ORDER BY f.created, f.paper_id) AS statuses,
				array_agg(fp.paper_type ORDER BY f.created, f.paper_id) AS types
			FROM implementation_follow_ups f JOIN papers fp ON fp.id = f.paper_id
			WHERE f.implementation_id = i.id AND `+followUp+`) f ON true
		WHERE i.paper_id = $1 AND `+visible, append([]any{paper}, viewer...)...).
		Scan(append(implDest(&im, &due), &noteIDs, &noteDates, &noteTexts, &authors, &noteCreated,
			&eventsAt, &statuses, &reasons, &actors, &fIDs, &fRefs, &fNames, &fStatuses, &fTypes)...)
	if err != nil {
		return Implementation{}, fmt.Errorf("implementation of paper %s: %w", paper, TranslateError(err))
	}
	im.Due = dateOf(due)
	for i := range noteIDs {
		im.Notes = append(im.Notes, ImplementationNote{ID: noteIDs[i], Date: dateOf(noteDates[i]), Text: noteTexts[i],
			AuthorID: authors[i], Created: noteCreated[i]})
	}
	for i := range eventsAt {
		im.Events = append(im.Events, ImplementationEvent{At: eventsAt[i], Status: statuses[i], Reason: reasons[i], ActorID: actors[i]})
	}
	for i := range fIDs {
		im.FollowUps = append(im.FollowUps, fIDs[i])
		im.FollowUpPapers = append(im.FollowUpPapers, Paper{ID: fIDs[i], Reference: fRefs[i], Name: fNames[i],
			Status: fStatuses[i], Type: fTypes[i]})
	}
	return im, nil
}

// implNotes returns the live notes of the records ids, oldest first.
func (s *Store) implNotes(ctx context.Context, ids []ID) (map[ID][]ImplementationNote, error) {
	rows, err := s.db.Query(ctx, `SELECT implementation_id, id, date, text, author_id, created FROM implementation_notes
		WHERE implementation_id = ANY($1) AND NOT deleted ORDER BY date, created, id`, ids)
	if err != nil {
		return nil, fmt.Errorf("implementation notes: %w", TranslateError(err))
	}
	defer rows.Close()
	out := map[ID][]ImplementationNote{}
	for rows.Next() {
		var impl ID
		var n ImplementationNote
		var date pgDate
		var author *ID
		if err := rows.Scan(&impl, &n.ID, &date, &n.Text, &author, &n.Created); err != nil {
			return nil, fmt.Errorf("implementation notes: %w", err)
		}
		n.Date, n.AuthorID = dateOf(date), idOf(author)
		out[impl] = append(out[impl], n)
	}
	return out, rows.Err()
}

// publicDecision is the public decision on paper p (alias d): the latest
// result of a public agenda item (agenda_item_public) of a meeting that
// was not cancelled, on p's path, the deciding step first.
const publicDecision = `LEFT JOIN LATERAL (
		SELECT c.organization_id AS org_id, o.name AS org_name, m.start_at, m.id AS meeting_id, ai.result
		FROM consultations c
		JOIN agenda_items ai ON ai.id = c.agenda_item_id
		JOIN meetings m ON m.id = ai.meeting_id
		JOIN organizations o ON o.id = c.organization_id
		WHERE c.paper_id = p.id AND NOT c.deleted AND ai.result <> '' AND NOT m.cancelled AND agenda_item_public(ai, m)
		ORDER BY c.authoritative DESC, m.start_at DESC LIMIT 1) d ON true`

// implFilterSQL is the WHERE of the public list for f, with its
// arguments; status and overdue are left to the caller.
func implFilterSQL(f ImplementationFilter) (string, []any) {
	args := []any{f.BodyID}
	where := `p.body_id = $1 AND implementation_public(i, p)`
	if f.OrgID != NilID {
		args = append(args, f.OrgID)
		where += ` AND d.org_id = $` + strconv.Itoa(len(args))
	}
	if f.Year != 0 {
		args = append(args, f.Year)
		where += ` AND extract(year FROM coalesce(d.start_at AT TIME ZONE 'Europe/Berlin', p.date)) = $` + strconv.Itoa(len(args))
	}
	return where, args
}

// PublicImplementations lists the public records (implementation_public,
// migrations/sql/00016_implementation.sql) of f's body with their papers
// and public decisions, the latest decision first, the total for the
// filter, and the counts per status of the filter without its status.
// Errors: ErrUnavailable.
func (s *Store) PublicImplementations(ctx context.Context, f ImplementationFilter) ([]ImplementationRow, int, ImplementationCounts, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	today := nullDate(f.Today)
	if f.Today.IsZero() {
		today = nullDate(time.Now())
	}
	from := `implementations i JOIN papers p ON p.id = i.paper_id ` + publicDecision
	where, args := implFilterSQL(f)
	// overdue is Implementation.Overdue in SQL, today being argument n.
	overdue := func(n int) string {
		return `(i.status IN ('open', 'in_progress') AND i.due_date < $` + strconv.Itoa(n) + `)`
	}
	counts := ImplementationCounts{ByStatus: map[ImplementationStatus]int{}}
	rows, err := s.db.Query(ctx, `SELECT i.status, count(*), count(*) FILTER (WHERE `+overdue(len(args)+1)+`) FROM `+from+`
		WHERE `+where+` GROUP BY i.status`, append(args, today)...)
	if err != nil {
		return nil, 0, counts, fmt.Errorf("implementation counts: %w", TranslateError(err))
	}
	for rows.Next() {
		var st ImplementationStatus
		var n, late int
		if err := rows.Scan(&st, &n, &late); err != nil {
			rows.Close()
			return nil, 0, counts, fmt.Errorf("implementation counts: %w", err)
		}
		counts.ByStatus[st], counts.Overdue, counts.Total = n, counts.Overdue+late, counts.Total+n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, counts, fmt.Errorf("implementation counts: %w", TranslateError(err))
	}
	switch {
	case f.Overdue:
		args = append(args, today)
		where += ` AND ` + overdue(len(args))
	case f.Status != "":
		args = append(args, f.Status)
		where += ` AND i.status = $` + strconv.Itoa(len(args))
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM `+from+` WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, counts, fmt.Errorf("count implementations: %w", TranslateError(err))
	}
	n := len(args)
	rows, err = s.db.Query(ctx, `SELECT `+implCols+`, `+paperCols+`, d.org_id, coalesce(d.org_name, ''), d.start_at, d.meeting_id,
			coalesce(d.result, ''), (SELECT max(n.date) FROM implementation_notes n WHERE n.implementation_id = i.id AND NOT n.deleted)
		FROM `+from+` WHERE `+where+`
		ORDER BY coalesce(d.start_at, p.date::timestamptz) DESC NULLS LAST, p.reference DESC NULLS LAST, i.id
		LIMIT $`+strconv.Itoa(n+1)+` OFFSET $`+strconv.Itoa(n+2), append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, counts, fmt.Errorf("implementations: %w", TranslateError(err))
	}
	defer rows.Close()
	var out []ImplementationRow
	for rows.Next() {
		var r ImplementationRow
		var due, pdate, last pgDate
		var lead, org, meeting *ID
		var at *time.Time
		dest := append(implDest(&r.Implementation, &due), paperDest(&r.Paper, &pdate, &lead)...)
		if err := rows.Scan(append(dest, &org, &r.DecidedName, &at, &meeting, &r.Result, &last)...); err != nil {
			return nil, 0, counts, fmt.Errorf("implementations: %w", err)
		}
		r.Due, r.Paper.Date, r.Paper.LeadOrgID, r.LastNoteDate = dateOf(due), dateOf(pdate), idOf(lead), dateOf(last)
		r.DecidedBy, r.MeetingID = idOf(org), idOf(meeting)
		if at != nil {
			r.DecidedAt = *at
		}
		out = append(out, r)
	}
	return out, total, counts, rows.Err()
}

// ImplementationOrgs returns the organizations that took a public
// decision on a public record of body, for the list's filter.
func (s *Store) ImplementationOrgs(ctx context.Context, body ID) ([]Organization, error) {
	rows, err := s.db.Query(ctx, `SELECT DISTINCT d.org_id FROM implementations i JOIN papers p ON p.id = i.paper_id `+publicDecision+`
		WHERE p.body_id = $1 AND implementation_public(i, p) AND d.org_id IS NOT NULL`, body)
	if err != nil {
		return nil, fmt.Errorf("implementation bodies: %w", TranslateError(err))
	}
	ids := map[ID]bool{}
	for rows.Next() {
		var id ID
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids[id] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("implementation bodies: %w", TranslateError(err))
	}
	orgs, err := s.Organizations(ctx, body)
	if err != nil {
		return nil, err
	}
	var out []Organization
	for _, o := range orgs {
		if ids[o.ID] {
			out = append(out, o)
		}
	}
	return out, nil
}

// ImplementationYears returns the years of the public decisions (or
// papers) of body's public records, newest first, for the list's filter.
func (s *Store) ImplementationYears(ctx context.Context, body ID) ([]int, error) {
	rows, err := s.db.Query(ctx, `SELECT DISTINCT extract(year FROM coalesce(d.start_at AT TIME ZONE 'Europe/Berlin', p.date))::int AS y
		FROM implementations i JOIN papers p ON p.id = i.paper_id `+publicDecision+`
		WHERE p.body_id = $1 AND implementation_public(i, p) AND coalesce(d.start_at AT TIME ZONE 'Europe/Berlin', p.date) IS NOT NULL
		ORDER BY y DESC`, body)
	if err != nil {
		return nil, fmt.Errorf("implementation years: %w", TranslateError(err))
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var y int
		if err := rows.Scan(&y); err != nil {
			return nil, err
		}
		out = append(out, y)
	}
	return out, rows.Err()
}

// PublicImplementationChanges returns the latest status changes of the
// public records of body (implementation_public), newest first, at most
// limit; with org set, only those of records org decided (the list's
// decision, publicDecision). Errors: ErrUnavailable.
func (s *Store) PublicImplementationChanges(ctx context.Context, body, org ID, limit int) ([]ImplementationChange, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := s.db.Query(ctx, `SELECT i.id, p.id, coalesce(p.reference, ''), p.name, i.office, i.due_date, e.at, e.status, e.reason,
			NOT EXISTS (SELECT 1 FROM implementation_events x WHERE x.implementation_id = e.implementation_id
				AND (x.at, x.id) < (e.at, e.id))
		FROM implementation_events e
		JOIN implementations i ON i.id = e.implementation_id
		JOIN papers p ON p.id = i.paper_id `+publicDecision+`
		WHERE p.body_id = $1 AND implementation_public(i, p) AND ($2::uuid IS NULL OR d.org_id = $2)
		ORDER BY e.at DESC, e.id DESC LIMIT $3`, body, nullID(org), limit)
	if err != nil {
		return nil, fmt.Errorf("implementation changes: %w", TranslateError(err))
	}
	defer rows.Close()
	var out []ImplementationChange
	for rows.Next() {
		var c ImplementationChange
		var due pgDate
		if err := rows.Scan(&c.ImplementationID, &c.PaperID, &c.PaperReference, &c.PaperName, &c.Office, &due, &c.At,
			&c.Status, &c.Reason, &c.First); err != nil {
			return nil, fmt.Errorf("implementation changes: %w", err)
		}
		c.Due = dateOf(due)
		out = append(out, c)
	}
	return out, rows.Err()
}

// PublicImplementationsOf returns the public records (implementation_public)
// of the papers ids, by paper, with their notes and the public follow-up
// papers (paper_public), for OParl and the open data. History is left out.
func (s *Store) PublicImplementationsOf(ctx context.Context, ids []ID) (map[ID]Implementation, error) {
	out := map[ID]Implementation{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.db.Query(ctx, `SELECT `+implCols+`,
			coalesce((SELECT array_agg(f.paper_id ORDER BY f.created, f.paper_id) FROM implementation_follow_ups f
				JOIN papers fp ON fp.id = f.paper_id WHERE f.implementation_id = i.id AND paper_public(fp)), '{}')
		FROM implementations i JOIN papers p ON p.id = i.paper_id
		WHERE i.paper_id = ANY($1) AND implementation_public(i, p)`, ids)
	if err != nil {
		return nil, fmt.Errorf("public implementations: %w", TranslateError(err))
	}
	var impls []ID
	for rows.Next() {
		var im Implementation
		var due pgDate
		if err := rows.Scan(append(implDest(&im, &due), &im.FollowUps)...); err != nil {
			rows.Close()
			return nil, fmt.Errorf("public implementations: %w", err)
		}
		im.Due = dateOf(due)
		out[im.PaperID] = im
		impls = append(impls, im.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("public implementations: %w", TranslateError(err))
	}
	notes, err := s.implNotes(ctx, impls)
	if err != nil {
		return nil, err
	}
	for p, im := range out {
		im.Notes = notes[im.ID]
		out[p] = im
	}
	return out, nil
}

// ImplementationRecord is a row of the open-data dump of the
// Beschlusskontrolle: a public record with its paper's reference and name,
// its notes and its public follow-up papers.
type ImplementationRecord struct {
	Implementation
	PaperReference string
	PaperName      string
}

// EachPublicImplementation calls fn for every public record of body
// (implementation_public), by paper reference, with its notes and the
// follow-up papers that are public (paper_public). History is left out.
func (s *Store) EachPublicImplementation(ctx context.Context, body ID, fn func(ImplementationRecord) error) error {
	return EachRow(ctx, s.db, "public implementations", `SELECT `+implCols+`, coalesce(p.reference, ''), p.name,
			coalesce((SELECT array_agg(f.paper_id ORDER BY f.created, f.paper_id) FROM implementation_follow_ups f
				JOIN papers fp ON fp.id = f.paper_id WHERE f.implementation_id = i.id AND paper_public(fp)), '{}'),
			coalesce((SELECT array_agg(n.date ORDER BY n.date, n.created, n.id) FROM implementation_notes n
				WHERE n.implementation_id = i.id AND NOT n.deleted), '{}'),
			coalesce((SELECT array_agg(n.text ORDER BY n.date, n.created, n.id) FROM implementation_notes n
				WHERE n.implementation_id = i.id AND NOT n.deleted), '{}')
		FROM implementations i JOIN papers p ON p.id = i.paper_id
		WHERE p.body_id = $1 AND implementation_public(i, p)
		ORDER BY p.ref_year NULLS LAST, p.ref_prefix, p.ref_seq, i.id`, []any{body},
		func(rows pgx.Rows) (ImplementationRecord, error) {
			var r ImplementationRecord
			var due pgDate
			var dates []pgDate
			var texts []string
			err := rows.Scan(append(implDest(&r.Implementation, &due), &r.PaperReference, &r.PaperName, &r.FollowUps, &dates, &texts)...)
			r.Due = dateOf(due)
			for i := range dates {
				if i < len(texts) {
					r.Notes = append(r.Notes, ImplementationNote{Date: dateOf(dates[i]), Text: texts[i]})
				}
			}
			return r, err
		}, fn)
}
