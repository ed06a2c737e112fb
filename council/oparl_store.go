package council

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// ListQuery selects one page of a list for the OParl API: objects in
// (modified, id) order, optionally filtered by creation and modification
// time. The same query with ID set loads a single object, so lists and
// object URLs share one visibility rule.
type ListQuery struct {
	Body ID // NilID: every body
	ID   ID // NilID: every object; set to load one object

	CreatedSince, CreatedUntil, ModifiedSince, ModifiedUntil time.Time // zero: unbounded

	Deleted bool   // include soft-deleted objects
	After   Cursor // keyset position: objects after this one; zero: use Offset
	Offset  int
	Limit   int  // 0: no limit
	Count   bool // also count all matching objects (ignoring After, Offset, Limit)
}

// Cursor is a position in (modified, id) order.
type Cursor struct {
	Modified time.Time
	ID       ID
}

// IsZero reports whether c is the start of a list.
func (c Cursor) IsZero() bool { return c.ID == NilID }

// ListCols names the SQL expressions a list is filtered and ordered by.
// Visible is an extra condition (may be empty); Body may be empty for
// lists that belong to no body.
type ListCols struct {
	ID, Body, Created, Modified, Deleted, Visible string
}

// ByOwner runs query with ids as $1 and groups what scan reads by the
// owner id it returns, keeping the rows' order; empty ids run no query.
// what names the read in errors. It is exported for the other packages'
// stores.
func ByOwner[T any](ctx context.Context, db DBTX, what, query string, ids []ID,
	scan func(pgx.Rows) (ID, T, error)) (map[ID][]T, error) {
	out := map[ID][]T{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := db.Query(ctx, query, ids)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, TranslateError(err))
	}
	defer rows.Close()
	for rows.Next() {
		owner, x, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out[owner] = append(out[owner], x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, TranslateError(err))
	}
	return out, nil
}

// ListPage runs SELECT cols FROM from with q's conditions, in (modified,
// id) order, and scans each row with scan. It returns the page and, when
// q.Count is set, the number of matching objects (-1 otherwise). It is
// exported for the other packages' OParl stores.
func ListPage[T any](ctx context.Context, db DBTX, cols, from string, lc ListCols, q ListQuery,
	scan func(pgx.Rows) (T, error)) ([]T, int, error) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if lc.Visible != "" {
		conds = append(conds, "("+lc.Visible+")")
	}
	if q.Body != NilID && lc.Body != "" {
		conds = append(conds, lc.Body+" = "+arg(q.Body))
	}
	if q.ID != NilID {
		conds = append(conds, lc.ID+" = "+arg(q.ID))
	}
	if !q.Deleted {
		conds = append(conds, "NOT ("+lc.Deleted+")")
	}
	for _, f := range []struct {
		t  time.Time
		op string
		on string
	}{{q.CreatedSince, ">=", lc.Created}, {q.CreatedUntil, "<=", lc.Created},
		{q.ModifiedSince, ">=", lc.Modified}, {q.ModifiedUntil, "<=", lc.Modified}} {
		if !f.t.IsZero() {
			conds = append(conds, f.on+" "+f.op+" "+arg(f.t))
		}
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	total := -1
	if q.Count {
		if err := db.QueryRow(ctx, `SELECT count(*) FROM `+from+where, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count: %w", TranslateError(err))
		}
	}
	page := where
	if !q.After.IsZero() {
		kc := "(" + lc.Modified + ", " + lc.ID + ") > (" + arg(q.After.Modified) + ", " + arg(q.After.ID) + ")"
		if page == "" {
			page = " WHERE " + kc
		} else {
			page += " AND " + kc
		}
	}
	order := " ORDER BY " + lc.Modified + ", " + lc.ID
	page += order
	if q.Limit > 0 {
		page += " LIMIT " + arg(q.Limit)
	}
	if q.After.IsZero() && q.Offset > 0 {
		page += " OFFSET " + arg(q.Offset)
	}
	// The page's ids first, then the (possibly expensive) columns of
	// those rows only.
	rows, err := db.Query(ctx, `SELECT `+cols+` FROM `+from+` WHERE `+lc.ID+` IN (SELECT `+lc.ID+` FROM `+from+page+`)`+order, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list: %w", TranslateError(err))
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list: %w", TranslateError(err))
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list: %w", TranslateError(err))
	}
	return out, total, nil
}

func plain(table string) ListCols {
	return ListCols{ID: table + ".id", Body: table + ".body_id", Created: table + ".created",
		Modified: table + ".modified", Deleted: table + ".deleted"}
}

// OParlBodies lists bodies for the OParl API (q.Body is ignored).
func (s *Store) OParlBodies(ctx context.Context, q ListQuery) ([]Body, int, error) {
	// A body embeds its legislative terms: its modified is the latest.
	lc := plain("bodies")
	lc.Body = ""
	lc.Modified = "greatest(bodies.modified, lt.mx)"
	cols := strings.Replace(bodyCols, "modified", lc.Modified, 1)
	from := `bodies LEFT JOIN (SELECT body_id, max(modified) AS mx FROM legislative_terms GROUP BY body_id) lt
		ON lt.body_id = bodies.id`
	out, n, err := ListPage(ctx, s.db, cols, from, lc, q, func(r pgx.Rows) (Body, error) { return scanBody(r) })
	if err != nil {
		return nil, 0, fmt.Errorf("oparl bodies: %w", err)
	}
	return out, n, nil
}

// OParlTerms lists legislative terms for the OParl API.
func (s *Store) OParlTerms(ctx context.Context, q ListQuery) ([]LegislativeTerm, int, error) {
	out, n, err := ListPage(ctx, s.db, termCols, "legislative_terms", plain("legislative_terms"), q,
		func(r pgx.Rows) (LegislativeTerm, error) {
			var t LegislativeTerm
			var start, end pgDate
			err := r.Scan(&t.ID, &t.BodyID, &t.Name, &start, &end, &t.Created, &t.Modified, &t.Deleted)
			t.Start, t.End = dateOf(start), dateOf(end)
			return t, err
		})
	if err != nil {
		return nil, 0, fmt.Errorf("oparl legislative terms: %w", err)
	}
	return out, n, nil
}

// OParlOrganizations lists organizations for the OParl API.
func (s *Store) OParlOrganizations(ctx context.Context, q ListQuery) ([]Organization, int, error) {
	out, n, err := ListPage(ctx, s.db, orgCols, "organizations", plain("organizations"), q,
		func(r pgx.Rows) (Organization, error) { return scanOrg(r) })
	if err != nil {
		return nil, 0, fmt.Errorf("oparl organizations: %w", err)
	}
	return out, n, nil
}

// publicPersonOParlCols is personCols for public_persons (alias p): what
// OParl publishes of a person, without contact data.
const publicPersonOParlCols = `p.id, p.body_id, p.family_name, p.given_name, p.title, p.form_of_address, p.affix, p.gender,
	'', '', p.life_source, p.created, p.modified, p.deleted`

// OParlPersons lists persons for the OParl API, from public_persons: Email
// and Phone are always empty.
func (s *Store) OParlPersons(ctx context.Context, q ListQuery) ([]Person, int, error) {
	// A person embeds its memberships, so its modified is the latest of
	// both (SaveMembership does not touch the person row).
	lc := plain("p")
	lc.Modified = "greatest(p.modified, mm.mx)"
	cols := strings.Replace(publicPersonOParlCols, "p.modified", lc.Modified, 1)
	from := `public_persons p LEFT JOIN (SELECT person_id, max(modified) AS mx FROM memberships GROUP BY person_id) mm
		ON mm.person_id = p.id`
	out, n, err := ListPage(ctx, s.db, cols, from, lc, q,
		func(r pgx.Rows) (Person, error) {
			var p Person
			err := r.Scan(scanPersonInto(&p)...)
			return p, err
		})
	if err != nil {
		return nil, 0, fmt.Errorf("oparl persons: %w", err)
	}
	return out, n, nil
}

const oparlMembershipFrom = `memberships m JOIN persons p ON p.id = m.person_id JOIN organizations o ON o.id = m.organization_id`

// OParlMemberships lists memberships for the OParl API. A membership of
// a deleted person or organization counts as deleted.
func (s *Store) OParlMemberships(ctx context.Context, q ListQuery) ([]Membership, int, error) {
	lc := ListCols{ID: "m.id", Body: "p.body_id", Created: "m.created", Modified: "m.modified",
		Deleted: "m.deleted OR p.deleted OR o.deleted"}
	cols := strings.Replace(membershipCols, "m.deleted", "(m.deleted OR p.deleted OR o.deleted)", 1)
	out, n, err := ListPage(ctx, s.db, cols, oparlMembershipFrom, lc, q, func(r pgx.Rows) (Membership, error) {
		return scanMembership(r)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("oparl memberships: %w", err)
	}
	return out, n, nil
}

// MembershipsOfPersons returns the current (not deleted) memberships of
// the given persons, keyed by person, in (modified, id) order.
func (s *Store) MembershipsOfPersons(ctx context.Context, persons []ID) (map[ID][]Membership, error) {
	return ByOwner(ctx, s.db, "memberships of persons", `SELECT `+membershipCols+` FROM `+oparlMembershipFrom+`
		WHERE m.person_id = ANY($1) AND NOT (m.deleted OR p.deleted OR o.deleted) ORDER BY m.modified, m.id`, persons,
		func(r pgx.Rows) (ID, Membership, error) {
			m, err := scanMembership(r)
			return m.PersonID, m, err
		})
}

// OParlLocation is a location with the organizations that sit there.
type OParlLocation struct {
	Location
	Organizations []ID
}

// OParlLocations lists locations for the OParl API.
func (s *Store) OParlLocations(ctx context.Context, q ListQuery) ([]OParlLocation, int, error) {
	cols := `locations.id, locations.body_id, description, street_address, room, postal_code, locality, lat, lon,
		locations.created, locations.modified, locations.deleted,
		coalesce((SELECT array_agg(o.id ORDER BY o.id) FROM organizations o WHERE o.location_id = locations.id AND NOT o.deleted), '{}')`
	out, n, err := ListPage(ctx, s.db, cols, "locations", plain("locations"), q, func(r pgx.Rows) (OParlLocation, error) {
		var l OParlLocation
		var lat, lon *float64
		err := r.Scan(&l.ID, &l.BodyID, &l.Description, &l.StreetAddress, &l.Room, &l.PostalCode, &l.Locality,
			&lat, &lon, &l.Created, &l.Modified, &l.Deleted, &l.Organizations)
		if lat != nil && lon != nil {
			l.HasPoint, l.Lat, l.Lon = true, *lat, *lon
		}
		return l, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("oparl locations: %w", err)
	}
	return out, n, nil
}

// LocationsByID returns the given locations that are not deleted.
func (s *Store) LocationsByID(ctx context.Context, ids []ID) (map[ID]Location, error) {
	out := map[ID]Location{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.db.Query(ctx, `SELECT `+locationCols+` FROM locations WHERE id = ANY($1) AND NOT deleted`, ids)
	if err != nil {
		return nil, fmt.Errorf("locations by id: %w", TranslateError(err))
	}
	defer rows.Close()
	for rows.Next() {
		l, err := scanLocation(rows)
		if err != nil {
			return nil, fmt.Errorf("locations by id: %w", err)
		}
		out[l.ID] = l
	}
	return out, rows.Err()
}

// OParlPaper is a paper with its links to other papers for the OParl API.
// Related, Superordinated and Subordinated name only published papers.
type OParlPaper struct {
	Paper
	Superordinated []ID
	Subordinated   []ID
}

// PublishedPaper is the SQL condition (on alias p) under which a paper is
// public data, deletion set apart: the database's paper_published
// (migrations/sql/00011_visibility.sql). Other papers never appear in OParl.
const PublishedPaper = `paper_published(p)`

// OParlPapers lists published papers for the OParl API, with originators
// and links to other published papers.
func (s *Store) OParlPapers(ctx context.Context, q ListQuery) ([]OParlPaper, int, error) {
	cols := paperCols + `,
		coalesce((SELECT array_agg(po.person_id ORDER BY po.position) FROM paper_originators po
			WHERE po.paper_id = p.id AND po.person_id IS NOT NULL), '{}'),
		coalesce((SELECT array_agg(po.organization_id ORDER BY po.position) FROM paper_originators po
			WHERE po.paper_id = p.id AND po.organization_id IS NOT NULL), '{}'),
		coalesce(rel.related, '{}'), coalesce(rel.super, '{}'), coalesce(rel.sub, '{}')`
	// Links in both directions, aggregated once per query and hash-joined
	// (paper_relations has no index on related_id); the join is removed
	// from the count and page queries, which use none of its columns.
	from := `papers p LEFT JOIN (
		SELECT x.pid,
			array_agg(DISTINCT x.other) FILTER (WHERE x.kind = 'related') AS related,
			array_agg(DISTINCT x.other) FILTER (WHERE x.kind = 'super') AS super,
			array_agg(DISTINCT x.other) FILTER (WHERE x.kind = 'sub') AS sub
		FROM (SELECT paper_id AS pid, related_id AS other, CASE kind WHEN 'related' THEN 'related' ELSE 'super' END AS kind FROM paper_relations
			UNION ALL SELECT related_id, paper_id, CASE kind WHEN 'related' THEN 'related' ELSE 'sub' END FROM paper_relations) x
		JOIN papers r ON r.id = x.other AND paper_public(r)
		GROUP BY x.pid) rel ON rel.pid = p.id`
	lc := plain("p")
	lc.Visible = PublishedPaper
	// A paper embeds its files: the documents store moves the paper's
	// modified whenever one of its files changes.
	out, n, err := ListPage(ctx, s.db, cols, from, lc, q, func(r pgx.Rows) (OParlPaper, error) {
		var p OParlPaper
		var date pgDate
		var lead *ID
		var persons, orgs []ID
		err := r.Scan(append(paperDest(&p.Paper, &date, &lead), &persons, &orgs, &p.Related, &p.Superordinated, &p.Subordinated)...)
		p.Date, p.LeadOrgID = dateOf(date), idOf(lead)
		for _, id := range persons {
			p.Originators = append(p.Originators, Originator{PersonID: id})
		}
		for _, id := range orgs {
			p.Originators = append(p.Originators, Originator{OrganizationID: id})
		}
		return p, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("oparl papers: %w", err)
	}
	return out, n, nil
}
