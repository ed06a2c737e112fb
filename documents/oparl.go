package documents

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/plenar/plenar/council"
)

// OParlFile is a file as the OParl API publishes it: only files that are
// public data (see PublicFile) with the public things they are linked to.
// MasterID is NilID unless the master is public data too; Derivatives are
// the public, not deleted files derived from this one.
type OParlFile struct {
	File
	Text        string // at most OParlTextLimit bytes of the extracted text
	TextCut     bool   // the stored text is longer than Text
	BodyID      council.ID
	Meetings    []council.ID
	AgendaItems []council.ID
	Papers      []council.ID
	Derivatives []council.ID
}

// OParlLinked is a public file at what it is attached to, with its role.
type OParlLinked struct {
	OParlFile
	Role string
}

// OParl lists the files of the view published_files (as themselves or as
// tombstones: f.deleted OR f.links_deleted) and embeds those of
// public_files (migrations/sql/00011_visibility.sql).

// PublicFileSQL is the condition under which file alias a is public data:
// it is one of the view public_files.
func PublicFileSQL(a string) string {
	return `EXISTS (SELECT 1 FROM public_files pf WHERE pf.id = ` + a + `.id)`
}

// fileBodySQL is the body of the things file alias a is attached to.
func fileBodySQL(a string) string {
	return `SELECT x.body_id FROM file_links x WHERE x.file_id = ` + a + `.id LIMIT 1`
}

// OParlTextLimit is how much of a file's text the OParl API embeds in a
// File object, in bytes: 64 KiB, about 25 pages. It keeps nearly every
// file whole (the benchmark corpus' 99th percentile is 31 KB of text)
// while a list page of up to 1,000 objects stays bounded whatever is
// stored (up to DefaultMaxText, or more from before that cap); clients
// get the whole document at accessUrl. PostgreSQL reads only the slice.
const OParlTextLimit = 64 << 10

// oparlFileCols are the columns of an OParl file (alias f).
func oparlFileCols() string {
	// OParlTextLimit+1 characters are at least OParlTextLimit+1 bytes:
	// enough to tell whether the text is longer than the limit.
	cols := strings.ReplaceAll(`f.id, f.name, f.file_name, f.mime_type, f.size, f.sha512, f.date, f.license, f.public,
		f.master_id, coalesce(substr(f.text, 1, `+strconv.Itoa(OParlTextLimit+1)+`), ''), f.text IS NOT NULL, f.created, f.modified`, "\n", " ")
	return cols + `, (f.deleted OR f.links_deleted),
		(` + fileBodySQL("f") + `),
		coalesce((SELECT array_agg(ml.meeting_id ORDER BY ml.meeting_id) FROM meeting_files ml WHERE ml.file_id = f.id), '{}'),
		coalesce((SELECT array_agg(al.agenda_item_id ORDER BY al.agenda_item_id) FROM agenda_item_files al WHERE al.file_id = f.id), '{}'),
		coalesce((SELECT array_agg(pl.paper_id ORDER BY pl.paper_id) FROM paper_files pl WHERE pl.file_id = f.id), '{}'),
		coalesce((SELECT array_agg(d.id ORDER BY d.created, d.id) FROM public_files d WHERE d.master_id = f.id), '{}'),
		(SELECT ma.id FROM public_files ma WHERE ma.id = f.master_id)`
}

func scanOParlFile(r pgx.Row, extra ...any) (OParlFile, error) {
	var f OParlFile
	var date pgtype.Date
	var master, body, pubMaster *council.ID
	dest := append([]any{&f.ID, &f.Name, &f.FileName, &f.MIMEType, &f.Size, &f.SHA512, &date, &f.License, &f.Public,
		&master, &f.Text, &f.HasText, &f.Created, &f.Modified, &f.Deleted, &body,
		&f.Meetings, &f.AgendaItems, &f.Papers, &f.Derivatives, &pubMaster}, extra...)
	err := r.Scan(dest...)
	if date.Valid {
		f.Date = date.Time
	}
	if len(f.Text) > OParlTextLimit {
		f.Text, f.TextCut = CutText(f.Text, OParlTextLimit), true
	}
	_ = master // only a public master is named
	f.MasterID, f.BodyID = council.IDOf(pubMaster), council.IDOf(body)
	return f, err
}

// OParlFiles lists the files that are public data for the OParl API, in
// (modified, id) order; a file counts as deleted when it or anything it
// is linked to is deleted. q.Body selects the files linked to things of
// that body.
func (s *Store) OParlFiles(ctx context.Context, q council.ListQuery) ([]OParlFile, int, error) {
	lc := council.ListCols{ID: "f.id", Body: "(" + fileBodySQL("f") + ")",
		Created: "f.created", Modified: "f.modified", Deleted: "f.deleted OR f.links_deleted"}
	out, n, err := council.ListPage(ctx, s.db, oparlFileCols(), "published_files f", lc, q, func(r pgx.Rows) (OParlFile, error) {
		return scanOParlFile(r)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("oparl files: %w", err)
	}
	return out, n, nil
}

// OParlFilesOf returns the public files attached to each of ids (papers,
// meetings or agenda items of kind) with their roles, oldest first, keyed
// by owner, in one query.
func (s *Store) OParlFilesOf(ctx context.Context, kind LinkKind, ids []council.ID) (map[council.ID][]OParlLinked, error) {
	table, col, err := kind.table()
	if err != nil {
		return nil, err
	}
	return council.ByOwner(ctx, s.db, fmt.Sprintf("oparl files of %d %s", len(ids), kind), `SELECT `+oparlFileCols()+`, l.`+col+`, l.role
		FROM `+table+` l JOIN public_files f ON f.id = l.file_id
		WHERE l.`+col+` = ANY($1) ORDER BY f.created, f.id`, ids,
		func(r pgx.Rows) (council.ID, OParlLinked, error) {
			var owner council.ID
			var role string
			f, err := scanOParlFile(r, &owner, &role)
			return owner, OParlLinked{OParlFile: f, Role: role}, err
		})
}
