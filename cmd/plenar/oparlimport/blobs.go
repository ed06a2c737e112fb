package oparlimport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
)

// pendingFile is an import_files row whose blob is to be downloaded (or
// whose local file is to be updated or deleted).
type pendingFile struct {
	sourceURL, name, fileName, sha512, access, download, license string
	date                                                         *time.Time
	links                                                        []fileLink
	fileID                                                       *council.ID
	created, modified                                            time.Time
	deleted                                                      bool
	localSHA512                                                  string
	changed                                                      bool // the source changed since the download
}

// downloadFiles brings the local files in line with import_files: it
// downloads the blobs of new and changed files into the documents store
// (linked to the imported paper, meeting or agenda item in their roles),
// links known files to objects they were newly found at, and deletes the
// local files of deleted sources. A file whose download or check fails is
// logged and counted; it stays pending and the next run tries again.
func (im *importer) downloadFiles(ctx context.Context) error {
	rows, err := im.opt.DB.Query(ctx, `SELECT i.source_url, i.name, i.file_name, i.sha512, i.access_url, i.download_url,
			i.license, i.date, i.links, i.file_id, i.created, i.modified, i.deleted,
			coalesce(f.sha512, ''), coalesce(i.modified > f.modified, false)
		FROM import_files i LEFT JOIN files f ON f.id = i.file_id
		WHERE (i.file_id IS NULL AND NOT i.deleted)
			OR (i.file_id IS NOT NULL AND i.deleted AND NOT f.deleted)
			OR (i.file_id IS NOT NULL AND NOT i.deleted AND NOT f.deleted AND i.modified > f.modified)
			OR (i.file_id IS NOT NULL AND NOT i.deleted AND NOT f.deleted AND EXISTS (SELECT 1 FROM jsonb_array_elements(i.links) l
				WHERE NOT EXISTS (SELECT 1 FROM paper_files x WHERE l->>'entity' = 'paper' AND x.paper_id = (l->>'id')::uuid AND x.file_id = i.file_id)
				AND NOT EXISTS (SELECT 1 FROM meeting_files x WHERE l->>'entity' = 'meeting' AND x.meeting_id = (l->>'id')::uuid AND x.file_id = i.file_id)
				AND NOT EXISTS (SELECT 1 FROM agenda_item_files x WHERE l->>'entity' = 'agenda_item' AND x.agenda_item_id = (l->>'id')::uuid AND x.file_id = i.file_id)))
		ORDER BY i.created, i.source_url`)
	if err != nil {
		return dbError{fmt.Errorf("pending files: %w", err)}
	}
	pending, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pendingFile, error) {
		var p pendingFile
		var lj []byte
		err := r.Scan(&p.sourceURL, &p.name, &p.fileName, &p.sha512, &p.access, &p.download, &p.license, &p.date, &lj,
			&p.fileID, &p.created, &p.modified, &p.deleted, &p.localSHA512, &p.changed)
		if err == nil {
			err = json.Unmarshal(lj, &p.links)
		}
		return p, err
	})
	if err != nil {
		return dbError{fmt.Errorf("pending files: %w", err)}
	}
	for _, p := range pending {
		if err := im.syncFile(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// syncFile handles one pending file; only context and database errors
// are returned.
func (im *importer) syncFile(ctx context.Context, p pendingFile) error {
	links := documentLinks(p.links)
	switch {
	case p.deleted && p.fileID != nil:
		if err := im.opt.Docs.Delete(ctx, *p.fileID); err != nil && !errors.Is(err, council.ErrNotFound) {
			return dbError{fmt.Errorf("delete file %s: %w", p.sourceURL, err)}
		}
		im.sum.Deleted["file_blob"]++
		return nil
	case p.fileID != nil && (!p.changed || (p.sha512 != "" && p.sha512 == p.localSHA512)):
		// Same content: new metadata and links only.
		return im.updateFile(ctx, p, *p.fileID, links)
	}
	f := documents.File{Name: clip(p.name, 1000), FileName: p.fileName, License: clip(p.license, 1000), Public: true}
	if f.FileName == "" {
		f.FileName = fileNameOf(p.download, p.access)
	}
	if p.date != nil {
		f.Date = *p.date
	}
	if p.fileID != nil {
		f.MasterID = *p.fileID // a new version of the file downloaded before
	}
	var created documents.File
	var lastErr error
	urls := []string{p.download, p.access}
	if p.download == "" || p.download == p.access {
		urls = []string{p.access}
	}
	for _, u := range urls {
		if u == "" {
			continue
		}
		created, lastErr = im.fetchBlob(ctx, u, f, links)
		if lastErr == nil || ctx.Err() != nil || isDBError(lastErr) {
			break
		}
	}
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case lastErr == nil && created.ID == council.NilID:
		im.problem(p.sourceURL, "file-download-failed", "File without accessUrl or downloadUrl")
		return nil
	case errors.Is(lastErr, council.ErrInvalid):
		im.problem(p.sourceURL, "file-rejected", lastErr.Error())
		return nil
	case lastErr != nil && isDBError(lastErr):
		return lastErr
	case lastErr != nil:
		im.problem(p.sourceURL, "file-download-failed", lastErr.Error())
		return nil
	}
	if p.sha512 != "" && p.sha512 != created.SHA512 {
		im.problem(p.sourceURL, "file-checksum", fmt.Sprintf("sha512Checksum %s… differs from the downloaded %s…",
			p.sha512[:min(12, len(p.sha512))], created.SHA512[:12]))
	}
	err := pgx.BeginFunc(ctx, im.opt.DB, func(tx pgx.Tx) error {
		// The source's times, as for every imported object.
		if _, err := tx.Exec(ctx, `UPDATE files SET created = $2, modified = $3 WHERE id = $1`,
			created.ID, p.created, p.modified); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE import_files SET file_id = $2 WHERE source_url = $1`, p.sourceURL, created.ID); err != nil {
			return err
		}
		if p.fileID != nil {
			if _, err := tx.Exec(ctx, `UPDATE files SET deleted = true, modified = now() WHERE id = $1`, *p.fileID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return dbError{fmt.Errorf("file %s: %w", p.sourceURL, err)}
	}
	im.sum.Imported["file_blob"]++
	return nil
}

// linkTables are the link table and key column per kind.
var linkTables = map[documents.LinkKind][2]string{documents.LinkPaper: {"paper_files", "paper_id"},
	documents.LinkMeeting: {"meeting_files", "meeting_id"}, documents.LinkAgendaItem: {"agenda_item_files", "agenda_item_id"}}

// updateFile sets the metadata of the local file id and adds links.
func (im *importer) updateFile(ctx context.Context, p pendingFile, id council.ID, links []documents.Link) error {
	err := pgx.BeginFunc(ctx, im.opt.DB, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE files SET name = $2, license = $3, date = $4, modified = greatest($5, modified)
			WHERE id = $1`, id, clip(p.name, 1000), clip(p.license, 1000), p.date, p.modified); err != nil {
			return err
		}
		for _, l := range links {
			tc := linkTables[l.Kind]
			table, col := tc[0], tc[1]
			if _, err := tx.Exec(ctx, `INSERT INTO `+table+` (`+col+`, file_id, role) VALUES ($1, $2, $3)
				ON CONFLICT (`+col+`, file_id) DO UPDATE SET role = excluded.role`, l.ID, id, l.Role); err != nil {
				return err
			}
		}
		return council.Record(ctx, tx, "file", id, council.OpUpdate, map[string]any{"import": p.sourceURL})
	})
	if err != nil {
		return dbError{fmt.Errorf("update file %s: %w", p.sourceURL, err)}
	}
	im.sum.Imported["file_blob"]++
	return nil
}

// fetchBlob downloads u into the documents store, retrying server errors
// with backoff like get. The body streams into Upload, which checks the
// content; a download that breaks off stores nothing.
func (im *importer) fetchBlob(ctx context.Context, u string, f documents.File, links []documents.Link) (documents.File, error) {
	wait := im.opt.Backoff
	for attempt := 1; ; attempt++ {
		created, retry, err := im.fetchBlobOnce(ctx, u, f, links)
		if err == nil || !retry {
			return created, err
		}
		if attempt >= im.opt.Retries {
			return documents.File{}, fmt.Errorf("%s: giving up after %d attempts: %w", u, attempt, err)
		}
		im.problem(u, "http-retry", fmt.Sprintf("attempt %d: %v; retrying in %s", attempt, err, wait))
		select {
		case <-ctx.Done():
			return documents.File{}, ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

func (im *importer) fetchBlobOnce(ctx context.Context, u string, f documents.File, links []documents.Link) (documents.File, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return documents.File{}, false, fmt.Errorf("%s: %w", u, err)
	}
	req.Header.Set("User-Agent", "plenar-import")
	res, err := im.opt.Client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return documents.File{}, false, ctx.Err()
		}
		return documents.File{}, true, fmt.Errorf("%s: %w", u, err)
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests:
		return documents.File{}, true, fmt.Errorf("%s: status %d", u, res.StatusCode)
	case res.StatusCode != http.StatusOK:
		return documents.File{}, false, fmt.Errorf("%s: status %d", u, res.StatusCode)
	}
	created, err := im.opt.Docs.Upload(ctx, res.Body, f, links)
	if err != nil {
		var rej *documents.Rejection
		if errors.As(err, &rej) || errors.Is(err, council.ErrInvalid) || errors.Is(err, council.ErrNotFound) {
			return documents.File{}, false, fmt.Errorf("%s: %w", u, err)
		}
		if ctx.Err() != nil {
			return documents.File{}, false, ctx.Err()
		}
		// A body that broke off, or a blob/database failure: try again.
		return documents.File{}, true, fmt.Errorf("%s: %w", u, err)
	}
	return created, false, nil
}

// documentLinks turns import links into document links, one per target
// (a specific role wins over auxiliary).
func documentLinks(ls []fileLink) []documents.Link {
	var out []documents.Link
	at := map[string]int{}
	for _, l := range ls {
		kind, err := documents.ParseLinkKind(l.Entity)
		id, perr := council.ParseID(l.ID)
		if err != nil || perr != nil {
			continue
		}
		role := l.Role
		if role == "" {
			role = documents.RoleAuxiliary
		}
		key := l.Entity + "/" + l.ID
		if i, ok := at[key]; ok {
			if out[i].Role == documents.RoleAuxiliary {
				out[i].Role = role
			}
			continue
		}
		at[key] = len(out)
		out = append(out, documents.Link{Kind: kind, ID: id, Role: role})
	}
	return out
}

// fileNameOf takes a file name from the last path segment of the first
// usable URL.
func fileNameOf(urls ...string) string {
	for _, u := range urls {
		if p, err := url.Parse(u); err == nil {
			if b := path.Base(p.Path); b != "" && b != "/" && b != "." {
				return b
			}
		}
	}
	return ""
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	for len(s) > n {
		s = s[:n]
		s = strings.ToValidUTF8(s, "")
	}
	return s
}
