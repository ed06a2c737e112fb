package council

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// ImportSource is where an imported object came from (docs/OPARL.md,
// "Import").
type ImportSource struct {
	URL      string     // the source's id of the object
	Web      string     // its page in the source's own portal; "" when none
	Modified *time.Time // the source's modified; nil: unknown
	Hash     string     // a digest of the source's JSON, for objects without modified
}

// ImportMapping is the local row an imported source object became.
type ImportMapping struct {
	ID       ID
	Entity   string
	Modified *time.Time
	Hash     string
}

// ImportStore writes the council objects imported from another council
// information system (cmd/plenar/oparlimport). It is the only writer of
// imported rows of this package's tables: every object passes the same
// Validate as in Store, and each write stores its source mapping
// (import_sources) and its outbox and audit rows in one transaction.
// Imported rows keep the source's created and modified (Meta).
type ImportStore struct{ db DBTX }

// NewImportStore returns an ImportStore on db.
func NewImportStore(db DBTX) *ImportStore { return &ImportStore{db: db} }

// ImportWrite runs write in one transaction with the mapping row of src
// and an outbox/audit row of entity: id is the local id mapped to src.URL,
// or a new one; write inserts or updates the row with that id (see
// ImportUpsertSQL). It is the frame of the import stores of the owning
// packages, which validate before they call it.
func ImportWrite(ctx context.Context, db DBTX, src ImportSource, entity string, write func(tx DBTXTx, id ID) error) (ID, error) {
	var id ID
	err := Tx(ctx, db, func(tx DBTXTx) error {
		op := OpUpdate
		err := tx.QueryRow(ctx, `SELECT local_id FROM import_sources WHERE source_url = $1 FOR UPDATE`, src.URL).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			id, op = NewID(), OpCreate
		} else if err != nil {
			return TranslateError(err)
		}
		if err := write(tx, id); err != nil {
			return TranslateError(err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO import_sources (source_url, entity, local_id, source_modified, web_url, source_hash)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (source_url) DO UPDATE SET entity = $2, local_id = $3, source_modified = $4, web_url = $5,
				source_hash = $6, imported = now()`,
			src.URL, entity, id, src.Modified, src.Web, src.Hash); err != nil {
			return TranslateError(err)
		}
		return Record(ctx, tx, entity, id, op, map[string]any{"import": src.URL})
	})
	if err != nil {
		return NilID, fmt.Errorf("import %s %s: %w", entity, src.URL, err)
	}
	return id, nil
}

// ImportUpsertSQL is the statement that writes an imported row of table:
// an INSERT of id and cols ($1 is the id, then cols in order) that, on an
// id already there, updates cols and revives a soft-deleted row.
func ImportUpsertSQL(table string, cols ...string) string {
	ph := make([]string, len(cols)+1)
	set := make([]string, len(cols))
	ph[0] = "$1"
	for i, c := range cols {
		ph[i+1] = fmt.Sprintf("$%d", i+2)
		set[i] = c + " = excluded." + c
	}
	return `INSERT INTO ` + table + ` (id, ` + strings.Join(cols, ", ") + `) VALUES (` + strings.Join(ph, ", ") + `)
		ON CONFLICT (id) DO UPDATE SET ` + strings.Join(set, ", ") + `, deleted = false`
}

// ImportMarkDeleted soft-deletes the row of table that src was imported
// as, at the source's modified (now when unknown), with its outbox/audit
// row. ok is false when src was never imported.
func ImportMarkDeleted(ctx context.Context, db DBTX, src ImportSource, entity, table string) (bool, error) {
	mod := time.Now()
	if src.Modified != nil {
		mod = *src.Modified
	}
	found := false
	err := Tx(ctx, db, func(tx DBTXTx) error {
		var id ID
		err := tx.QueryRow(ctx, `SELECT local_id FROM import_sources WHERE source_url = $1 AND entity = $2 FOR UPDATE`,
			src.URL, entity).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return TranslateError(err)
		}
		found = true
		if _, err := tx.Exec(ctx, `UPDATE `+table+` SET deleted = true, modified = $2 WHERE id = $1`, id, mod); err != nil {
			return TranslateError(err)
		}
		if _, err := tx.Exec(ctx, `UPDATE import_sources SET source_modified = $2, imported = now() WHERE source_url = $1`,
			src.URL, src.Modified); err != nil {
			return TranslateError(err)
		}
		return Record(ctx, tx, entity, id, OpDelete, map[string]any{"import": src.URL})
	})
	if err != nil {
		return false, fmt.Errorf("import delete %s %s: %w", entity, src.URL, err)
	}
	return found, nil
}

// importTables are this package's imported entities and their tables.
var importTables = map[string]string{"body": "bodies", "legislative_term": "legislative_terms", "location": "locations",
	"organization": "organizations", "person": "persons", "membership": "memberships", "paper": "papers",
	"consultation": "consultations"}

// Lookup returns the mapping of the source object at url.
func (s *ImportStore) Lookup(ctx context.Context, url string) (ImportMapping, bool, error) {
	var m ImportMapping
	err := s.db.QueryRow(ctx, `SELECT local_id, entity, source_modified, source_hash FROM import_sources WHERE source_url = $1`,
		url).Scan(&m.ID, &m.Entity, &m.Modified, &m.Hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return ImportMapping{}, false, nil
	}
	if err != nil {
		return ImportMapping{}, false, fmt.Errorf("import lookup %s: %w", url, TranslateError(err))
	}
	return m, true, nil
}

// Delete marks the council object imported from src deleted; ok is false
// when src was never imported as entity (or entity is not this package's).
func (s *ImportStore) Delete(ctx context.Context, src ImportSource, entity string) (bool, error) {
	table, ok := importTables[entity]
	if !ok {
		return false, nil
	}
	return ImportMarkDeleted(ctx, s.db, src, entity, table)
}

// Body writes an imported body. Errors: ErrInvalid.
func (s *ImportStore) Body(ctx context.Context, src ImportSource, b Body) (ID, error) {
	if err := b.Validate(); err != nil {
		return NilID, fmt.Errorf("import body %s: %w", src.URL, err)
	}
	return ImportWrite(ctx, s.db, src, "body", func(tx DBTXTx, id ID) error {
		_, err := tx.Exec(ctx, ImportUpsertSQL("bodies", "name", "short_name", "website", "license", "ags", "rgs",
			"classification", "created", "modified"),
			id, b.Name, b.ShortName, b.Website, b.License, b.AGS, b.RGS, b.Classification, b.Created, b.Modified)
		return err
	})
}

// BodyLocation sets the location of the imported body (OParl
// Body.location), which is imported after the body it belongs to.
func (s *ImportStore) BodyLocation(ctx context.Context, body, location ID) error {
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		tag, err := tx.Exec(ctx, `UPDATE bodies SET location_id = $2 WHERE id = $1 AND location_id IS DISTINCT FROM $2`, body, location)
		if err != nil || tag.RowsAffected() == 0 {
			return TranslateError(err)
		}
		return Record(ctx, tx, "body", body, OpUpdate, map[string]any{"location": location})
	})
	if err != nil {
		return fmt.Errorf("import body location: %w", err)
	}
	return nil
}

// LegislativeTerm writes an imported legislative term. Errors: ErrInvalid.
func (s *ImportStore) LegislativeTerm(ctx context.Context, src ImportSource, t LegislativeTerm) (ID, error) {
	if err := t.Validate(); err != nil {
		return NilID, fmt.Errorf("import legislative term %s: %w", src.URL, err)
	}
	return ImportWrite(ctx, s.db, src, "legislative_term", func(tx DBTXTx, id ID) error {
		_, err := tx.Exec(ctx, ImportUpsertSQL("legislative_terms", "body_id", "name", "start_date", "end_date", "created", "modified"),
			id, t.BodyID, t.Name, nullDate(t.Start), nullDate(t.End), t.Created, t.Modified)
		return err
	})
}

// Location writes an imported location. Errors: ErrInvalid.
func (s *ImportStore) Location(ctx context.Context, src ImportSource, l Location) (ID, error) {
	if err := l.Validate(); err != nil {
		return NilID, fmt.Errorf("import location %s: %w", src.URL, err)
	}
	var lat, lon *float64
	if l.HasPoint {
		lat, lon = &l.Lat, &l.Lon
	}
	return ImportWrite(ctx, s.db, src, "location", func(tx DBTXTx, id ID) error {
		_, err := tx.Exec(ctx, ImportUpsertSQL("locations", "body_id", "description", "street_address", "room", "postal_code",
			"locality", "lat", "lon", "created", "modified"),
			id, l.BodyID, l.Description, l.StreetAddress, l.Room, l.PostalCode, l.Locality, lat, lon, l.Created, l.Modified)
		return err
	})
}

// Organization writes an imported organization with the source's type
// label. Errors: ErrInvalid.
func (s *ImportStore) Organization(ctx context.Context, src ImportSource, o Organization) (ID, error) {
	if err := o.Validate(); err != nil {
		return NilID, fmt.Errorf("import organization %s: %w", src.URL, err)
	}
	return ImportWrite(ctx, s.db, src, "organization", func(tx DBTXTx, id ID) error {
		_, err := tx.Exec(ctx, ImportUpsertSQL("organizations", "body_id", "name", "short_name", "kind", "classification",
			"organization_type_name", "parent_id", "statutory_seats", "location_id", "website", "start_date", "end_date",
			"created", "modified"),
			id, o.BodyID, o.Name, o.ShortName, o.Kind, o.Classification, o.TypeName, nullID(o.ParentID),
			nullInt(o.StatutorySeats), nullID(o.LocationID), o.Website, nullDate(o.Start), nullDate(o.End), o.Created, o.Modified)
		return err
	})
}

// Person writes an imported person. Errors: ErrInvalid.
func (s *ImportStore) Person(ctx context.Context, src ImportSource, p Person) (ID, error) {
	if err := p.Validate(); err != nil {
		return NilID, fmt.Errorf("import person %s: %w", src.URL, err)
	}
	return ImportWrite(ctx, s.db, src, "person", func(tx DBTXTx, id ID) error {
		_, err := tx.Exec(ctx, ImportUpsertSQL("persons", "body_id", "family_name", "given_name", "title", "form_of_address",
			"affix", "gender", "email", "phone", "life_source", "created", "modified"),
			id, p.BodyID, p.FamilyName, p.GivenName, p.Title, p.FormOfAddress, p.Affix, p.Gender, p.Email, p.Phone,
			p.LifeSource, p.Created, p.Modified)
		return err
	})
}

// Membership writes an imported membership. Errors: ErrInvalid.
func (s *ImportStore) Membership(ctx context.Context, src ImportSource, m Membership) (ID, error) {
	if err := m.Validate(); err != nil {
		return NilID, fmt.Errorf("import membership %s: %w", src.URL, err)
	}
	return ImportWrite(ctx, s.db, src, "membership", func(tx DBTXTx, id ID) error {
		_, err := tx.Exec(ctx, ImportUpsertSQL("memberships", "person_id", "organization_id", "role", "voting_right",
			"substitute", "on_behalf_of_id", "start_date", "end_date", "created", "modified"),
			id, m.PersonID, m.OrganizationID, m.Role, m.VotingRight, m.Substitute, nullID(m.OnBehalfOfID),
			nullDate(m.Start), nullDate(m.End), m.Created, m.Modified)
		return err
	})
}

// ImportedPaper is a paper as the source has it: its reference split
// into Plenar's parts when it has Plenar's form (else the whole reference
// under the prefix "oparl:" with year and sequence 0), and its relations.
type ImportedPaper struct {
	Paper
	RefPrefix        string
	RefYear, RefSeq  int
	Superordinates   []ID // papers this one is subordinate to
	Subordinates     []ID // papers subordinate to this one (only added: their own import owns the link)
	RelatedImported  []ID // related papers
	OriginatorPeople []ID
	OriginatorOrgs   []ID
	Locations        []ID // the places the paper is about (OParl Paper.location)
}

// Paper writes an imported paper with its originators and relations and
// moves the reference counter past a Plenar-form reference. Errors:
// ErrInvalid; ErrConflict when the reference is taken.
func (s *ImportStore) Paper(ctx context.Context, src ImportSource, p ImportedPaper) (ID, error) {
	if err := p.Validate(); err != nil {
		return NilID, fmt.Errorf("import paper %s: %w", src.URL, err)
	}
	var ref, prefix *string
	var year, seq *int
	if p.Reference != "" {
		ref, prefix, year, seq = &p.Reference, &p.RefPrefix, &p.RefYear, &p.RefSeq
	}
	return ImportWrite(ctx, s.db, src, "paper", func(tx DBTXTx, id ID) error {
		if _, err := tx.Exec(ctx, ImportUpsertSQL("papers", "body_id", "name", "paper_type", "paper_type_name", "reference",
			"ref_prefix", "ref_year", "ref_seq", "date", "text", "status", "public", "lead_org_id", "created", "modified"),
			id, p.BodyID, p.Name, p.Type, p.TypeName, ref, prefix, year, seq, nullDate(p.Date), p.Text, p.Status, p.Public,
			nullID(p.LeadOrgID), p.Created, p.Modified); err != nil {
			return err
		}
		if p.Reference != "" && p.RefYear > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO paper_counters (body_id, prefix, year, last) VALUES ($1, $2, $3, $4)
				ON CONFLICT (body_id, prefix, year) DO UPDATE SET last = GREATEST(paper_counters.last, $4)`,
				p.BodyID, p.RefPrefix, p.RefYear, p.RefSeq); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM paper_originators WHERE paper_id = $1`, id); err != nil {
			return err
		}
		origs := make([][2]*ID, 0, len(p.OriginatorPeople)+len(p.OriginatorOrgs))
		for _, o := range p.OriginatorPeople {
			origs = append(origs, [2]*ID{nullID(o), nil})
		}
		for _, o := range p.OriginatorOrgs {
			origs = append(origs, [2]*ID{nil, nullID(o)})
		}
		for pos, o := range origs {
			if _, err := tx.Exec(ctx, `INSERT INTO paper_originators (paper_id, position, person_id, organization_id)
				VALUES ($1, $2, $3, $4)`, id, pos, o[0], o[1]); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM paper_locations WHERE paper_id = $1`, id); err != nil {
			return err
		}
		for _, l := range p.Locations {
			if _, err := tx.Exec(ctx, `INSERT INTO paper_locations (paper_id, location_id) VALUES ($1, $2)
				ON CONFLICT DO NOTHING`, id, l); err != nil {
				return err
			}
		}
		// This paper's own links are replaced; a subordinate's link to it
		// is only added (the subordinate's own superordinatedPaper owns it).
		if _, err := tx.Exec(ctx, `DELETE FROM paper_relations WHERE paper_id = $1`, id); err != nil {
			return err
		}
		type rel struct {
			from, to ID
			kind     string
		}
		var rels []rel
		for _, r := range p.RelatedImported {
			rels = append(rels, rel{id, r, "related"})
		}
		for _, r := range p.Superordinates {
			rels = append(rels, rel{id, r, "superordinate"})
		}
		for _, r := range p.Subordinates {
			rels = append(rels, rel{r, id, "superordinate"})
		}
		for _, r := range rels {
			if r.from == r.to {
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO paper_relations (paper_id, related_id, kind) VALUES ($1, $2, $3)
				ON CONFLICT DO NOTHING`, r.from, r.to, r.kind); err != nil {
				return err
			}
		}
		return nil
	})
}

// Consultation writes an imported consultation; MeetingID keeps the
// meeting of a consultation without an agenda item. Errors: ErrInvalid.
func (s *ImportStore) Consultation(ctx context.Context, src ImportSource, c Consultation) (ID, error) {
	if err := c.Validate(); err != nil {
		return NilID, fmt.Errorf("import consultation %s: %w", src.URL, err)
	}
	return ImportWrite(ctx, s.db, src, "consultation", func(tx DBTXTx, id ID) error {
		_, err := tx.Exec(ctx, ImportUpsertSQL("consultations", "paper_id", "organization_id", "agenda_item_id", "meeting_id",
			"position", "role", "authoritative", "created", "modified"),
			id, c.PaperID, c.OrganizationID, nullID(c.AgendaItemID), nullID(c.MeetingID), c.Position, c.Role,
			c.Authoritative, c.Created, c.Modified)
		return err
	})
}

// Imported lists the source URLs (starting with prefix) of entity whose
// imported rows are live, for the reconciliation of a full run.
func (s *ImportStore) Imported(ctx context.Context, entity, prefix string) ([]string, error) {
	table, ok := importTables[entity]
	if !ok {
		return nil, fmt.Errorf("import list: %w: entity %q", ErrInvalid, entity)
	}
	return ImportedLive(ctx, s.db, entity, table, prefix)
}

// ImportedLive lists the source URLs (starting with prefix) of the live
// rows of table imported as entity.
func ImportedLive(ctx context.Context, db DBTX, entity, table, prefix string) ([]string, error) {
	rows, err := db.Query(ctx, `SELECT s.source_url FROM import_sources s JOIN `+table+` t ON t.id = s.local_id
		WHERE s.entity = $1 AND NOT t.deleted AND starts_with(s.source_url, $2) ORDER BY s.source_url`, entity, prefix)
	if err != nil {
		return nil, fmt.Errorf("imported %s: %w", entity, TranslateError(err))
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("imported %s: %w", entity, TranslateError(err))
	}
	return out, nil
}

// ImportedFrom is where an imported object came from, for its page
// ("Original im bisherigen Ratsinformationssystem").
type ImportedFrom struct {
	Web   string       // the object's page in the source's own portal; "" when none
	Files []SourceFile // its files at the source that Plenar holds no copy of (download failed or pending)
}

// SourceFile is a file at the source of an import.
type SourceFile struct {
	Name string
	URL  string
}

// ImportedFrom returns the source of the object entity/id; zero when it
// was not imported. Callers show it only to viewers who may see the object.
func (s *Store) ImportedFrom(ctx context.Context, entity string, id ID) (ImportedFrom, error) {
	var out ImportedFrom
	err := s.db.QueryRow(ctx, `SELECT coalesce((SELECT web_url FROM import_sources WHERE entity = $1 AND local_id = $2 LIMIT 1), '')`,
		entity, id).Scan(&out.Web)
	if err != nil {
		return ImportedFrom{}, fmt.Errorf("imported from: %w", TranslateError(err))
	}
	rows, err := s.db.Query(ctx, `SELECT coalesce(nullif(name, ''), nullif(file_name, ''), source_url),
			coalesce(nullif(access_url, ''), download_url)
		FROM import_files
		WHERE file_id IS NULL AND NOT deleted AND coalesce(nullif(access_url, ''), download_url) <> ''
			AND links @> jsonb_build_array(jsonb_build_object('entity', $1::text, 'id', $2::text))
		ORDER BY created, source_url`, entity, id.String())
	if err != nil {
		return ImportedFrom{}, fmt.Errorf("imported from: %w", TranslateError(err))
	}
	out.Files, err = pgx.CollectRows(rows, pgx.RowToStructByPos[SourceFile])
	if err != nil {
		return ImportedFrom{}, fmt.Errorf("imported from: %w", TranslateError(err))
	}
	return out, nil
}
