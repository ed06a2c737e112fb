package council

import (
	"context"
	"fmt"
	"strings"
)

// PaperQuery selects papers for the back office list, drafts included.
type PaperQuery struct {
	BodyID ID
	Status PaperStatus // "": any
	Type   PaperType   // "": any
	Limit  int         // 0: 100
	Offset int
}

// FindPapers lists the body's papers that match q, drafts first, then
// newest first, and the total count for q. It does not check q.Status and
// q.Type: unknown values simply match nothing.
func (s *Store) FindPapers(ctx context.Context, q PaperQuery) ([]Paper, int, error) {
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 100
	}
	where := `p.body_id = $1 AND NOT p.deleted AND ($2 = '' OR p.status = $2) AND ($3 = '' OR p.paper_type = $3)`
	var total int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM papers p WHERE `+where,
		q.BodyID, string(q.Status), string(q.Type)).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count papers: %w", TranslateError(err))
	}
	rows, err := s.db.Query(ctx, `SELECT `+paperCols+` FROM papers p WHERE `+where+`
		ORDER BY (p.status = 'draft') DESC, p.date DESC NULLS FIRST, p.modified DESC, p.id LIMIT $4 OFFSET $5`,
		q.BodyID, string(q.Status), string(q.Type), q.Limit, q.Offset)
	if err != nil {
		return nil, 0, fmt.Errorf("find papers: %w", TranslateError(err))
	}
	defer rows.Close()
	var out []Paper
	for rows.Next() {
		p, err := scanPaper(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("find papers: %w", err)
		}
		out = append(out, p)
	}
	return out, total, rows.Err()
}

// PaperByReference returns the body's paper with reference ref (compared
// without surrounding space, case-insensitively). Errors: ErrNotFound.
func (s *Store) PaperByReference(ctx context.Context, bodyID ID, ref string) (Paper, error) {
	p, err := scanPaper(s.db.QueryRow(ctx, `SELECT `+paperCols+` FROM papers p
		WHERE p.body_id = $1 AND upper(p.reference) = upper($2) AND NOT p.deleted`, bodyID, strings.TrimSpace(ref)))
	if err != nil {
		return Paper{}, fmt.Errorf("paper %q: %w", ref, TranslateError(err))
	}
	return p, nil
}

// MoveConsultation moves consultation id by delta places (negative:
// earlier) on its paper's path and renumbers the path 0, 1, 2, … in one
// transaction. Errors: ErrNotFound (unknown or deleted consultation).
func (s *Store) MoveConsultation(ctx context.Context, id ID, delta int) error {
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		var paper ID
		if err := tx.QueryRow(ctx, `SELECT paper_id FROM consultations WHERE id = $1 AND NOT deleted`, id).Scan(&paper); err != nil {
			return TranslateError(err)
		}
		if _, err := tx.Exec(ctx, `SELECT 1 FROM papers WHERE id = $1 FOR UPDATE`, paper); err != nil {
			return TranslateError(err)
		}
		rows, err := tx.Query(ctx, `SELECT id FROM consultations WHERE paper_id = $1 AND NOT deleted ORDER BY position, created, id`, paper)
		if err != nil {
			return TranslateError(err)
		}
		var ids []ID
		for rows.Next() {
			var c ID
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return TranslateError(err)
		}
		from := -1
		for i, c := range ids {
			if c == id {
				from = i
			}
		}
		if from < 0 {
			return fmt.Errorf("%w: consultation %s", ErrNotFound, id)
		}
		to := min(max(from+delta, 0), len(ids)-1)
		ids = append(ids[:from], ids[from+1:]...)
		ids = append(ids[:to], append([]ID{id}, ids[to:]...)...)
		for i, c := range ids {
			if _, err := tx.Exec(ctx, `UPDATE consultations SET position = $2, modified = now() WHERE id = $1 AND position <> $2`, c, i); err != nil {
				return TranslateError(err)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE papers SET modified = now() WHERE id = $1`, paper); err != nil {
			return TranslateError(err)
		}
		return Record(ctx, tx, "consultation", id, OpUpdate, map[string]any{"Position": [2]int{from, to}})
	})
	if err != nil {
		return fmt.Errorf("move consultation %s: %w", id, err)
	}
	return nil
}
