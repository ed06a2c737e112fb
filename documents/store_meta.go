package documents

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/plenar/plenar/council"
)

// SetMeta changes the title, licence and date (zero: none) of file id.
// Errors: ErrInvalid (too long), ErrNotFound.
func (s *Store) SetMeta(ctx context.Context, id council.ID, name, license string, date time.Time) error {
	name, license = strings.TrimSpace(name), strings.TrimSpace(license)
	fe := council.FieldErrors{}
	if len(name) > 1000 {
		fe.Add("name", council.MsgTooLong)
	}
	if len(license) > 1000 {
		fe.Add("license", council.MsgTooLong)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return s.update(ctx, id, `name = $2, license = $3, date = $4`,
		map[string]any{"name": name, "license": license, "date": dateString(date)}, name, license, nullDate(date))
}

func dateString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

// FilesOf returns the files attached to each of ids (papers, meetings or
// agenda items of kind), deleted ones excluded, oldest first, in one query.
func (s *Store) FilesOf(ctx context.Context, kind LinkKind, ids []council.ID) (map[council.ID][]Listed, error) {
	table, col, err := kind.table()
	if err != nil {
		return nil, err
	}
	return council.ByOwner(ctx, s.db, fmt.Sprintf("files of %d %s", len(ids), kind),
		`SELECT l.`+col+`, f.id, f.name, f.file_name, f.mime_type, f.size, f.sha512, f.date, f.license, f.public,
			f.master_id, f.text IS NOT NULL, f.created, f.modified, f.deleted, l.role,
			coalesce(j.status, ''), coalesce(j.attempts, 0), coalesce(j.method, ''), coalesce(j.pages, 0), coalesce(j.last_error, '')
		FROM `+table+` l JOIN files f ON f.id = l.file_id LEFT JOIN file_text_jobs j ON j.file_id = f.id
		WHERE l.`+col+` = ANY($1) AND NOT f.deleted ORDER BY f.created, f.id`, ids,
		func(rows pgx.Rows) (council.ID, Listed, error) {
			var owner council.ID
			var x Listed
			var date pgtype.Date
			var master *council.ID
			f := &x.File
			if err := rows.Scan(&owner, &f.ID, &f.Name, &f.FileName, &f.MIMEType, &f.Size, &f.SHA512, &date, &f.License,
				&f.Public, &master, &f.HasText, &f.Created, &f.Modified, &f.Deleted, &x.Role,
				&x.Job.Status, &x.Job.Attempts, &x.Job.Method, &x.Job.Pages, &x.Job.LastError); err != nil {
				return owner, x, err
			}
			if date.Valid {
				f.Date = date.Time
			}
			if master != nil {
				f.MasterID = *master
			}
			x.Job.FileID = f.ID
			return owner, x, nil
		})
}

// Latest drops from list the files that a newer version in list replaces
// (those named as another listed file's MasterID), keeping the order.
func Latest(list []Listed) []Listed {
	replaced := map[council.ID]bool{}
	for _, x := range list {
		if x.MasterID != council.NilID {
			replaced[x.MasterID] = true
		}
	}
	out := make([]Listed, 0, len(list))
	for _, x := range list {
		if !replaced[x.ID] {
			out = append(out, x)
		}
	}
	return out
}
