package documents

import (
	"context"
	"fmt"
	"time"

	"github.com/plenar/plenar/council"
)

// ImportedMeta is the metadata an imported File carries at its source.
type ImportedMeta struct {
	Name, License     string
	Date              *time.Time
	Created, Modified time.Time // the source's
	Source            string    // the source's id, for the audit trail
}

// Imported gives the file id, just uploaded for an imported File, the
// source's created and modified, and marks replaces (the local file of an
// older version of the source file; NilID: none) deleted. The files of
// imports are written only here, Upload and SetImported
// (cmd/plenar/oparlimport, docs/OPARL.md "Import").
func (s *Store) Imported(ctx context.Context, id, replaces council.ID, m ImportedMeta) error {
	err := council.Tx(ctx, s.db, func(tx council.DBTXTx) error {
		if _, err := tx.Exec(ctx, `UPDATE files SET created = $2, modified = $3 WHERE id = $1`, id, m.Created, m.Modified); err != nil {
			return council.TranslateError(err)
		}
		if replaces != council.NilID {
			if _, err := tx.Exec(ctx, `UPDATE files SET deleted = true, modified = now() WHERE id = $1`, replaces); err != nil {
				return council.TranslateError(err)
			}
			return council.Record(ctx, tx, "file", replaces, council.OpDelete, map[string]any{"import": m.Source})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("imported file %s: %w", id, err)
	}
	return nil
}

// SetImported sets the metadata of the imported file id (same content as
// before) and adds links (a link already there takes the new role).
func (s *Store) SetImported(ctx context.Context, id council.ID, m ImportedMeta, links []Link) error {
	err := council.Tx(ctx, s.db, func(tx council.DBTXTx) error {
		if _, err := tx.Exec(ctx, `UPDATE files SET name = $2, license = $3, date = $4, modified = greatest($5, modified)
			WHERE id = $1`, id, m.Name, m.License, m.Date, m.Modified); err != nil {
			return council.TranslateError(err)
		}
		for _, l := range links {
			table, col, err := l.Kind.table()
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO `+table+` (`+col+`, file_id, role) VALUES ($1, $2, $3)
				ON CONFLICT (`+col+`, file_id) DO UPDATE SET role = excluded.role`, l.ID, id, l.Role); err != nil {
				return council.TranslateError(err)
			}
		}
		return council.Record(ctx, tx, "file", id, council.OpUpdate, map[string]any{"import": m.Source})
	})
	if err != nil {
		return fmt.Errorf("update imported file %s: %w", id, err)
	}
	return nil
}
