package documents

import (
	"context"

	"github.com/plenar/plenar/council"
)

// touchParents moves the modified time of everything file id is linked to
// (papers, meetings, agenda items and their meetings), in the caller's
// transaction. OParl embeds files in these objects, and a parent's
// modified must move when an embedded child changes; bumping the rows
// keeps list queries on plain indexed columns.
func touchParents(ctx context.Context, tx council.DBTX, id council.ID) error {
	for _, q := range []string{
		`UPDATE papers SET modified = now() WHERE id IN (SELECT paper_id FROM paper_files WHERE file_id = $1)`,
		`UPDATE meetings SET modified = now() WHERE id IN (SELECT meeting_id FROM meeting_files WHERE file_id = $1)
			OR id IN (SELECT i.meeting_id FROM agenda_item_files l JOIN agenda_items i ON i.id = l.agenda_item_id
				WHERE l.file_id = $1)`,
		`UPDATE agenda_items SET modified = now() WHERE id IN (SELECT agenda_item_id FROM agenda_item_files WHERE file_id = $1)`,
	} {
		if _, err := tx.Exec(ctx, q, id); err != nil {
			return council.TranslateError(err)
		}
	}
	return nil
}
