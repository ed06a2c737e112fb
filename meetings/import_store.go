package meetings

import (
	"context"
	"errors"
	"fmt"

	"github.com/plenar/plenar/council"
)

// ImportStore writes the meetings and agenda items imported from another
// council information system (cmd/plenar/oparlimport): the same Validate
// as Store, the source mapping and the outbox/audit row in one
// transaction (council.ImportWrite). Imported rows keep the source's
// created and modified.
type ImportStore struct{ db council.DBTX }

// NewImportStore returns an ImportStore on db.
func NewImportStore(db council.DBTX) *ImportStore { return &ImportStore{db: db} }

// importTables are this package's imported entities and their tables.
var importTables = map[string]string{"meeting": "meetings", "agenda_item": "agenda_items"}

// Meeting writes an imported meeting and its organizations. The source
// may name no organization (OParl's Meeting.organization is optional),
// so that one rule of Validate is left out. Errors: ErrInvalid.
func (s *ImportStore) Meeting(ctx context.Context, src council.ImportSource, m Meeting) (council.ID, error) {
	if err := m.Validate(); err != nil {
		var fe council.FieldErrors
		if !errors.As(err, &fe) || len(m.Organizations) > 0 || len(fe) != 1 || fe["organizations"] == "" {
			return council.NilID, fmt.Errorf("import meeting %s: %w", src.URL, err)
		}
	}
	var end any
	if !m.End.IsZero() {
		end = m.End
	}
	return council.ImportWrite(ctx, s.db, src, "meeting", func(tx council.DBTXTx, id council.ID) error {
		if _, err := tx.Exec(ctx, council.ImportUpsertSQL("meetings", "body_id", "name", "start_at", "end_at", "location_id",
			"state", "cancelled", "created", "modified"),
			id, m.BodyID, m.Name, m.Start, end, council.NullID(m.LocationID), m.State, m.Cancelled, m.Created, m.Modified); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM meeting_organizations WHERE meeting_id = $1`, id); err != nil {
			return err
		}
		for _, org := range m.Organizations {
			if _, err := tx.Exec(ctx, `INSERT INTO meeting_organizations (meeting_id, organization_id) VALUES ($1, $2)
				ON CONFLICT DO NOTHING`, id, org); err != nil {
				return err
			}
		}
		return nil
	})
}

// AgendaItem writes an imported agenda item. Errors: ErrInvalid.
func (s *ImportStore) AgendaItem(ctx context.Context, src council.ImportSource, it AgendaItem) (council.ID, error) {
	if err := it.Validate(); err != nil {
		return council.NilID, fmt.Errorf("import agenda item %s: %w", src.URL, err)
	}
	return council.ImportWrite(ctx, s.db, src, "agenda_item", func(tx council.DBTXTx, id council.ID) error {
		_, err := tx.Exec(ctx, council.ImportUpsertSQL("agenda_items", "meeting_id", "position", "number", "name", "public",
			"result", "resolution_text", "created", "modified"),
			id, it.MeetingID, it.Position, it.Number, it.Name, it.Public, it.Result, it.ResolutionText, it.Created, it.Modified)
		return err
	})
}

// NextPosition is the position after the last agenda item of meeting, or
// the stored position of the item imported from itemURL.
func (s *ImportStore) NextPosition(ctx context.Context, meeting council.ID, itemURL string) (int, error) {
	var pos int
	err := s.db.QueryRow(ctx, `SELECT coalesce((SELECT i.position FROM import_sources s JOIN agenda_items i ON i.id = s.local_id
			WHERE s.source_url = $2),
		(SELECT coalesce(max(position) + 1, 0) FROM agenda_items WHERE meeting_id = $1))`, meeting, itemURL).Scan(&pos)
	if err != nil {
		return 0, fmt.Errorf("agenda position: %w", council.TranslateError(err))
	}
	return pos, nil
}

// MeetingOrganization is the first organization of the meeting of the
// agenda item id (or of the meeting id); NilID when none.
func (s *ImportStore) MeetingOrganization(ctx context.Context, item, meeting council.ID) (council.ID, error) {
	var org *council.ID
	err := s.db.QueryRow(ctx, `SELECT (SELECT mo.organization_id FROM meeting_organizations mo
		WHERE mo.meeting_id = coalesce((SELECT meeting_id FROM agenda_items WHERE id = $1), $2)
		ORDER BY mo.organization_id LIMIT 1)`, council.NullID(item), council.NullID(meeting)).Scan(&org)
	if err != nil {
		return council.NilID, fmt.Errorf("meeting organization: %w", council.TranslateError(err))
	}
	return council.IDOf(org), nil
}

// Delete marks the meeting or agenda item imported from src deleted; ok
// is false when src was never imported as entity (or entity is not this
// package's).
func (s *ImportStore) Delete(ctx context.Context, src council.ImportSource, entity string) (bool, error) {
	table, ok := importTables[entity]
	if !ok {
		return false, nil
	}
	return council.ImportMarkDeleted(ctx, s.db, src, entity, table)
}

// Imported lists the source URLs (starting with prefix) of entity whose
// imported rows are live, for the reconciliation of a full run.
func (s *ImportStore) Imported(ctx context.Context, entity, prefix string) ([]string, error) {
	table, ok := importTables[entity]
	if !ok {
		return nil, fmt.Errorf("import list: %w: entity %q", council.ErrInvalid, entity)
	}
	return council.ImportedLive(ctx, s.db, entity, table, prefix)
}
