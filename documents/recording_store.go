package documents

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
)

// Recording is one segment of a recorded session (docs/ARCHITECTURE.md,
// "Recording"): a WebM blob in the content-addressed store, the stretch of
// one agenda item in the public part.
type Recording struct {
	ID        council.ID
	MeetingID council.ID
	ItemID    council.ID // NilID: before the first item
	Started   time.Time
	Duration  time.Duration
	MIMEType  string
	Size      int64
	SHA512    string
	Width     int
	Height    int
	// ItemNumber and ItemTitle are the agenda item's (lists only).
	ItemNumber, ItemTitle string
	council.Meta
}

// NewRecording is a finished segment to store.
type NewRecording struct {
	MeetingID     council.ID
	ItemID        council.ID
	Started       time.Time
	Duration      time.Duration
	Width, Height int
	// Path is the segment file; AddRecording copies it into the store and
	// leaves it in place.
	Path string
}

const recordingCols = `r.id, r.meeting_id, r.agenda_item_id, r.started, r.duration_ms, r.mime_type, r.size, r.sha512,
	r.width, r.height, coalesce(i.number, ''), coalesce(i.name, ''), r.created, r.modified, r.deleted`

func scanRecording(row pgx.Row) (Recording, error) {
	var r Recording
	var item *council.ID
	var ms int64
	err := row.Scan(&r.ID, &r.MeetingID, &item, &r.Started, &ms, &r.MIMEType, &r.Size, &r.SHA512,
		&r.Width, &r.Height, &r.ItemNumber, &r.ItemTitle, &r.Created, &r.Modified, &r.Deleted)
	r.ItemID = council.IDOf(item)
	r.Duration = time.Duration(ms) * time.Millisecond
	return r, err
}

// AddRecording copies the segment file into the blob store and writes its
// row, with an outbox/audit record. Errors: ErrInvalid (an empty file),
// ErrNotFound (unknown meeting or item), ErrUnavailable (no data
// directory).
func (s *Store) AddRecording(ctx context.Context, n NewRecording) (Recording, error) {
	f, err := os.Open(n.Path)
	if err != nil {
		return Recording{}, fmt.Errorf("recording segment: %w", err)
	}
	defer f.Close()
	t, err := s.blobs.Write(f, math.MaxInt64-1)
	if err != nil {
		return Recording{}, err
	}
	defer t.Discard()
	if t.Blob().Size == 0 {
		return Recording{}, fmt.Errorf("%w: empty recording", council.ErrInvalid)
	}
	b, err := t.Commit()
	if err != nil {
		return Recording{}, err
	}
	var r Recording
	err = council.Tx(ctx, s.db, func(tx pgx.Tx) error {
		var id council.ID
		if err := tx.QueryRow(ctx, `INSERT INTO recordings (meeting_id, agenda_item_id, started, duration_ms, size, sha512, width, height)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			n.MeetingID, council.NullID(n.ItemID), n.Started, n.Duration.Milliseconds(), b.Size, b.SHA512, n.Width, n.Height).Scan(&id); err != nil {
			return council.TranslateError(err)
		}
		var err error
		if r, err = scanRecording(tx.QueryRow(ctx, `SELECT `+recordingCols+` FROM recordings r
			LEFT JOIN agenda_items i ON i.id = r.agenda_item_id WHERE r.id = $1`, id)); err != nil {
			return council.TranslateError(err)
		}
		return council.Record(ctx, tx, "recording", id, council.OpCreate, map[string]any{
			"meeting_id": n.MeetingID, "agenda_item_id": council.NullID(n.ItemID), "started": n.Started,
			"duration_ms": n.Duration.Milliseconds(), "size": b.Size, "sha512": b.SHA512})
	})
	if err != nil {
		return Recording{}, fmt.Errorf("add recording of meeting %s: %w", n.MeetingID, err)
	}
	return r, nil
}

// recordingsFrom is where a reader selects recordings: everything not
// deleted for staff, the view public_recordings
// (migrations/sql/00017_recordings.sql) for everyone else.
func recordingsFrom(staff bool) string {
	if staff {
		return `recordings r`
	}
	return `public_recordings r`
}

// Recordings lists the meeting's recordings the viewer may see (staff:
// all; otherwise public_recordings) in time order, with their items'
// numbers and titles (the chapters).
func (s *Store) Recordings(ctx context.Context, meetingID council.ID, staff bool) ([]Recording, error) {
	rows, err := s.db.Query(ctx, `SELECT `+recordingCols+` FROM `+recordingsFrom(staff)+`
		LEFT JOIN agenda_items i ON i.id = r.agenda_item_id
		WHERE r.meeting_id = $1 AND NOT r.deleted ORDER BY r.started, r.id`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("recordings of meeting %s: %w", meetingID, council.TranslateError(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Recording, error) { return scanRecording(row) })
	if err != nil {
		return nil, fmt.Errorf("recordings of meeting %s: %w", meetingID, council.TranslateError(err))
	}
	return out, nil
}

// RecordingsOfItems lists the recordings of the agenda items items as
// Recordings does (staff: every one, else the public's), in one
// statement, by start.
func (s *Store) RecordingsOfItems(ctx context.Context, items []council.ID, staff bool) ([]Recording, error) {
	if len(items) == 0 {
		return nil, nil
	}
	rows, err := s.db.Query(ctx, `SELECT `+recordingCols+` FROM `+recordingsFrom(staff)+`
		LEFT JOIN agenda_items i ON i.id = r.agenda_item_id
		WHERE r.agenda_item_id = ANY($1) AND NOT r.deleted ORDER BY r.started, r.id`, items)
	if err != nil {
		return nil, fmt.Errorf("recordings of items: %w", council.TranslateError(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Recording, error) { return scanRecording(row) })
	if err != nil {
		return nil, fmt.Errorf("recordings of items: %w", council.TranslateError(err))
	}
	return out, nil
}

// Recording returns one recording of the meeting if the viewer may see it
// (as Recordings). Errors: ErrNotFound (also when hidden).
func (s *Store) Recording(ctx context.Context, meetingID, id council.ID, staff bool) (Recording, error) {
	r, err := scanRecording(s.db.QueryRow(ctx, `SELECT `+recordingCols+` FROM `+recordingsFrom(staff)+`
		LEFT JOIN agenda_items i ON i.id = r.agenda_item_id
		WHERE r.id = $1 AND r.meeting_id = $2 AND NOT r.deleted`, id, meetingID))
	if err != nil {
		return Recording{}, fmt.Errorf("recording %s: %w", id, council.TranslateError(err))
	}
	return r, nil
}

// OpenRecording opens the blob of r. Errors: ErrNotFound (blob missing),
// ErrUnavailable (no data directory).
func (s *Store) OpenRecording(r Recording) (*os.File, error) { return s.blobs.Open(r.SHA512) }

// Retention says how long recordings are kept (PLENAR_RECORDING_RETENTION).
// The zero value keeps them.
type Retention struct {
	// UntilMinutes: until the meeting's minutes are out (a results
	// protocol is attached to the meeting).
	UntilMinutes bool
	// For: this long after the session (0: no limit).
	For time.Duration
}

// ParseRetention reads "" or "forever" (keep), "until-minutes", "Ny"
// (years) or "Nd" (days). Errors: ErrInvalid.
func ParseRetention(s string) (Retention, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "", "forever":
		return Retention{}, nil
	case "until-minutes":
		return Retention{UntilMinutes: true}, nil
	}
	if len(s) > 1 {
		n, err := strconv.Atoi(s[:len(s)-1])
		if err == nil && n > 0 && n < 1000 {
			switch s[len(s)-1] {
			case 'y':
				return Retention{For: time.Duration(n) * 365 * 24 * time.Hour}, nil
			case 'd':
				return Retention{For: time.Duration(n) * 24 * time.Hour}, nil
			}
		}
	}
	return Retention{}, fmt.Errorf("%w: recording retention %q: want forever, until-minutes, <N>y or <N>d", council.ErrInvalid, s)
}

// String is the setting's form.
func (r Retention) String() string {
	switch {
	case r.UntilMinutes:
		return "until-minutes"
	case r.For <= 0:
		return "forever"
	case r.For%(365*24*time.Hour) == 0:
		return strconv.Itoa(int(r.For/(365*24*time.Hour))) + "y"
	}
	return strconv.Itoa(int(r.For/(24*time.Hour))) + "d"
}

// ExpireRecordings deletes the recordings that ret no longer keeps at
// now: their rows (with an outbox/audit record each) and then their
// blobs, unless another row still names the blob. It returns what it
// deleted.
func (s *Store) ExpireRecordings(ctx context.Context, now time.Time, ret Retention) ([]Recording, error) {
	if !ret.UntilMinutes && ret.For <= 0 {
		return nil, nil
	}
	var gone []Recording
	err := council.Tx(ctx, s.db, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+recordingCols+` FROM recordings r
			LEFT JOIN agenda_items i ON i.id = r.agenda_item_id
			WHERE ($1 AND EXISTS (SELECT 1 FROM meeting_files l JOIN files f ON f.id = l.file_id
					WHERE l.meeting_id = r.meeting_id AND l.role = 'results_protocol' AND NOT f.deleted))
				OR ($2 > 0 AND r.started < $3::timestamptz - make_interval(secs => $2))
			ORDER BY r.started FOR UPDATE OF r`, ret.UntilMinutes, ret.For.Seconds(), now)
		if err != nil {
			return council.TranslateError(err)
		}
		if gone, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Recording, error) { return scanRecording(row) }); err != nil {
			return council.TranslateError(err)
		}
		for _, r := range gone {
			if _, err := tx.Exec(ctx, `DELETE FROM recordings WHERE id = $1`, r.ID); err != nil {
				return council.TranslateError(err)
			}
			if err := council.Record(ctx, tx, "recording", r.ID, council.OpDelete, map[string]any{
				"meeting_id": r.MeetingID, "retention": ret.String()}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("expire recordings: %w", err)
	}
	for _, r := range gone {
		var named bool
		if err := s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM recordings WHERE sha512 = $1)
			OR EXISTS (SELECT 1 FROM files WHERE sha512 = $1)`, r.SHA512).Scan(&named); err != nil {
			return gone, fmt.Errorf("expire recordings: %w", council.TranslateError(err))
		}
		if named {
			continue
		}
		p, err := s.blobs.Path(r.SHA512)
		if err != nil {
			return gone, err
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return gone, fmt.Errorf("expire recordings: %w", err)
		}
	}
	return gone, nil
}
