package council

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

const personCols = `p.id, p.body_id, p.family_name, p.given_name, p.title, p.form_of_address, p.affix, p.gender,
	p.email, p.phone, p.life_source, p.created, p.modified, p.deleted`

func scanPersonInto(p *Person) []any {
	return []any{&p.ID, &p.BodyID, &p.FamilyName, &p.GivenName, &p.Title, &p.FormOfAddress, &p.Affix, &p.Gender,
		&p.Email, &p.Phone, &p.LifeSource, &p.Created, &p.Modified, &p.Deleted}
}

func scanPerson(row interface{ Scan(...any) error }) (Person, error) {
	var p Person
	err := row.Scan(scanPersonInto(&p)...)
	return p, err
}

// SavePerson inserts p (zero ID) or updates it. Errors: ErrInvalid, ErrNotFound.
func (s *Store) SavePerson(ctx context.Context, p Person) (Person, error) {
	if err := p.Validate(); err != nil {
		return Person{}, err
	}
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		if p.ID == NilID {
			p.ID = NewID()
			saved, err := scanPerson(tx.QueryRow(ctx, `INSERT INTO persons AS p (id, body_id, family_name, given_name, title,
				form_of_address, affix, gender, email, phone, life_source)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING `+personCols,
				p.ID, p.BodyID, p.FamilyName, p.GivenName, p.Title, p.FormOfAddress, p.Affix, p.Gender, p.Email, p.Phone, p.LifeSource))
			if err != nil {
				return TranslateError(err)
			}
			p = saved
			return Record(ctx, tx, "person", p.ID, OpCreate, map[string]any{"name": p.Name()})
		}
		old, err := scanPerson(tx.QueryRow(ctx, `SELECT `+personCols+` FROM persons p WHERE id = $1 AND NOT deleted FOR UPDATE`, p.ID))
		if err != nil {
			return TranslateError(err)
		}
		saved, err := scanPerson(tx.QueryRow(ctx, `UPDATE persons AS p SET family_name=$2, given_name=$3, title=$4,
			form_of_address=$5, affix=$6, gender=$7, email=$8, phone=$9, life_source=$10, modified=now()
			WHERE id = $1 RETURNING `+personCols,
			p.ID, p.FamilyName, p.GivenName, p.Title, p.FormOfAddress, p.Affix, p.Gender, p.Email, p.Phone, p.LifeSource))
		if err != nil {
			return TranslateError(err)
		}
		p = saved
		return Record(ctx, tx, "person", p.ID, OpUpdate, Diff(old, p))
	})
	if err != nil {
		return Person{}, fmt.Errorf("save person: %w", err)
	}
	return p, nil
}

// Person returns the person with id. Errors: ErrNotFound.
func (s *Store) Person(ctx context.Context, id ID) (Person, error) {
	p, err := scanPerson(s.db.QueryRow(ctx, `SELECT `+personCols+` FROM persons p WHERE id = $1`, id))
	if err != nil {
		return Person{}, fmt.Errorf("person %s: %w", id, TranslateError(err))
	}
	return p, nil
}

// Persons lists the body's persons by family name.
func (s *Store) Persons(ctx context.Context, bodyID ID) ([]Person, error) {
	rows, err := s.db.Query(ctx, `SELECT `+personCols+` FROM persons p WHERE body_id = $1 AND NOT deleted
		ORDER BY family_name, given_name, id`, bodyID)
	if err != nil {
		return nil, fmt.Errorf("persons: %w", TranslateError(err))
	}
	defer rows.Close()
	var out []Person
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return nil, fmt.Errorf("persons: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// DeletePerson marks the person deleted. Errors: ErrNotFound.
func (s *Store) DeletePerson(ctx context.Context, id ID) error {
	return s.softDelete(ctx, "persons", "person", id)
}

const membershipCols = `m.id, m.person_id, m.organization_id, m.role, m.voting_right, m.substitute, m.on_behalf_of_id,
	m.start_date, m.end_date, m.created, m.modified, m.deleted`

func scanMembershipInto(m *Membership, behalf **ID, start, end *pgDate) []any {
	return []any{&m.ID, &m.PersonID, &m.OrganizationID, &m.Role, &m.VotingRight, &m.Substitute, behalf,
		start, end, &m.Created, &m.Modified, &m.Deleted}
}

func scanMembership(row interface{ Scan(...any) error }) (Membership, error) {
	var m Membership
	var behalf *ID
	var start, end pgDate
	err := row.Scan(scanMembershipInto(&m, &behalf, &start, &end)...)
	m.OnBehalfOfID, m.Start, m.End = idOf(behalf), dateOf(start), dateOf(end)
	return m, err
}

// SaveMembership inserts m (zero ID) or updates it.
// Errors: ErrInvalid (unknown person or organization too), ErrNotFound.
func (s *Store) SaveMembership(ctx context.Context, m Membership) (Membership, error) {
	if err := m.Validate(); err != nil {
		return Membership{}, err
	}
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		args := []any{m.PersonID, m.OrganizationID, m.Role, m.VotingRight, m.Substitute, nullID(m.OnBehalfOfID),
			nullDate(m.Start), nullDate(m.End)}
		if m.ID == NilID {
			m.ID = NewID()
			saved, err := scanMembership(tx.QueryRow(ctx, `INSERT INTO memberships AS m (person_id, organization_id, role,
				voting_right, substitute, on_behalf_of_id, start_date, end_date, id)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING `+membershipCols, append(args, m.ID)...))
			if err != nil {
				return TranslateError(err)
			}
			m = saved
			return Record(ctx, tx, "membership", m.ID, OpCreate, m)
		}
		old, err := scanMembership(tx.QueryRow(ctx, `SELECT `+membershipCols+` FROM memberships m WHERE id = $1 AND NOT deleted FOR UPDATE`, m.ID))
		if err != nil {
			return TranslateError(err)
		}
		saved, err := scanMembership(tx.QueryRow(ctx, `UPDATE memberships AS m SET person_id=$1, organization_id=$2, role=$3,
			voting_right=$4, substitute=$5, on_behalf_of_id=$6, start_date=$7, end_date=$8, modified=now()
			WHERE id = $9 RETURNING `+membershipCols, append(args, m.ID)...))
		if err != nil {
			return TranslateError(err)
		}
		m = saved
		return Record(ctx, tx, "membership", m.ID, OpUpdate, Diff(old, m))
	})
	if err != nil {
		return Membership{}, fmt.Errorf("save membership: %w", err)
	}
	return m, nil
}

// Membership returns the membership with id. Errors: ErrNotFound.
func (s *Store) Membership(ctx context.Context, id ID) (Membership, error) {
	m, err := scanMembership(s.db.QueryRow(ctx, `SELECT `+membershipCols+` FROM memberships m WHERE id = $1`, id))
	if err != nil {
		return Membership{}, fmt.Errorf("membership %s: %w", id, TranslateError(err))
	}
	return m, nil
}

// DeleteMembership marks the membership deleted. Errors: ErrNotFound.
func (s *Store) DeleteMembership(ctx context.Context, id ID) error {
	return s.softDelete(ctx, "memberships", "membership", id)
}

// Seat is a membership with the person and organization names it joins.
type Seat struct {
	Membership
	Person       Person
	OrgName      string
	OrgKind      OrgKind
	OnBehalfName string // the party group's short name or name; "" when none
}

// Members lists the memberships of organization org that are current on
// day (all of them when day is zero), with their persons, ordered by role
// weight (chairs first), then family name.
func (s *Store) Members(ctx context.Context, org ID, day time.Time) ([]Seat, error) {
	return s.seats(ctx, `m.organization_id = $1`, org, day)
}

// MembershipsOf lists the memberships of person (current on day, or all
// when day is zero), with organization names.
func (s *Store) MembershipsOf(ctx context.Context, person ID, day time.Time) ([]Seat, error) {
	return s.seats(ctx, `m.person_id = $1`, person, day)
}

func (s *Store) seats(ctx context.Context, where string, id ID, day time.Time) ([]Seat, error) {
	rows, err := s.db.Query(ctx, `SELECT `+membershipCols+`, `+personCols+`, o.name, o.kind,
			coalesce(nullif(g.short_name, ''), g.name, '')
		FROM memberships m
		JOIN persons p ON p.id = m.person_id AND NOT p.deleted
		JOIN organizations o ON o.id = m.organization_id AND NOT o.deleted
		LEFT JOIN organizations g ON g.id = m.on_behalf_of_id
		WHERE `+where+` AND NOT m.deleted
		  AND ($2::date IS NULL OR ((m.start_date IS NULL OR m.start_date <= $2) AND (m.end_date IS NULL OR m.end_date >= $2)))
		ORDER BY CASE WHEN m.role ILIKE '%vorsitz%' AND m.role NOT ILIKE '%stellv%' THEN 0
		              WHEN m.role ILIKE '%vorsitz%' THEN 1 ELSE 2 END,
		         m.substitute, p.family_name, p.given_name, o.name, m.start_date DESC NULLS LAST`, id, nullDate(day))
	if err != nil {
		return nil, fmt.Errorf("memberships: %w", TranslateError(err))
	}
	defer rows.Close()
	var out []Seat
	for rows.Next() {
		st, err := scanSeat(rows)
		if err != nil {
			return nil, fmt.Errorf("memberships: %w", err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// scanSeat reads membershipCols, the person's columns, the
// organization's name and kind and the party group's name.
func scanSeat(rows pgx.Rows) (Seat, error) {
	var st Seat
	var behalf *ID
	var start, end pgDate
	dest := append(scanMembershipInto(&st.Membership, &behalf, &start, &end), scanPersonInto(&st.Person)...)
	dest = append(dest, &st.OrgName, &st.OrgKind, &st.OnBehalfName)
	if err := rows.Scan(dest...); err != nil {
		return st, err
	}
	st.OnBehalfOfID, st.Start, st.End = idOf(behalf), dateOf(start), dateOf(end)
	return st, nil
}

// OrgsOf returns the ids of the organizations person is a current member of
// on day, for Viewer.Orgs.
func (s *Store) OrgsOf(ctx context.Context, person ID, day time.Time) (map[ID]bool, error) {
	rows, err := s.db.Query(ctx, `SELECT organization_id FROM memberships WHERE person_id = $1 AND NOT deleted
		AND (start_date IS NULL OR start_date <= $2) AND (end_date IS NULL OR end_date >= $2)`, person, nullDate(day))
	if err != nil {
		return nil, fmt.Errorf("orgs of person: %w", TranslateError(err))
	}
	defer rows.Close()
	out := map[ID]bool{}
	for rows.Next() {
		var id ID
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}
