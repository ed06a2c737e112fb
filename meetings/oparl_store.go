package meetings

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
)

// OParlMeetings lists meetings for the OParl API.
func (s *Store) OParlMeetings(ctx context.Context, q council.ListQuery) ([]Meeting, int, error) {
	// A meeting embeds its location: its modified is the later of both
	// (agenda changes already bump the meeting row).
	// Files of the meeting and of its agenda items: the documents store
	// moves the meeting's (and item's) modified when one of them changes.
	lc := council.ListCols{ID: "m.id", Body: "m.body_id", Created: "m.created", Modified: "greatest(m.modified, l.modified)",
		Deleted: "m.deleted"}
	cols := strings.Replace(meetingCols, "m.modified", lc.Modified, 1)
	out, n, err := council.ListPage(ctx, s.db, cols, "meetings m LEFT JOIN locations l ON l.id = m.location_id", lc, q, func(r pgx.Rows) (Meeting, error) {
		return scanMeeting(r)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("oparl meetings: %w", err)
	}
	return out, n, nil
}

// OParlItem is an agenda item as OParl publishes it: ConsultationID is
// the consultation of a published paper that links it (NilID: none).
type OParlItem struct {
	AgendaItem
	ConsultationID council.ID
}

// publicItem is the condition (aliases i, m) under which an agenda item is
// public data, deletion set apart (agenda_item_published,
// migrations/sql/00011_visibility.sql). Other items never appear in OParl.
const publicItem = `agenda_item_published(i, m)`

// oparlItemModified is an agenda item's modified for OParl; it embeds its
// files, whose changes the documents store moves onto the item.
const oparlItemModified = `i.modified`

const oparlItemCols = `i.id, i.meeting_id, i.position, i.number, i.name, i.public, i.result, i.resolution_text,
	i.created, ` + oparlItemModified + `, (i.deleted OR m.deleted),
	(SELECT c.id FROM consultations c JOIN papers p ON p.id = c.paper_id
		WHERE c.agenda_item_id = i.id AND NOT c.deleted AND paper_public(p)
		ORDER BY c.created, c.id LIMIT 1)`

const oparlItemFrom = `agenda_items i JOIN meetings m ON m.id = i.meeting_id`

func scanOParlItem(r pgx.Rows) (OParlItem, error) {
	var it OParlItem
	var c *council.ID
	err := r.Scan(&it.ID, &it.MeetingID, &it.Position, &it.Number, &it.Name, &it.Public, &it.Result,
		&it.ResolutionText, &it.Created, &it.Modified, &it.Deleted, &c)
	it.ConsultationID = council.IDOf(c)
	return it, err
}

// OParlAgendaItems lists public agenda items of published agendas for
// the OParl API. An item of a deleted meeting counts as deleted.
func (s *Store) OParlAgendaItems(ctx context.Context, q council.ListQuery) ([]OParlItem, int, error) {
	lc := council.ListCols{ID: "i.id", Body: "m.body_id", Created: "i.created", Modified: oparlItemModified,
		Deleted: "i.deleted OR m.deleted", Visible: publicItem}
	out, n, err := council.ListPage(ctx, s.db, oparlItemCols, oparlItemFrom, lc, q, scanOParlItem)
	if err != nil {
		return nil, 0, fmt.Errorf("oparl agenda items: %w", err)
	}
	return out, n, nil
}

// PublicAgendas returns the public, not deleted agenda items of the given
// meetings in agenda order, keyed by meeting (none for planned meetings).
func (s *Store) PublicAgendas(ctx context.Context, meetingIDs []council.ID) (map[council.ID][]OParlItem, error) {
	return council.ByOwner(ctx, s.db, "public agendas", `SELECT `+oparlItemCols+` FROM `+oparlItemFrom+`
		WHERE i.meeting_id = ANY($1) AND agenda_item_public(i, m)
		ORDER BY i.position, i.created`, meetingIDs,
		func(r pgx.Rows) (council.ID, OParlItem, error) {
			it, err := scanOParlItem(r)
			return it.MeetingID, it, err
		})
}

// OParlConsultation is a consultation as OParl publishes it: AgendaItemID
// and MeetingID are set only when the agenda item is public data; an
// (imported) consultation with a meeting and no agenda item has MeetingID
// once the meeting's agenda is published.
type OParlConsultation struct {
	council.Consultation
	MeetingID council.ID
}

const oparlConsultationCols = `c.id, c.paper_id, c.organization_id,
	CASE WHEN m.id IS NOT NULL THEN i.id END, m.id,
	c.position, c.role, c.authoritative, c.created, c.modified, (c.deleted OR p.deleted)`

const oparlConsultationFrom = `consultations c JOIN papers p ON p.id = c.paper_id
	LEFT JOIN agenda_items i ON i.id = c.agenda_item_id
	LEFT JOIN meetings m ON m.id = coalesce(i.meeting_id, CASE WHEN c.agenda_item_id IS NULL THEN c.meeting_id END)
		AND CASE WHEN i.id IS NULL THEN agenda_public(m) ELSE agenda_item_public(i, m) END`

func scanOParlConsultation(r pgx.Rows) (OParlConsultation, error) {
	var c OParlConsultation
	var item, meeting *council.ID
	err := r.Scan(&c.ID, &c.PaperID, &c.OrganizationID, &item, &meeting, &c.Position, &c.Role, &c.Authoritative,
		&c.Created, &c.Modified, &c.Deleted)
	c.AgendaItemID, c.MeetingID = council.IDOf(item), council.IDOf(meeting)
	return c, err
}

// OParlConsultations lists the consultations of published papers for the
// OParl API. A consultation of a deleted paper counts as deleted.
func (s *Store) OParlConsultations(ctx context.Context, q council.ListQuery) ([]OParlConsultation, int, error) {
	lc := council.ListCols{ID: "c.id", Body: "p.body_id", Created: "c.created", Modified: "c.modified",
		Deleted: "c.deleted OR p.deleted", Visible: council.PublishedPaper}
	out, n, err := council.ListPage(ctx, s.db, oparlConsultationCols, oparlConsultationFrom, lc, q, scanOParlConsultation)
	if err != nil {
		return nil, 0, fmt.Errorf("oparl consultations: %w", err)
	}
	return out, n, nil
}

// ConsultationsOfPapers returns the not deleted consultations of the
// given papers in path order, keyed by paper. Callers pass only published
// papers.
func (s *Store) ConsultationsOfPapers(ctx context.Context, papers []council.ID) (map[council.ID][]OParlConsultation, error) {
	return council.ByOwner(ctx, s.db, "consultations of papers", `SELECT `+oparlConsultationCols+` FROM `+oparlConsultationFrom+`
		WHERE c.paper_id = ANY($1) AND NOT c.deleted ORDER BY c.position, c.created`, papers,
		func(r pgx.Rows) (council.ID, OParlConsultation, error) {
			c, err := scanOParlConsultation(r)
			return c.PaperID, c, err
		})
}

// MeetingsAt returns the not deleted meetings at the given locations,
// keyed by location, in start order.
func (s *Store) MeetingsAt(ctx context.Context, locations []council.ID) (map[council.ID][]council.ID, error) {
	return council.ByOwner(ctx, s.db, "meetings at locations", `SELECT location_id, id FROM meetings
		WHERE location_id = ANY($1) AND NOT deleted ORDER BY start_at, id`, locations,
		func(r pgx.Rows) (loc, id council.ID, err error) {
			err = r.Scan(&loc, &id)
			return loc, id, err
		})
}
