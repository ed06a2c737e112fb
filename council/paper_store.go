package council

import (
	"context"
	"fmt"
	"strings"
	"time"
)

const paperCols = `p.id, p.body_id, p.name, p.paper_type, coalesce(p.reference, ''), p.date, p.text, p.status,
	p.public, p.lead_org_id, p.created, p.modified, p.deleted, p.paper_type_name`

// paperDest lists the scan destinations of paperCols, for queries that
// select more columns after them.
func paperDest(p *Paper, date *pgDate, lead **ID) []any {
	return []any{&p.ID, &p.BodyID, &p.Name, &p.Type, &p.Reference, date, &p.Text, &p.Status, &p.Public,
		lead, &p.Created, &p.Modified, &p.Deleted, &p.TypeName}
}

func scanPaper(row interface{ Scan(...any) error }) (Paper, error) {
	var p Paper
	var date pgDate
	var lead *ID
	err := row.Scan(paperDest(&p, &date, &lead)...)
	p.Date, p.LeadOrgID = dateOf(date), idOf(lead)
	return p, err
}

// SavePaper inserts p (zero ID, status draft unless set) or updates its
// content, originators and related papers. Status and reference change
// only through Submit and SetStatus; TypeName is set on creation only (an
// admitted initiative's "Einwohnerantrag") and kept by updates. Errors:
// ErrInvalid, ErrNotFound.
func (s *Store) SavePaper(ctx context.Context, p Paper) (Paper, error) {
	if p.Status == "" {
		p.Status = StatusDraft
	}
	if err := p.Validate(); err != nil {
		return Paper{}, err
	}
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		var saved Paper
		var err error
		op := OpUpdate
		var changes any
		if p.ID == NilID {
			p.ID, op = NewID(), OpCreate
			saved, err = scanPaper(tx.QueryRow(ctx, `INSERT INTO papers AS p (id, body_id, name, paper_type, date, text, status, public, lead_org_id, paper_type_name)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING `+paperCols,
				p.ID, p.BodyID, p.Name, p.Type, nullDate(p.Date), p.Text, p.Status, p.Public, nullID(p.LeadOrgID), p.TypeName))
			if err == nil {
				_, err = tx.Exec(ctx, `INSERT INTO paper_events (paper_id, status) VALUES ($1, $2)`, p.ID, p.Status)
			}
			changes = map[string]any{"name": p.Name, "type": p.Type}
		} else {
			var old Paper
			old, err = scanPaper(tx.QueryRow(ctx, `SELECT `+paperCols+` FROM papers p WHERE id = $1 AND NOT deleted FOR UPDATE`, p.ID))
			if err != nil {
				return TranslateError(err)
			}
			saved, err = scanPaper(tx.QueryRow(ctx, `UPDATE papers AS p SET name=$2, paper_type=$3, date=$4, text=$5, public=$6,
				lead_org_id=$7, modified=now() WHERE id = $1 RETURNING `+paperCols,
				p.ID, p.Name, p.Type, nullDate(p.Date), p.Text, p.Public, nullID(p.LeadOrgID)))
			old.Originators, old.Related = p.Originators, p.Related
			changes = Diff(old, saved)
		}
		if err != nil {
			return TranslateError(err)
		}
		if err := s.writePaperLinks(ctx, tx, p); err != nil {
			return err
		}
		saved.Originators, saved.Related = p.Originators, p.Related
		p = saved
		return Record(ctx, tx, "paper", p.ID, op, changes)
	})
	if err != nil {
		return Paper{}, fmt.Errorf("save paper: %w", err)
	}
	return p, nil
}

func (s *Store) writePaperLinks(ctx context.Context, tx DBTXTx, p Paper) error {
	if _, err := tx.Exec(ctx, `DELETE FROM paper_originators WHERE paper_id = $1`, p.ID); err != nil {
		return TranslateError(err)
	}
	for i, o := range p.Originators {
		if _, err := tx.Exec(ctx, `INSERT INTO paper_originators (paper_id, position, person_id, organization_id)
			VALUES ($1,$2,$3,$4)`, p.ID, i, nullID(o.PersonID), nullID(o.OrganizationID)); err != nil {
			return TranslateError(err)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM paper_relations WHERE paper_id = $1 AND kind = 'related'`, p.ID); err != nil {
		return TranslateError(err)
	}
	for _, r := range p.Related {
		if _, err := tx.Exec(ctx, `INSERT INTO paper_relations (paper_id, related_id, kind) VALUES ($1,$2,'related')
			ON CONFLICT DO NOTHING`, p.ID, r); err != nil {
			return TranslateError(err)
		}
	}
	return nil
}

// Submit assigns the next reference number for the paper's type and year
// (e.g. "A0123/26") and moves it from draft to submitted.
// Errors: ErrNotFound, ErrConflict when it is not a draft.
func (s *Store) Submit(ctx context.Context, id ID, on time.Time) (Paper, error) {
	var p Paper
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		var err error
		p, err = scanPaper(tx.QueryRow(ctx, `SELECT `+paperCols+` FROM papers p WHERE id = $1 AND NOT deleted FOR UPDATE`, id))
		if err != nil {
			return TranslateError(err)
		}
		if p.Status != StatusDraft || p.Reference != "" {
			return fmt.Errorf("%w: paper is %s, not a draft", ErrConflict, p.Status)
		}
		year := on.Year()
		var seq int
		if err := tx.QueryRow(ctx, `INSERT INTO paper_counters (body_id, prefix, year, last) VALUES ($1,$2,$3,1)
			ON CONFLICT (body_id, prefix, year) DO UPDATE SET last = paper_counters.last + 1 RETURNING last`,
			p.BodyID, p.Type.Prefix(), year).Scan(&seq); err != nil {
			return TranslateError(err)
		}
		ref := FormatReference(p.Type.Prefix(), year, seq)
		if p.Date.IsZero() {
			p.Date = on
		}
		p, err = scanPaper(tx.QueryRow(ctx, `UPDATE papers AS p SET reference=$2, ref_prefix=$3, ref_year=$4, ref_seq=$5,
			status='submitted', date=$6, modified=now() WHERE id = $1 RETURNING `+paperCols,
			id, ref, p.Type.Prefix(), year, seq, nullDate(p.Date)))
		if err != nil {
			return TranslateError(err)
		}
		// A draft entered after the fact (imports, back-dated submissions)
		// must not appear after its own submission in the timeline.
		if _, err := tx.Exec(ctx, `UPDATE paper_events SET at = $2 WHERE paper_id = $1 AND status = 'draft' AND at > $2`, id, on); err != nil {
			return TranslateError(err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO paper_events (paper_id, status, at) VALUES ($1, 'submitted', $2)`, id, on); err != nil {
			return TranslateError(err)
		}
		return Record(ctx, tx, "paper", id, OpUpdate, map[string]any{"Status": StatusSubmitted, "Reference": ref})
	})
	if err != nil {
		return Paper{}, fmt.Errorf("submit paper %s: %w", id, err)
	}
	return p, nil
}

// SetStatus moves a submitted paper to status and adds a timeline entry.
// Errors: ErrInvalid (unknown status or back to draft), ErrNotFound.
func (s *Store) SetStatus(ctx context.Context, id ID, status PaperStatus, note string, at time.Time) error {
	if !status.Valid() || status == StatusDraft {
		return fmt.Errorf("set paper status: %w: %q", ErrInvalid, status)
	}
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		tag, err := tx.Exec(ctx, `UPDATE papers SET status = $2, modified = now() WHERE id = $1 AND NOT deleted AND status <> $3`, id, status, StatusDraft)
		if err != nil {
			return TranslateError(err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("%w: paper %s (or still a draft)", ErrNotFound, id)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO paper_events (paper_id, status, note, at) VALUES ($1,$2,$3,$4)`, id, status, note, at); err != nil {
			return TranslateError(err)
		}
		return Record(ctx, tx, "paper", id, OpUpdate, map[string]any{"Status": status})
	})
	if err != nil {
		return fmt.Errorf("set paper status: %w", err)
	}
	return nil
}

// Paper returns the paper with id, with originators and related papers.
// Errors: ErrNotFound.
func (s *Store) Paper(ctx context.Context, id ID) (Paper, error) {
	return s.paper(ctx, `SELECT `+paperCols+` FROM papers p WHERE id = $1`, id)
}

// PaperFor returns the paper with id if v may see it (the database's
// paper_visible_to, migrations/sql/00011_visibility.sql): not deleted, and
// published, or v is staff, or v is a member of an organization on its
// consultation path and it is no draft. Errors: ErrNotFound, also for a
// paper v may not see.
func (s *Store) PaperFor(ctx context.Context, v Viewer, id ID) (Paper, error) {
	return s.paper(ctx, `SELECT `+paperCols+` FROM papers p WHERE id = $1 AND paper_visible_to(p, $2, $3)`,
		append([]any{id}, v.SQLArgs()...)...)
}

func (s *Store) paper(ctx context.Context, q string, args ...any) (Paper, error) {
	id := args[0]
	p, err := scanPaper(s.db.QueryRow(ctx, q, args...))
	if err != nil {
		return Paper{}, fmt.Errorf("paper %s: %w", id, TranslateError(err))
	}
	rows, err := s.db.Query(ctx, `SELECT person_id, organization_id FROM paper_originators WHERE paper_id = $1 ORDER BY position`, id)
	if err != nil {
		return Paper{}, fmt.Errorf("paper originators: %w", TranslateError(err))
	}
	for rows.Next() {
		var per, org *ID
		if err := rows.Scan(&per, &org); err != nil {
			rows.Close()
			return Paper{}, err
		}
		p.Originators = append(p.Originators, Originator{PersonID: idOf(per), OrganizationID: idOf(org)})
	}
	rows.Close()
	rows, err = s.db.Query(ctx, `SELECT related_id FROM paper_relations WHERE paper_id = $1 AND kind = 'related'
		UNION SELECT paper_id FROM paper_relations WHERE related_id = $1 AND kind = 'related'`, id)
	if err != nil {
		return Paper{}, fmt.Errorf("related papers: %w", TranslateError(err))
	}
	defer rows.Close()
	for rows.Next() {
		var r ID
		if err := rows.Scan(&r); err != nil {
			return Paper{}, err
		}
		p.Related = append(p.Related, r)
	}
	return p, rows.Err()
}

// PaperEvents returns the paper's timeline, oldest first.
func (s *Store) PaperEvents(ctx context.Context, id ID) ([]PaperEvent, error) {
	rows, err := s.db.Query(ctx, `SELECT at, status, note FROM paper_events WHERE paper_id = $1 ORDER BY at, id`, id)
	if err != nil {
		return nil, fmt.Errorf("paper events: %w", TranslateError(err))
	}
	defer rows.Close()
	var out []PaperEvent
	for rows.Next() {
		var e PaperEvent
		if err := rows.Scan(&e.At, &e.Status, &e.Note); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// PaperFilter selects papers for a list.
type PaperFilter struct {
	BodyID     ID
	Type       PaperType // "": any
	OnlyPublic bool      // only papers the public sees (paper_published)
	Limit      int       // 0: 50
	Offset     int
}

// Papers lists papers, newest first, and the total count for the filter.
func (s *Store) Papers(ctx context.Context, f PaperFilter) ([]Paper, int, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 50
	}
	where := `p.body_id = $1 AND NOT p.deleted AND ($2 = '' OR p.paper_type = $2)
		AND (NOT $3 OR paper_published(p))`
	var total int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM papers p WHERE `+where, f.BodyID, string(f.Type), f.OnlyPublic).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count papers: %w", TranslateError(err))
	}
	rows, err := s.db.Query(ctx, `SELECT `+paperCols+` FROM papers p WHERE `+where+`
		ORDER BY p.date DESC NULLS LAST, p.reference DESC NULLS LAST, p.id LIMIT $4 OFFSET $5`,
		f.BodyID, string(f.Type), f.OnlyPublic, f.Limit, f.Offset)
	if err != nil {
		return nil, 0, fmt.Errorf("papers: %w", TranslateError(err))
	}
	defer rows.Close()
	var out []Paper
	for rows.Next() {
		p, err := scanPaper(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("papers: %w", err)
		}
		out = append(out, p)
	}
	return out, total, rows.Err()
}

// DeletePaper marks the paper deleted. Errors: ErrNotFound.
func (s *Store) DeletePaper(ctx context.Context, id ID) error {
	return s.softDelete(ctx, "papers", "paper", id)
}

const consultationCols = `c.id, c.paper_id, c.organization_id, c.agenda_item_id, c.position, c.role, c.authoritative,
	c.created, c.modified, c.deleted`

func scanConsultation(row interface{ Scan(...any) error }) (Consultation, error) {
	var c Consultation
	var item *ID
	err := row.Scan(&c.ID, &c.PaperID, &c.OrganizationID, &item, &c.Position, &c.Role, &c.Authoritative,
		&c.Created, &c.Modified, &c.Deleted)
	c.AgendaItemID = idOf(item)
	return c, err
}

// SaveConsultation inserts c (zero ID) or updates it. The paper's modified
// time moves with it (OParl embeds consultations in papers).
// Errors: ErrInvalid, ErrNotFound.
func (s *Store) SaveConsultation(ctx context.Context, c Consultation) (Consultation, error) {
	if err := c.Validate(); err != nil {
		return Consultation{}, err
	}
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		op := OpUpdate
		args := []any{c.PaperID, c.OrganizationID, nullID(c.AgendaItemID), c.Position, c.Role, c.Authoritative}
		var saved Consultation
		var err error
		if c.ID == NilID {
			c.ID, op = NewID(), OpCreate
			saved, err = scanConsultation(tx.QueryRow(ctx, `INSERT INTO consultations AS c (paper_id, organization_id,
				agenda_item_id, position, role, authoritative, id) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING `+consultationCols,
				append(args, c.ID)...))
		} else {
			saved, err = scanConsultation(tx.QueryRow(ctx, `UPDATE consultations AS c SET paper_id=$1, organization_id=$2,
				agenda_item_id=$3, position=$4, role=$5, authoritative=$6, modified=now()
				WHERE id = $7 AND NOT deleted RETURNING `+consultationCols, append(args, c.ID)...))
		}
		if err != nil {
			return TranslateError(err)
		}
		c = saved
		if _, err := tx.Exec(ctx, `UPDATE papers SET modified = now() WHERE id = $1`, c.PaperID); err != nil {
			return TranslateError(err)
		}
		return Record(ctx, tx, "consultation", c.ID, op, c)
	})
	if err != nil {
		return Consultation{}, fmt.Errorf("save consultation: %w", err)
	}
	return c, nil
}

// Consultation returns the consultation with id. Errors: ErrNotFound.
func (s *Store) Consultation(ctx context.Context, id ID) (Consultation, error) {
	c, err := scanConsultation(s.db.QueryRow(ctx, `SELECT `+consultationCols+` FROM consultations c WHERE id = $1`, id))
	if err != nil {
		return Consultation{}, fmt.Errorf("consultation %s: %w", id, TranslateError(err))
	}
	return c, nil
}

// Consultations lists the paper's consultations in path order.
func (s *Store) Consultations(ctx context.Context, paper ID) ([]Consultation, error) {
	rows, err := s.db.Query(ctx, `SELECT `+consultationCols+` FROM consultations c WHERE paper_id = $1 AND NOT deleted
		ORDER BY position, created`, paper)
	if err != nil {
		return nil, fmt.Errorf("consultations: %w", TranslateError(err))
	}
	defer rows.Close()
	var out []Consultation
	for rows.Next() {
		c, err := scanConsultation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// DeleteConsultation marks the consultation deleted. Errors: ErrNotFound.
func (s *Store) DeleteConsultation(ctx context.Context, id ID) error {
	return s.softDelete(ctx, "consultations", "consultation", id)
}

// Limits of SuggestPapers.
const (
	MaxPaperSuggestions = 50
	maxSuggestTerms     = 8
	maxSuggestTermLen   = 100
)

// SuggestPapers returns the body's papers that can go on an agenda
// (PaperStatus.OnAgenda) and match text, most recent first, at most limit
// (1…MaxPaperSuggestions; other values mean 20): the type-ahead of the
// agenda builder's paper picker. Each word of text must either start the
// reference number or occur in the title, case-insensitively; an empty text
// matches every paper. Non-public papers are included: the back office
// sees them all.
func (s *Store) SuggestPapers(ctx context.Context, bodyID ID, text string, limit int) ([]Paper, error) {
	if limit <= 0 || limit > MaxPaperSuggestions {
		limit = 20
	}
	args := []any{bodyID, limit}
	where := `p.body_id = $1 AND NOT p.deleted AND p.status NOT IN ('draft', 'done', 'withdrawn')`
	terms := strings.Fields(text)
	if len(terms) > maxSuggestTerms {
		terms = terms[:maxSuggestTerms]
	}
	for _, t := range terms {
		if r := []rune(t); len(r) > maxSuggestTermLen {
			t = string(r[:maxSuggestTermLen])
		}
		args = append(args, likeEscape(t))
		n := len(args)
		where += fmt.Sprintf(` AND (p.name ILIKE '%%' || $%d || '%%' OR upper(p.reference) LIKE upper($%d) || '%%')`, n, n)
	}
	rows, err := s.db.Query(ctx, `SELECT `+paperCols+` FROM papers p WHERE `+where+`
		ORDER BY p.date DESC NULLS LAST, p.ref_year DESC NULLS LAST, p.ref_seq DESC NULLS LAST, p.created DESC, p.id
		LIMIT $2`, args...)
	if err != nil {
		return nil, fmt.Errorf("suggest papers: %w", TranslateError(err))
	}
	defer rows.Close()
	var out []Paper
	for rows.Next() {
		p, err := scanPaper(rows)
		if err != nil {
			return nil, fmt.Errorf("suggest papers: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// likeEscape escapes the wildcards of a LIKE pattern (backslash is
// PostgreSQL's default escape character).
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
