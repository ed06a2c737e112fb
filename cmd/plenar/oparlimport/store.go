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

	"github.com/plenar/plenar/council"
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
