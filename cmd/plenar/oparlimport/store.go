package oparlimport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/plenar/plenar/council"
)

// tables names the table of each entity.
var tables = map[string]string{"body": "bodies", "legislative_term": "legislative_terms", "location": "locations",
	"organization": "organizations", "person": "persons", "membership": "memberships", "meeting": "meetings",
	"agenda_item": "agenda_items", "paper": "papers", "consultation": "consultations"}

// mapping is the import_sources row of a source URL.
type mapping struct {
	id       string
	entity   string
	modified *time.Time
}

func (im *importer) lookup(ctx context.Context, u string) (mapping, bool) {
	var m mapping
	err := im.opt.DB.QueryRow(ctx, `SELECT local_id::text, entity, source_modified FROM import_sources WHERE source_url = $1`,
		u).Scan(&m.id, &m.entity, &m.modified)
	return m, err == nil
}

// save writes one object and its mapping row in one transaction: an
// update of the mapped row, or an insert with a new id. after runs in the
// same transaction (link tables).
func (im *importer) save(ctx context.Context, o obj, entity string, cols []string, vals []any,
	after func(tx pgx.Tx, id string) error) (string, error) {
	created, modified := o.datetime("created"), o.datetime("modified")
	if created.IsZero() {
		created = time.Now()
	}
	if modified.IsZero() {
		modified = created
	}
	var srcMod *time.Time
	if t := o.datetime("modified"); !t.IsZero() {
		srcMod = &t
	}
	table := tables[entity]
	var id string
	err := pgx.BeginFunc(ctx, im.opt.DB, func(tx pgx.Tx) error {
		op := council.OpUpdate
		err := tx.QueryRow(ctx, `SELECT local_id::text FROM import_sources WHERE source_url = $1 FOR UPDATE`, o.url).Scan(&id)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		args := append([]any{nil}, vals...)
		args = append(args, created, modified)
		all := append(append([]string{}, cols...), "created", "modified")
		updated := false
		if id != "" {
			set := make([]string, len(all))
			for i, c := range all {
				set[i] = fmt.Sprintf("%s = $%d", c, i+2)
			}
			args[0] = id
			tag, err := tx.Exec(ctx, `UPDATE `+table+` SET `+strings.Join(set, ", ")+`, deleted = false WHERE id = $1`, args...)
			if err != nil {
				return err
			}
			updated = tag.RowsAffected() == 1
		} else {
			id = uuid.NewString()
		}
		if !updated {
			op = council.OpCreate
			args[0] = id
			ph := make([]string, len(all)+1)
			for i := range ph {
				ph[i] = fmt.Sprintf("$%d", i+1)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO `+table+` (id, `+strings.Join(all, ", ")+`) VALUES (`+strings.Join(ph, ", ")+`)`,
				args...); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO import_sources (source_url, entity, local_id, source_modified) VALUES ($1, $2, $3, $4)
			ON CONFLICT (source_url) DO UPDATE SET entity = $2, local_id = $3, source_modified = $4, imported = now()`,
			o.url, entity, id, srcMod); err != nil {
			return err
		}
		if after != nil {
			if err := after(tx, id); err != nil {
				return err
			}
		}
		return council.Record(ctx, tx, entity, uuid.MustParse(id), op, map[string]any{"import": o.url})
	})
	if err != nil {
		return "", fmt.Errorf("save %s: %w", entity, err)
	}
	im.sum.Imported[entity]++
	return id, nil
}

// saved turns a failed save into a problem of the object.
func (im *importer) saved(ctx context.Context, o obj, id string, err error) (string, error) {
	if err == nil {
		return id, nil
	}
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	o.problem("rejected", err.Error())
	return "", nil
}

func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// markDeleted soft-deletes the row mapped to o's URL.
func (im *importer) markDeleted(ctx context.Context, o obj) error {
	m, ok := im.lookup(ctx, o.url)
	if !ok {
		if _, err := im.opt.DB.Exec(ctx, `UPDATE import_files SET deleted = true, modified = now() WHERE source_url = $1`, o.url); err != nil {
			return fmt.Errorf("delete file: %w", err)
		}
		return nil // never imported: nothing to delete
	}
	if m.modified != nil {
		if t := o.datetime("modified"); !t.IsZero() && !t.After(*m.modified) {
			im.sum.Unchanged[m.entity]++
			return nil
		}
	}
	table := tables[m.entity]
	if table == "" {
		return nil
	}
	mod := o.datetime("modified")
	if mod.IsZero() {
		mod = time.Now()
	}
	err := pgx.BeginFunc(ctx, im.opt.DB, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE `+table+` SET deleted = true, modified = $2 WHERE id = $1`, m.id, mod); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE import_sources SET source_modified = $2, imported = now() WHERE source_url = $1`,
			o.url, mod); err != nil {
			return err
		}
		return council.Record(ctx, tx, m.entity, uuid.MustParse(m.id), council.OpDelete, map[string]any{"import": o.url})
	})
	if err != nil {
		o.problem("rejected", fmt.Sprintf("delete: %v", err))
		return nil
	}
	im.sum.Deleted[m.entity]++
	return nil
}

// fileLink ties imported file metadata to a local object.
type fileLink struct {
	Entity string `json:"entity"`
	ID     string `json:"id"`
	Role   string `json:"role"`
}

// saveFile upserts File metadata with links merged into earlier ones.
func (im *importer) saveFile(ctx context.Context, o obj, links []fileLink) error {
	if links == nil {
		links = []fileLink{}
	}
	lj, err := json.Marshal(links)
	if err != nil {
		return fmt.Errorf("file links: %w", err)
	}
	var size *int64
	if n, ok := o.integer("size"); ok && n > 0 {
		s := int64(n)
		size = &s
	}
	created, modified := o.datetime("created"), o.datetime("modified")
	if created.IsZero() {
		created = time.Now()
	}
	if modified.IsZero() {
		modified = created
	}
	access := o.link("accessUrl")
	if access == "" {
		o.problem("missing-access-url", "File without a usable accessUrl")
	}
	_, err = im.opt.DB.Exec(ctx, `INSERT INTO import_files (source_url, name, file_name, mime_type, size, sha512,
			access_url, download_url, date, license, links, created, modified)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (source_url) DO UPDATE SET name = $2, file_name = $3, mime_type = $4, size = $5, sha512 = $6,
			access_url = $7, download_url = $8, date = $9, license = $10,
			links = (SELECT coalesce(jsonb_agg(DISTINCT e), '[]') FROM jsonb_array_elements(import_files.links || $11) e),
			created = $12, modified = $13, deleted = false`,
		o.url, o.str("name"), o.str("fileName"), o.str("mimeType"), size, strings.ToLower(o.str("sha512Checksum")),
		access, o.link("downloadUrl"), o.date("date"), o.link("fileLicense"), lj, created, modified)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		o.problem("rejected", fmt.Sprintf("file: %v", err))
		return nil
	}
	im.sum.Imported["file"]++
	return nil
}
