package council

import (
	"context"
	"fmt"
)

const orgCols = `id, body_id, name, short_name, kind, classification, parent_id, statutory_seats, location_id,
	website, start_date, end_date, created, modified, deleted`

func scanOrg(row interface{ Scan(...any) error }) (Organization, error) {
	var o Organization
	var parent, loc *ID
	var seats *int32
	var start, end pgDate
	err := row.Scan(&o.ID, &o.BodyID, &o.Name, &o.ShortName, &o.Kind, &o.Classification, &parent, &seats, &loc,
		&o.Website, &start, &end, &o.Created, &o.Modified, &o.Deleted)
	o.ParentID, o.LocationID, o.StatutorySeats = idOf(parent), idOf(loc), intOf(seats)
	o.Start, o.End = dateOf(start), dateOf(end)
	return o, err
}

// SaveOrganization inserts o (zero ID) or updates it, with outbox and
// audit rows. Errors: ErrInvalid (FieldErrors), ErrNotFound.
func (s *Store) SaveOrganization(ctx context.Context, o Organization) (Organization, error) {
	if err := o.Validate(); err != nil {
		return Organization{}, err
	}
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		if o.ID == NilID {
			o.ID = NewID()
			saved, err := scanOrg(tx.QueryRow(ctx, `INSERT INTO organizations (id, body_id, name, short_name, kind,
				classification, parent_id, statutory_seats, location_id, website, start_date, end_date)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING `+orgCols,
				o.ID, o.BodyID, o.Name, o.ShortName, o.Kind, o.Classification, nullID(o.ParentID),
				nullInt(o.StatutorySeats), nullID(o.LocationID), o.Website, nullDate(o.Start), nullDate(o.End)))
			if err != nil {
				return TranslateError(err)
			}
			o = saved
			return Record(ctx, tx, "organization", o.ID, OpCreate, o)
		}
		old, err := scanOrg(tx.QueryRow(ctx, `SELECT `+orgCols+` FROM organizations WHERE id = $1 AND NOT deleted FOR UPDATE`, o.ID))
		if err != nil {
			return TranslateError(err)
		}
		if o.ParentID != NilID {
			// The new parent must not be o itself or below it: a cycle
			// would make every walk up the tree endless.
			var cycle bool
			if err := tx.QueryRow(ctx, `WITH RECURSIVE up(id) AS (
					SELECT $2::uuid
					UNION SELECT o.parent_id FROM organizations o JOIN up ON o.id = up.id WHERE o.parent_id IS NOT NULL)
				SELECT EXISTS (SELECT 1 FROM up WHERE id = $1)`, o.ID, o.ParentID).Scan(&cycle); err != nil {
				return TranslateError(err)
			}
			if cycle {
				return FieldErrors{"parent": MsgInvalid}
			}
		}
		saved, err := scanOrg(tx.QueryRow(ctx, `UPDATE organizations SET name=$2, short_name=$3, kind=$4, classification=$5,
			parent_id=$6, statutory_seats=$7, location_id=$8, website=$9, start_date=$10, end_date=$11, modified=now()
			WHERE id = $1 RETURNING `+orgCols,
			o.ID, o.Name, o.ShortName, o.Kind, o.Classification, nullID(o.ParentID), nullInt(o.StatutorySeats),
			nullID(o.LocationID), o.Website, nullDate(o.Start), nullDate(o.End)))
		if err != nil {
			return TranslateError(err)
		}
		o = saved
		return Record(ctx, tx, "organization", o.ID, OpUpdate, Diff(old, o))
	})
	if err != nil {
		return Organization{}, fmt.Errorf("save organization: %w", err)
	}
	return o, nil
}

// Organization returns the organization with id, deleted ones included.
// Errors: ErrNotFound.
func (s *Store) Organization(ctx context.Context, id ID) (Organization, error) {
	o, err := scanOrg(s.db.QueryRow(ctx, `SELECT `+orgCols+` FROM organizations WHERE id = $1`, id))
	if err != nil {
		return Organization{}, fmt.Errorf("organization %s: %w", id, TranslateError(err))
	}
	return o, nil
}

// Organizations lists the body's organizations of the given kinds (all
// kinds when none is given), not deleted, by kind order then name.
func (s *Store) Organizations(ctx context.Context, bodyID ID, kinds ...OrgKind) ([]Organization, error) {
	ks := make([]string, len(kinds))
	for i, k := range kinds {
		ks[i] = string(k)
	}
	rows, err := s.db.Query(ctx, `SELECT `+orgCols+` FROM organizations
		WHERE body_id = $1 AND NOT deleted AND (cardinality($2::text[]) = 0 OR kind = ANY($2))
		ORDER BY array_position($3::text[], kind), name`, bodyID, ks, kindOrder())
	if err != nil {
		return nil, fmt.Errorf("organizations: %w", TranslateError(err))
	}
	defer rows.Close()
	var out []Organization
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, fmt.Errorf("organizations: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func kindOrder() []string {
	out := make([]string, len(OrgKinds))
	for i, k := range OrgKinds {
		out[i] = string(k)
	}
	return out
}

// DeleteOrganization marks the organization deleted. Errors: ErrNotFound.
func (s *Store) DeleteOrganization(ctx context.Context, id ID) error {
	return s.softDelete(ctx, "organizations", "organization", id)
}

// softDelete marks a row deleted and bumps modified, with outbox and audit.
// table is one of a fixed set of names, never user input.
func (s *Store) softDelete(ctx context.Context, table, entity string, id ID) error {
	return SoftDelete(ctx, s.db, table, entity, id)
}

// SoftDelete marks row id of table deleted, bumps modified and records the
// change as entity. table must be a constant. Errors: ErrNotFound.
func SoftDelete(ctx context.Context, db DBTX, table, entity string, id ID) error {
	err := Tx(ctx, db, func(tx DBTXTx) error {
		tag, err := tx.Exec(ctx, `UPDATE `+table+` SET deleted = true, modified = now() WHERE id = $1 AND NOT deleted`, id)
		if err != nil {
			return TranslateError(err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return Record(ctx, tx, entity, id, OpDelete, nil)
	})
	if err != nil {
		return fmt.Errorf("delete %s %s: %w", entity, id, err)
	}
	return nil
}
