package council

import (
	"context"
	"fmt"
)

const bodyCols = `id, name, short_name, website, license, ags, rgs, classification, created, modified, deleted`

func scanBody(row interface{ Scan(...any) error }) (Body, error) {
	var b Body
	err := row.Scan(&b.ID, &b.Name, &b.ShortName, &b.Website, &b.License, &b.AGS, &b.RGS,
		&b.Classification, &b.Created, &b.Modified, &b.Deleted)
	return b, err
}

// CreateBody inserts b and returns it with id and timestamps.
// Errors: ErrInvalid, ErrConflict.
func (s *Store) CreateBody(ctx context.Context, b Body) (Body, error) {
	if b.ID == NilID {
		b.ID = NewID()
	}
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		var err error
		b, err = scanBody(tx.QueryRow(ctx, `INSERT INTO bodies (id, name, short_name, website, license, ags, rgs, classification)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING `+bodyCols,
			b.ID, b.Name, b.ShortName, b.Website, b.License, b.AGS, b.RGS, b.Classification))
		if err != nil {
			return TranslateError(err)
		}
		return Record(ctx, tx, "body", b.ID, OpCreate, b)
	})
	if err != nil {
		return Body{}, fmt.Errorf("create body: %w", err)
	}
	return b, nil
}

// Body returns the body with id. Errors: ErrNotFound.
func (s *Store) Body(ctx context.Context, id ID) (Body, error) {
	b, err := scanBody(s.db.QueryRow(ctx, `SELECT `+bodyCols+` FROM bodies WHERE id = $1`, id))
	if err != nil {
		return Body{}, fmt.Errorf("body %s: %w", id, TranslateError(err))
	}
	return b, nil
}

// MainBody returns the first (oldest) body: Plenar usually serves one
// municipality. Errors: ErrNotFound when there is none.
func (s *Store) MainBody(ctx context.Context) (Body, error) {
	b, err := scanBody(s.db.QueryRow(ctx, `SELECT `+bodyCols+` FROM bodies WHERE NOT deleted ORDER BY created, id LIMIT 1`))
	if err != nil {
		return Body{}, fmt.Errorf("main body: %w", TranslateError(err))
	}
	return b, nil
}

const termCols = `id, body_id, name, start_date, end_date, created, modified, deleted`

// CreateLegislativeTerm inserts t. Errors: ErrInvalid.
func (s *Store) CreateLegislativeTerm(ctx context.Context, t LegislativeTerm) (LegislativeTerm, error) {
	if t.ID == NilID {
		t.ID = NewID()
	}
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		row := tx.QueryRow(ctx, `INSERT INTO legislative_terms (id, body_id, name, start_date, end_date)
			VALUES ($1,$2,$3,$4,$5) RETURNING created, modified`, t.ID, t.BodyID, t.Name, nullDate(t.Start), nullDate(t.End))
		if err := row.Scan(&t.Created, &t.Modified); err != nil {
			return TranslateError(err)
		}
		return Record(ctx, tx, "legislative_term", t.ID, OpCreate, t)
	})
	if err != nil {
		return LegislativeTerm{}, fmt.Errorf("create legislative term: %w", err)
	}
	return t, nil
}

// LegislativeTerms lists the body's terms, newest first.
func (s *Store) LegislativeTerms(ctx context.Context, bodyID ID) ([]LegislativeTerm, error) {
	rows, err := s.db.Query(ctx, `SELECT `+termCols+` FROM legislative_terms WHERE body_id = $1 AND NOT deleted
		ORDER BY start_date DESC NULLS LAST, name`, bodyID)
	if err != nil {
		return nil, fmt.Errorf("legislative terms: %w", TranslateError(err))
	}
	defer rows.Close()
	var out []LegislativeTerm
	for rows.Next() {
		var t LegislativeTerm
		var start, end pgDate
		if err := rows.Scan(&t.ID, &t.BodyID, &t.Name, &start, &end, &t.Created, &t.Modified, &t.Deleted); err != nil {
			return nil, fmt.Errorf("legislative terms: %w", err)
		}
		t.Start, t.End = dateOf(start), dateOf(end)
		out = append(out, t)
	}
	return out, rows.Err()
}

const locationCols = `id, body_id, description, street_address, room, postal_code, locality, lat, lon, created, modified, deleted`

func scanLocation(row interface{ Scan(...any) error }) (Location, error) {
	var l Location
	var lat, lon *float64
	err := row.Scan(&l.ID, &l.BodyID, &l.Description, &l.StreetAddress, &l.Room, &l.PostalCode, &l.Locality,
		&lat, &lon, &l.Created, &l.Modified, &l.Deleted)
	if lat != nil && lon != nil {
		l.HasPoint, l.Lat, l.Lon = true, *lat, *lon
	}
	return l, err
}

// SaveLocation inserts l (zero ID) or updates it. Errors: ErrInvalid, ErrNotFound.
func (s *Store) SaveLocation(ctx context.Context, l Location) (Location, error) {
	if err := l.Validate(); err != nil {
		return Location{}, err
	}
	var lat, lon *float64
	if l.HasPoint {
		lat, lon = &l.Lat, &l.Lon
	}
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		var err error
		op := OpUpdate
		if l.ID == NilID {
			l.ID, op = NewID(), OpCreate
			l, err = scanLocation(tx.QueryRow(ctx, `INSERT INTO locations (id, body_id, description, street_address, room, postal_code, locality, lat, lon)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING `+locationCols,
				l.ID, l.BodyID, l.Description, l.StreetAddress, l.Room, l.PostalCode, l.Locality, lat, lon))
		} else {
			l, err = scanLocation(tx.QueryRow(ctx, `UPDATE locations SET description = $2, street_address = $3, room = $4,
				postal_code = $5, locality = $6, lat = $7, lon = $8, modified = now()
				WHERE id = $1 AND NOT deleted RETURNING `+locationCols,
				l.ID, l.Description, l.StreetAddress, l.Room, l.PostalCode, l.Locality, lat, lon))
		}
		if err != nil {
			return TranslateError(err)
		}
		return Record(ctx, tx, "location", l.ID, op, l)
	})
	if err != nil {
		return Location{}, fmt.Errorf("save location: %w", err)
	}
	return l, nil
}

// Location returns the location with id. Errors: ErrNotFound.
func (s *Store) Location(ctx context.Context, id ID) (Location, error) {
	l, err := scanLocation(s.db.QueryRow(ctx, `SELECT `+locationCols+` FROM locations WHERE id = $1`, id))
	if err != nil {
		return Location{}, fmt.Errorf("location %s: %w", id, TranslateError(err))
	}
	return l, nil
}

// Locations lists the body's locations by description.
func (s *Store) Locations(ctx context.Context, bodyID ID) ([]Location, error) {
	rows, err := s.db.Query(ctx, `SELECT `+locationCols+` FROM locations WHERE body_id = $1 AND NOT deleted ORDER BY description, room`, bodyID)
	if err != nil {
		return nil, fmt.Errorf("locations: %w", TranslateError(err))
	}
	defer rows.Close()
	var out []Location
	for rows.Next() {
		l, err := scanLocation(rows)
		if err != nil {
			return nil, fmt.Errorf("locations: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// VotingProfiles returns each body's Land voting profile code (docs/VOTING.md),
// by body id.
func (s *Store) VotingProfiles(ctx context.Context) (map[ID]string, error) {
	rows, err := s.db.Query(ctx, `SELECT id, voting_profile FROM bodies WHERE NOT deleted`)
	if err != nil {
		return nil, TranslateError(err)
	}
	defer rows.Close()
	out := map[ID]string{}
	for rows.Next() {
		var id ID
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return nil, err
		}
		out[id] = code
	}
	return out, TranslateError(rows.Err())
}

// SetVotingProfile sets the Land voting profile of body id (NilID: every
// body) to code, which the caller has checked against the configured
// profiles; it is recorded in the audit log. Errors: ErrNotFound for an
// unknown body, ErrInvalid for a malformed code.
func (s *Store) SetVotingProfile(ctx context.Context, id ID, code string) error {
	return Tx(ctx, s.db, func(tx DBTXTx) error {
		tag, err := tx.Exec(ctx, `UPDATE bodies SET voting_profile = $2, modified = now() WHERE ($1::uuid IS NULL OR id = $1) AND NOT deleted`,
			NullID(id), code)
		if err != nil {
			return TranslateError(err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("%w: no body %s", ErrNotFound, id)
		}
		return Record(ctx, tx, "body", id, OpUpdate, map[string]string{"voting_profile": code})
	})
}
