package oparlimport

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
)

// mapping is the import_sources row of a source URL.
type mapping struct {
	id       string
	entity   string
	modified *time.Time
	hash     string
}

func (im *importer) lookup(ctx context.Context, u string) (mapping, bool) {
	m, ok, err := im.council.Lookup(ctx, u)
	if err != nil || !ok {
		return mapping{}, false
	}
	return mapping{id: m.ID.String(), entity: m.Entity, modified: m.Modified, hash: m.Hash}, true
}

// source is where o came from, for the import stores.
func (im *importer) source(o obj) council.ImportSource {
	src := council.ImportSource{URL: o.url, Web: o.link("web"), Hash: hashOf(o.m)}
	if t := o.datetime("modified"); !t.IsZero() {
		src.Modified = &t
	}
	return src
}

// hashOf is a digest of a source object's JSON (keys sorted by
// encoding/json), to skip unchanged objects that carry no modified.
func hashOf(m map[string]any) string {
	b, err := json.Marshal(m)
	if err != nil {
		return ""
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:16])
}

// meta is the source's created and modified of o (now when absent).
func meta(o obj) council.Meta {
	created, modified := o.datetime("created"), o.datetime("modified")
	if created.IsZero() {
		created = time.Now()
	}
	if modified.IsZero() {
		modified = created
	}
	return council.Meta{Created: created, Modified: modified}
}

// pid parses a local id kept as text; "" is NilID.
func pid(s string) council.ID {
	id, err := council.ParseID(s)
	if err != nil {
		return council.NilID
	}
	return id
}

// stored turns what an import store returned into the importer's result:
// the local id, counted as imported for entity.
func (im *importer) stored(entity string, id council.ID, err error) (string, error) {
	if err != nil {
		return "", err
	}
	im.sum.Imported[entity]++
	return id.String(), nil
}

// saved turns a failed save into a problem of the object: the import store
// refused it (its validation, a constraint) and it counts as failed; the
// run goes on. Only context and connection failures end the run.
func (im *importer) saved(ctx context.Context, o obj, entity, id string, err error) (string, error) {
	if err == nil {
		return id, nil
	}
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	if errors.Is(err, council.ErrUnavailable) {
		return "", dbError{err}
	}
	im.sum.Failed[entity]++
	o.problem("rejected", err.Error())
	return "", nil
}

// markDeleted marks the row mapped to o's URL deleted (or its file
// metadata, for a File).
func (im *importer) markDeleted(ctx context.Context, o obj) error {
	m, ok := im.lookup(ctx, o.url)
	if !ok {
		if err := im.deleteFileMeta(ctx, o.url); err != nil {
			return dbError{err}
		}
		return nil // never imported: nothing to delete
	}
	if m.modified != nil {
		if t := o.datetime("modified"); !t.IsZero() && !t.After(*m.modified) {
			im.sum.Unchanged[m.entity]++
			return nil
		}
	}
	src := council.ImportSource{URL: o.url}
	if t := o.datetime("modified"); !t.IsZero() {
		src.Modified = &t
	}
	return im.deleteSource(ctx, src, m.entity)
}

// deleteSource marks the object imported from src deleted through the
// import store of its package.
func (im *importer) deleteSource(ctx context.Context, src council.ImportSource, entity string) error {
	var ok bool
	var err error
	if ok, err = im.council.Delete(ctx, src, entity); err == nil && !ok {
		ok, err = im.meetings.Delete(ctx, src, entity)
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		im.problem(src.URL, "rejected", fmt.Sprintf("delete: %v", err))
		return nil
	}
	if ok {
		im.sum.Deleted[entity]++
	}
	return nil
}

// fileLink ties imported file metadata to a local object.
type fileLink struct {
	Entity string `json:"entity"`
	ID     string `json:"id"`
	Role   string `json:"role"`
}

// deleteFileMeta marks the import_files row of u deleted.
func (im *importer) deleteFileMeta(ctx context.Context, u string) error {
	if _, err := im.opt.DB.Exec(ctx, `UPDATE import_files SET deleted = true, modified = now() WHERE source_url = $1`, u); err != nil {
		return fmt.Errorf("delete file: %w", err)
	}
	return nil
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

// pendingFiles are the import_files rows whose local file is to be
// downloaded, updated or deleted.
func (im *importer) pendingFiles(ctx context.Context) ([]pendingFile, error) {
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
		ORDER BY i.attempts, i.created, i.source_url`)
	if err != nil {
		return nil, dbError{fmt.Errorf("pending files: %w", err)}
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
		return nil, dbError{fmt.Errorf("pending files: %w", err)}
	}
	return pending, nil
}

// deferFiles marks the files still to download as left to the
// background job (--files=later).
func (im *importer) deferFiles(ctx context.Context) error {
	if _, err := im.opt.DB.Exec(ctx, `UPDATE import_files SET deferred = true WHERE file_id IS NULL AND NOT deleted`); err != nil {
		return dbError{fmt.Errorf("defer files: %w", err)}
	}
	return nil
}

// filePending reports whether the File at u still waits for its blob.
func (im *importer) filePending(ctx context.Context, u string) (bool, error) {
	var n int
	err := im.opt.DB.QueryRow(ctx, `SELECT count(*) FROM import_files WHERE source_url = $1 AND file_id IS NULL AND NOT deleted`,
		u).Scan(&n)
	return n > 0, err
}

// fileFailed records a failed download of the File at u.
func (im *importer) fileFailed(ctx context.Context, u, reason string) error {
	if _, err := im.opt.DB.Exec(ctx, `UPDATE import_files SET attempts = attempts + 1, last_error = $2 WHERE source_url = $1`,
		u, clip(reason, 1000)); err != nil && ctx.Err() == nil {
		return dbError{fmt.Errorf("file %s: %w", u, err)}
	}
	return nil
}

// fileStored records the local file id of the File p, downloaded now, with
// the source's times; an older version's local file is deleted.
func (im *importer) fileStored(ctx context.Context, p pendingFile, id council.ID) error {
	replaces := council.NilID
	if p.fileID != nil {
		replaces = *p.fileID
	}
	if err := im.opt.Docs.Imported(ctx, id, replaces, documents.ImportedMeta{Created: p.created, Modified: p.modified,
		Source: p.sourceURL}); err != nil {
		return err
	}
	_, err := im.opt.DB.Exec(ctx, `UPDATE import_files SET file_id = $2, deferred = false, last_error = '' WHERE source_url = $1`,
		p.sourceURL, id)
	return err
}

// fileLockKey is the advisory lock of file downloads (FileJob and runs).
const fileLockKey = 0x706c656e6172 // "plenar"

// withFileLock runs fn holding the file download lock; without it (another
// job downloads) fn does not run.
func (im *importer) withFileLock(ctx context.Context, fn func(ctx context.Context) error) error {
	// A connection of its own, outside the pool: the downloads need every
	// pooled connection (a pool of 4 would otherwise serve 4 downloads with 3).
	conn, err := pgx.ConnectConfig(ctx, im.opt.DB.Config().ConnConfig.Copy())
	if err != nil {
		return dbError{fmt.Errorf("file lock: %w", err)}
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, int64(fileLockKey)).Scan(&got); err != nil {
		return dbError{fmt.Errorf("file lock: %w", err)}
	}
	if !got {
		im.log.Info("oparl import: another job downloads files; leaving them to it")
		return nil
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(fileLockKey))
	}()
	return fn(ctx)
}

// finishRun marks the run finished: every list was read to its end.
func (im *importer) finishRun(ctx context.Context) error {
	if _, err := im.opt.DB.Exec(ctx, `UPDATE import_runs SET finished = now() WHERE id = $1`, im.runID); err != nil {
		return dbError{fmt.Errorf("finish run: %w", err)}
	}
	return nil
}

// fileKnown reports whether the File at u was imported.
func (im *importer) fileKnown(ctx context.Context, u string) bool {
	var n int
	_ = im.opt.DB.QueryRow(ctx, `SELECT count(*) FROM import_files WHERE source_url = $1`, u).Scan(&n)
	return n > 0
}

// fileLinked reports whether the File at u was imported with link l.
func (im *importer) fileLinked(ctx context.Context, u string, l fileLink) bool {
	lj, err := json.Marshal([]fileLink{l})
	if err != nil {
		return false
	}
	var n int
	_ = im.opt.DB.QueryRow(ctx, `SELECT count(*) FROM import_files WHERE source_url = $1 AND links @> $2::jsonb`, u, lj).Scan(&n)
	return n > 0
}

// fileUnchanged reports whether File o was imported with the same
// modified (or, lacking modified, at all).
func (im *importer) fileUnchanged(ctx context.Context, o obj) bool {
	var mod time.Time
	if err := im.opt.DB.QueryRow(ctx, `SELECT modified FROM import_files WHERE source_url = $1`, o.url).Scan(&mod); err != nil {
		return false
	}
	mt := o.datetime("modified")
	return mt.IsZero() || !mt.After(mod)
}

// startRun continues an unfinished run of systemURL or starts a new one,
// incremental from the start of the last finished run.
func (im *importer) startRun(ctx context.Context, systemURL string) error {
	var since *time.Time
	err := im.opt.DB.QueryRow(ctx, `SELECT id, since FROM import_runs WHERE system_url = $1 AND finished IS NULL
		ORDER BY id DESC LIMIT 1`, systemURL).Scan(&im.runID, &since)
	switch {
	case err == nil:
		im.sum.Resumed = true
	case errors.Is(err, pgx.ErrNoRows):
		if !im.opt.Full {
			var last *time.Time
			if err := im.opt.DB.QueryRow(ctx, `SELECT max(started) FROM import_runs WHERE system_url = $1 AND finished IS NOT NULL`,
				systemURL).Scan(&last); err != nil {
				return fmt.Errorf("last run: %w", err)
			}
			if last != nil {
				// A minute of overlap for clock skew between the servers.
				t := last.Add(-time.Minute)
				since = &t
			}
		}
		if err := im.opt.DB.QueryRow(ctx, `INSERT INTO import_runs (system_url, since) VALUES ($1, $2) RETURNING id`,
			systemURL, since).Scan(&im.runID); err != nil {
			return fmt.Errorf("start run: %w", err)
		}
	default:
		return fmt.Errorf("unfinished run: %w", err)
	}
	if since != nil {
		im.since = *since
		im.sum.Since = *since
	}
	return nil
}

// progress is how far list listURL of this run got: the next page to read,
// or done.
func (im *importer) progress(ctx context.Context, listURL string) (next string, done bool, err error) {
	err = im.opt.DB.QueryRow(ctx, `SELECT next_url, done FROM import_progress WHERE run_id = $1 AND list_url = $2`,
		im.runID, listURL).Scan(&next, &done)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", false, dbError{fmt.Errorf("progress: %w", err)}
	}
	return next, done, nil
}

// saveProgress records that list listURL continues at next ("": done).
func (im *importer) saveProgress(ctx context.Context, listURL, next string) error {
	_, err := im.opt.DB.Exec(ctx, `INSERT INTO import_progress (run_id, list_url, next_url, done) VALUES ($1, $2, $3, $4)
		ON CONFLICT (run_id, list_url) DO UPDATE SET next_url = $3, done = $4, modified = now()`,
		im.runID, listURL, next, next == "")
	if err != nil {
		return dbError{fmt.Errorf("progress: %w", err)}
	}
	return nil
}
