package demo

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
)

// recordingFS holds the demo recording: a Chromium test pattern and tone
// per item, written by Plenar's recorder (meetings/sfu/record/gendemo).
//
//go:embed recording/*.webm
var recordingFS embed.FS

// SeedRecording gives the demo city's latest closed meeting a recorded
// session: one segment for each of its first three public items. It does
// nothing when a recording exists already or the database holds no demo
// city.
func SeedRecording(ctx context.Context, pool *pgxpool.Pool, fs *documents.Store) (int, error) {
	var meeting council.ID
	var start time.Time
	err := pool.QueryRow(ctx, `SELECT m.id, m.start_at FROM meetings m JOIN bodies b ON b.id = m.body_id
		WHERE b.website = $1 AND m.state = 'closed' AND NOT m.deleted
			AND NOT EXISTS (SELECT 1 FROM recordings) ORDER BY m.start_at DESC LIMIT 1`, demoWebsite).Scan(&meeting, &start)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil // no demo city, no closed meeting, or already recorded: nothing to do
	}
	if err != nil {
		return 0, fmt.Errorf("demo recording: %w", err)
	}
	rows, err := pool.Query(ctx, `SELECT i.id FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id
		WHERE i.meeting_id = $1 AND agenda_item_public(i, m) ORDER BY i.position LIMIT 3`, meeting)
	if err != nil {
		return 0, fmt.Errorf("demo recording: %w", err)
	}
	var items []council.ID
	for rows.Next() {
		var id council.ID
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("demo recording: %w", err)
		}
		items = append(items, id)
	}
	rows.Close()
	dir, err := os.MkdirTemp("", "plenar-demo-recording-")
	if err != nil {
		return 0, fmt.Errorf("demo recording: %w", err)
	}
	defer os.RemoveAll(dir)
	at := start
	for i, item := range items {
		b, err := recordingFS.ReadFile(fmt.Sprintf("recording/top-%d.webm", i+1))
		if err != nil {
			return i, fmt.Errorf("demo recording: %w", err)
		}
		p := filepath.Join(dir, fmt.Sprintf("top-%d.webm", i+1))
		if err := os.WriteFile(p, b, 0o600); err != nil {
			return i, fmt.Errorf("demo recording: %w", err)
		}
		const length = 3850 * time.Millisecond
		if _, err := fs.AddRecording(ctx, documents.NewRecording{MeetingID: meeting, ItemID: item, Started: at,
			Duration: length, Width: 320, Height: 180, Path: p}); err != nil {
			return i, fmt.Errorf("demo recording: %w", err)
		}
		at = at.Add(length)
	}
	return len(items), nil
}
