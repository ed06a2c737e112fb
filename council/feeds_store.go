package council

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The open-data dumps stream their rows: each Each… method runs one query
// and calls fn per row while the rows are read, so memory stays flat
// however large the body's history is. fn must not use the store (the
// connection is busy); an error from fn stops the iteration and is
// returned as is.

// PaperRecord is a public paper as the open-data dumps list it: the paper
// with the names of its lead organization and originators.
type PaperRecord struct {
	Paper
	LeadOrgName string
	Originators []string // names of persons and organizations, in order
}

// publicPaperWhere is what the public may see of papers
// (migrations/sql/00011_visibility.sql, paper_public).
const publicPaperWhere = `p.body_id = $1 AND paper_public(p)`

// EachRow runs query and calls fn with each row that scan reads, while the
// rows are read; an error from fn stops the iteration and is returned as
// is. what names the read in errors. It is exported for the other
// packages' bulk readers.
func EachRow[T any](ctx context.Context, db DBTX, what, query string, args []any,
	scan func(pgx.Rows) (T, error), fn func(T) error) error {
	rows, err := db.Query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, TranslateError(err))
	}
	defer rows.Close()
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if err := fn(x); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, TranslateError(err))
	}
	return nil
}

// EachPublicPaper calls fn for every public, submitted (not draft), not
// deleted paper of body, newest first.
func (s *Store) EachPublicPaper(ctx context.Context, body ID, fn func(PaperRecord) error) error {
	return EachRow(ctx, s.db, "public papers", `SELECT `+paperCols+`, coalesce(lo.name, ''),
			coalesce((SELECT array_agg(coalesce(nullif(btrim(concat_ws(' ', pe.title, pe.given_name, pe.family_name, pe.affix)), ''), og.name, '')
				ORDER BY po.position)
				FROM paper_originators po
				LEFT JOIN persons pe ON pe.id = po.person_id AND NOT pe.deleted
				LEFT JOIN organizations og ON og.id = po.organization_id AND NOT og.deleted
				WHERE po.paper_id = p.id), '{}')
		FROM papers p LEFT JOIN organizations lo ON lo.id = p.lead_org_id AND NOT lo.deleted
		WHERE `+publicPaperWhere+`
		ORDER BY p.date DESC NULLS LAST, p.reference DESC NULLS LAST, p.id`, []any{body},
		func(rows pgx.Rows) (PaperRecord, error) {
			var rec PaperRecord
			var date pgDate
			var lead *ID
			p := &rec.Paper
			if err := rows.Scan(append(paperDest(p, &date, &lead), &rec.LeadOrgName, &rec.Originators)...); err != nil {
				return rec, err
			}
			p.Date, p.LeadOrgID = dateOf(date), idOf(lead)
			names := rec.Originators[:0]
			for _, n := range rec.Originators {
				if n != "" {
					names = append(names, n)
				}
			}
			rec.Originators = names
			return rec, nil
		}, fn)
}

// publicPersonCols selects a person (alias p of public_persons) without
// contact or profile data: the view has no e-mail address, phone number,
// gender or life source (migrations/sql/00011_visibility.sql), so they
// never leave the database through the open-data dumps.
const publicPersonCols = `p.id, p.body_id, p.family_name, p.given_name, p.title, p.form_of_address, p.affix, '', '', '', '',
	p.created, p.modified, p.deleted`

// EachPublicPerson calls fn for every person of body that is not deleted,
// by family name, with Email, Phone, Gender and LifeSource left empty.
func (s *Store) EachPublicPerson(ctx context.Context, body ID, fn func(Person) error) error {
	return EachRow(ctx, s.db, "public persons", `SELECT `+publicPersonCols+` FROM public_persons p WHERE body_id = $1 AND NOT deleted
		ORDER BY family_name, given_name, id`, []any{body},
		func(rows pgx.Rows) (Person, error) { return scanPerson(rows) }, fn)
}

// EachPublicSeat calls fn for every membership of body whose membership,
// person and organization are not deleted, by family name, organization
// and start. The Person carries no contact data (see EachPublicPerson).
func (s *Store) EachPublicSeat(ctx context.Context, body ID, fn func(Seat) error) error {
	return EachRow(ctx, s.db, "public memberships", `SELECT `+membershipCols+`, `+publicPersonCols+`, o.name, o.kind,
			coalesce(nullif(g.short_name, ''), g.name, '')
		FROM memberships m
		JOIN public_persons p ON p.id = m.person_id AND NOT p.deleted
		JOIN organizations o ON o.id = m.organization_id AND NOT o.deleted
		LEFT JOIN organizations g ON g.id = m.on_behalf_of_id AND NOT g.deleted
		WHERE p.body_id = $1 AND NOT m.deleted
		ORDER BY p.family_name, p.given_name, p.id, o.name, m.start_date NULLS FIRST, m.id`, []any{body},
		func(rows pgx.Rows) (Seat, error) {
			st, err := scanSeat(rows)
			if err != nil {
				return st, err
			}
			if st.OnBehalfName == "" {
				st.OnBehalfOfID = NilID // a deleted party group
			}
			return st, nil
		}, fn)
}

// OpenDataModified is when the public council datasets of a body last
// changed; a zero time means the dataset is empty.
type OpenDataModified struct {
	Papers          time.Time
	Persons         time.Time
	Memberships     time.Time
	Implementations time.Time
}

// OpenDataModified returns when the body's public papers, persons,
// memberships and implementation records last changed (deletions count:
// they change the dump too).
func (s *Store) OpenDataModified(ctx context.Context, body ID) (OpenDataModified, error) {
	var m OpenDataModified
	var papers, persons, memberships, impls *time.Time
	err := s.db.QueryRow(ctx, `SELECT
			(SELECT max(modified) FROM papers p WHERE p.body_id = $1 AND paper_published(p)),
			(SELECT max(modified) FROM persons WHERE body_id = $1),
			(SELECT max(m.modified) FROM memberships m JOIN persons p ON p.id = m.person_id WHERE p.body_id = $1),
			(SELECT max(i.modified) FROM implementations i JOIN papers p ON p.id = i.paper_id
				WHERE p.body_id = $1 AND implementation_published(i, p))`,
		body).Scan(&papers, &persons, &memberships, &impls)
	if err != nil {
		return m, fmt.Errorf("open data modified: %w", TranslateError(err))
	}
	for _, x := range []struct {
		dst *time.Time
		src *time.Time
	}{{&m.Papers, papers}, {&m.Persons, persons}, {&m.Memberships, memberships}, {&m.Implementations, impls}} {
		if x.src != nil {
			*x.dst = *x.src
		}
	}
	return m, nil
}
