package meetings

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
)

// The calendar, feeds and open-data dumps read in bulk: the Each… methods
// run one query and call fn per row while the rows are read, so memory
// stays flat. fn must not use the store (the connection is busy); an error
// from fn stops the iteration and is returned as is.

// EachMeeting calls fn for every meeting of body that is not deleted, by
// start time; with org set, only the meetings of that organization.
// Meetings are public data (their agendas are not always: see
// AgendaPublished and AgendaItem.ForViewer).
func (s *Store) EachMeeting(ctx context.Context, body, org council.ID, fn func(Meeting) error) error {
	return council.EachRow(ctx, s.db, "each meeting", `SELECT `+meetingCols+` FROM meetings m
		WHERE m.body_id = $1 AND NOT m.deleted
		  AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM meeting_organizations mo WHERE mo.meeting_id = m.id AND mo.organization_id = $2))
		ORDER BY m.start_at, m.id`, []any{body, council.NullID(org)},
		func(rows pgx.Rows) (Meeting, error) { return scanMeeting(rows) }, fn)
}

// Agendas returns the agendas of the given meetings (items not deleted, in
// order), keyed by meeting id, in one query. Callers filter through
// AgendaItem.ForViewer.
func (s *Store) Agendas(ctx context.Context, meetingIDs []council.ID) (map[council.ID][]AgendaItem, error) {
	return council.ByOwner(ctx, s.db, "agendas", `SELECT `+itemCols+` FROM `+itemFrom+`
		WHERE i.meeting_id = ANY($1) AND NOT i.deleted ORDER BY i.meeting_id, i.position, i.created`, meetingIDs,
		func(r pgx.Rows) (council.ID, AgendaItem, error) {
			it, err := scanItem(r)
			return it.MeetingID, it, err
		})
}

// PublicItem is a public agenda item with its meeting, as the open-data
// dump lists it.
type PublicItem struct {
	Item             AgendaItem
	MeetingName      string
	MeetingStart     time.Time
	MeetingCancelled bool
}

// EachPublicItem calls fn for every public, not deleted agenda item of a
// not deleted meeting of body whose agenda is published (invited or
// later), by meeting start and position. Items linking a non-public paper
// still carry PaperID and PaperReference here; callers pass them through
// AgendaItem.ForViewer, which removes them.
func (s *Store) EachPublicItem(ctx context.Context, body council.ID, fn func(PublicItem) error) error {
	return council.EachRow(ctx, s.db, "public agenda items", `SELECT `+itemCols+`, m.name, m.start_at, m.cancelled FROM `+itemFrom+`
		JOIN meetings m ON m.id = i.meeting_id
		WHERE m.body_id = $1 AND agenda_item_public(i, m)
		ORDER BY m.start_at, m.id, i.position, i.created`, []any{body},
		func(rows pgx.Rows) (PublicItem, error) {
			var pi PublicItem
			var err error
			pi.Item, err = scanItem(rows, &pi.MeetingName, &pi.MeetingStart, &pi.MeetingCancelled)
			return pi, err
		}, fn)
}

// PublicDecisionsOf is PublicDecisions restricted to the meetings of
// organization org: the latest results of public agenda items on public
// papers in its published, not cancelled meetings, newest first.
func (s *Store) PublicDecisionsOf(ctx context.Context, body, org council.ID, limit int) ([]Decision, error) {
	return s.decisions(ctx, "decisions of "+org.String(), `
		  AND EXISTS (SELECT 1 FROM meeting_organizations mo WHERE mo.meeting_id = m.id AND mo.organization_id = $2)`,
		body, org, limit)
}

// OpenDataModified is when the public meeting datasets of a body last
// changed; a zero time means the dataset is empty.
type OpenDataModified struct {
	Meetings    time.Time
	AgendaItems time.Time
}

// OpenDataModified returns when the body's meetings and published public
// agenda items last changed.
func (s *Store) OpenDataModified(ctx context.Context, body council.ID) (OpenDataModified, error) {
	var m OpenDataModified
	var meetings, items *time.Time
	err := s.db.QueryRow(ctx, `SELECT
			(SELECT max(modified) FROM meetings WHERE body_id = $1),
			(SELECT max(i.modified) FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id
				WHERE m.body_id = $1 AND agenda_item_published(i, m))`, body).Scan(&meetings, &items)
	if err != nil {
		return m, fmt.Errorf("open data modified: %w", council.TranslateError(err))
	}
	if meetings != nil {
		m.Meetings = *meetings
	}
	if items != nil {
		m.AgendaItems = *items
	}
	return m, nil
}
